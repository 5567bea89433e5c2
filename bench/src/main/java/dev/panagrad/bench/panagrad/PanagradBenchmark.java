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
    static final long WARM_MIN_MILLIS = 1500;

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
     * Runs {@code small} until C2 has compiled the kernels it uses: for at least {@link #WARM_MIN_MILLIS}
     * (C1 code can look fast on a small problem while C2 is still compiling), then until {@code streak}
     * consecutive calls each take under {@code fastNanos}, or {@code maxMillis} pass (JMH's own warmup
     * carries on then). Until then a Vector API loop runs with boxed vectors, and one full-size call can take
     * seconds.
     */
    protected static void warm(Runnable small, long fastNanos, int streak, long maxMillis) {
        long begin = System.nanoTime();
        long minEnd = begin + WARM_MIN_MILLIS * 1_000_000L, deadline = begin + maxMillis * 1_000_000L;
        int fast = 0;
        while ((fast < streak || System.nanoTime() < minEnd) && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            small.run();
            fast = System.nanoTime() - t0 < fastNanos ? fast + 1 : 0;
        }
    }
}
