package dev.panagrad.kernels;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Tells whether the JIT compiler has been busy lately. While it is, {@link Parallel} runs ranges on the caller's
 * thread alone and leaves the other cores to the compiler threads: in a JVM's first seconds they compile the
 * kernels on the same cores the ranges would use, and a split range then waits for a worker the compiler holds.
 * Results do not change, since no op's result depends on how its range is split.
 */
final class CompilerWatch {
    /** How often the compiler's time is sampled. */
    static final long INTERVAL_NANOS = 20_000_000L;

    private final LongSupplier compileMillis;
    private final LongSupplier clock;
    private volatile long nextSample;
    private volatile boolean busy;
    private long lastSample;
    private long lastMillis;

    /**
     * @param compileMillis the compiler threads' total time so far, in milliseconds
     * @param clock         the time now, in nanoseconds
     */
    CompilerWatch(LongSupplier compileMillis, LongSupplier clock) {
        this.compileMillis = compileMillis;
        this.clock = clock;
        lastSample = clock.getAsLong();
        lastMillis = compileMillis.getAsLong();
        nextSample = lastSample + INTERVAL_NANOS;
    }

    /**
     * The watch on this JVM's compiler (the {@code CompilationMXBean}), or null where it does not report its
     * time or {@code -Dpanagrad.yieldToCompiler=false} says not to watch.
     */
    static CompilerWatch ofThisJvm() {
        if (!Boolean.parseBoolean(System.getProperty("panagrad.yieldToCompiler", "true"))) return null;
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return null;
        return new CompilerWatch(jit::getTotalCompilationTime, System::nanoTime);
    }

    /** True when the compiler threads took at least a quarter of a core over the last sampled interval. */
    boolean busy() {
        long now = clock.getAsLong();
        if (now - nextSample >= 0) sample(now);
        return busy;
    }

    private synchronized void sample(long now) {
        if (now - nextSample < 0) return;   // another thread sampled meanwhile
        long millis = compileMillis.getAsLong();
        busy = (millis - lastMillis) * 4_000_000L >= now - lastSample;
        lastSample = now;
        lastMillis = millis;
        nextSample = now + INTERVAL_NANOS;
    }
}
