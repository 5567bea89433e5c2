package dev.panagrad.bench.machine;

/**
 * Gets a Vector API kernel compiled by C2 before JMH's first timed call. Until C2 compiles it, a
 * Vector API loop runs with every vector boxed (interpreter, C1): one full-size call then takes
 * seconds (measured: 9.6 s for one 2 GFLOP PeakFlops call), and an on-stack replacement does not
 * reliably rescue a call already under way. So {@code @Setup} calls the kernel on a small problem
 * until it runs at compiled speed: a normal (not OSR) C2 compilation that the big calls then use.
 */
final class Warm {
    private Warm() {}

    /**
     * Runs {@code small} until {@code streak} consecutive calls each take under {@code fastNanos},
     * or {@code maxMillis} pass (then the kernel is slow for another reason, and JMH's own warmup
     * carries on).
     */
    static void untilFast(Runnable small, long fastNanos, int streak, long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        int fast = 0;
        while (fast < streak && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            small.run();
            fast = System.nanoTime() - t0 < fastNanos ? fast + 1 : 0;
        }
    }
}
