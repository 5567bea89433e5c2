package dev.panagrad.bench.panagrad;

import dev.panagrad.bench.ProbedBenchmark;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Param;

/**
 * Base of the panagrad benchmarks: the {@code threads} parameter (panagrad's pool) and the start of
 * every trial, {@link #start(String)}: select the kernel set, check that it is the active one, set
 * the threads. Each subclass declares its own {@code kernels} parameter (the sets worth comparing
 * differ by family) and calls {@link #start(String)} first thing in its {@code @Setup(Level.Trial)},
 * before any other panagrad class loads.
 */
public abstract class PanagradBenchmark extends ProbedBenchmark {
    /** Shortest warm-up in {@link #warm}. */
    static final long WARM_MIN_MILLIS = 2000;

    @Param({"1", "2"})
    public int threads;

    /** Selects {@code kernels} (read once per JVM; JMH forks per parameter set) and the thread count. */
    protected void start(String kernels) {
        System.setProperty("panagrad.kernels", kernels);
        String active = Kernels.active().name();
        if (!active.equals(kernels)) {
            throw new IllegalStateException("bench: kernel set '" + kernels + "' requested but '" + active
                    + "' is active; the results would be mislabelled");
        }
        Parallel.setThreads(threads);
    }

    /**
     * Runs {@code call} until C2 has compiled what it uses: for at least {@link #WARM_MIN_MILLIS}, then until
     * {@code streak} consecutive calls bring no new best time (10% below the best so far), or {@code maxMillis}
     * pass. Until C2 compiles them, Vector API loops run with boxed vectors and the autograd path runs in C1
     * code; on a loaded machine that takes many seconds, longer than a short JMH warmup, so the benchmarks
     * warm on their own problem (or, where one call is long, a smaller one of the same shape of work).
     */
    protected static void warm(Runnable call, int streak, long maxMillis) {
        warm(call, 0, streak, maxMillis);
    }

    /**
     * As {@link #warm(Runnable, int, long)}, running {@code call} at least {@code minCalls} times (within
     * {@code maxMillis}): code that runs once per call, such as a backward pass over a long graph, reaches C2
     * only after some ten thousand calls.
     */
    protected static void warm(Runnable call, int minCalls, int streak, long maxMillis) {
        long begin = System.nanoTime();
        long minEnd = begin + WARM_MIN_MILLIS * 1_000_000L, deadline = begin + maxMillis * 1_000_000L;
        long best = Long.MAX_VALUE;
        int sinceBest = 0;
        for (int calls = 0; (calls < minCalls || sinceBest < streak || System.nanoTime() < minEnd)
                && System.nanoTime() < deadline; calls++) {
            long t0 = System.nanoTime();
            call.run();
            long t = System.nanoTime() - t0;
            if (t < best * 0.9) {
                best = t;
                sinceBest = 0;
            } else {
                sinceBest++;
            }
        }
    }
}
