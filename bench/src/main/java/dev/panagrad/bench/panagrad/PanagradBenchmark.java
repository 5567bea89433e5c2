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
    /** A warm-up until the compiler is quiet ends after a window this long ... */
    static final long QUIET_WINDOW_MILLIS = 1000;
    /** ... in which the JIT compiler worked less than this (1% of a core). */
    static final long QUIET_COMPILE_MILLIS = 10;

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
        warm(call, 0, streak, maxMillis, false);
    }

    /**
     * As {@link #warm(Runnable, int, long)}, running {@code call} at least {@code minCalls} times, and, with
     * {@code untilCompilerQuiet}, until the JIT compiler has worked less than {@value #QUIET_COMPILE_MILLIS} ms
     * in a window of {@value #QUIET_WINDOW_MILLIS} ms ({@link CompilerQuiet}), all within {@code maxMillis}.
     * Code that runs once per call, such as a backward pass over a graph or an optimizer step, reaches C2 only
     * after some thousands of calls, one method after another; the step improves gradually, never by 10%
     * within a streak (the MLP step at two threads: 2.2 ms after 2,000 steps, 1.86 ms once the compiler fell
     * quiet after about 4,000), so only the compiler's own account tells when it is done.
     */
    protected static void warm(Runnable call, int minCalls, int streak, long maxMillis, boolean untilCompilerQuiet) {
        long begin = System.nanoTime();
        long minEnd = begin + WARM_MIN_MILLIS * 1_000_000L, deadline = begin + maxMillis * 1_000_000L;
        long best = Long.MAX_VALUE;
        int sinceBest = 0;
        CompilerQuiet compiler = untilCompilerQuiet ? new CompilerQuiet(QUIET_WINDOW_MILLIS, QUIET_COMPILE_MILLIS) : null;
        for (int calls = 0; (calls < minCalls || sinceBest < streak || System.nanoTime() < minEnd
                || compiler != null && !compiler.quiet()) && System.nanoTime() < deadline; calls++) {
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
