package dev.panagrad.cli;

import dev.panagrad.kernels.Parallel;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Trains on one thread while the JIT compiler is busy, then on the thread count asked for. In a fresh JVM the
 * compiler threads want a core of their own for the first seconds (the MLP's first epoch holds seconds of
 * compile time); a second training thread would take it from them. Results are the same on any thread count,
 * so the switch changes nothing but the time.
 *
 * <pre>{@code
 * WarmUpThreads warmUp = new WarmUpThreads(threads);   // sets Parallel's thread count
 * for (Batch b : loader) { step(b); warmUp.afterStep(); }
 * }</pre>
 */
final class WarmUpThreads {
    /** Compiler time per wall-clock time under which the compiler counts as done with the hot code. */
    private static final double BUSY = 0.25;
    private static final long WINDOW_NANOS = 100_000_000;

    private final int threads;
    private final CompilationMXBean jit;
    private boolean settled;
    private long windowStart, compiledAtStart;

    WarmUpThreads(int threads) {
        this.threads = threads;
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        jit = c != null && c.isCompilationTimeMonitoringSupported() ? c : null;
        settled = threads <= 1 || jit == null;
        Parallel.setThreads(settled ? threads : 1);
        windowStart = System.nanoTime();
        compiledAtStart = settled ? 0 : jit.getTotalCompilationTime();
    }

    /** After a step: once a window of 100 ms passes with little compiling, the full thread count from then on. */
    void afterStep() {
        if (settled) return;
        long now = System.nanoTime();
        if (now - windowStart < WINDOW_NANOS) return;
        long compiled = jit.getTotalCompilationTime();   // milliseconds, summed over the compiler threads
        if ((compiled - compiledAtStart) * 1e6 < BUSY * (now - windowStart)) {
            settled = true;
            Parallel.setThreads(threads);
        }
        windowStart = now;
        compiledAtStart = compiled;
    }
}
