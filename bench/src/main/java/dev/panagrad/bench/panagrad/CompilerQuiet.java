package dev.panagrad.bench.panagrad;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Whether the JIT compiler has been quiet: less than {@code maxCompileMillis} of compile time (all compiler
 * threads together, from the {@link CompilationMXBean}) in the last complete window of {@code windowMillis}.
 * Windows follow each other from the first call of {@link #quiet()}; where the JVM does not report compile
 * time, the compiler always counts as quiet.
 *
 * <pre>{@code
 * CompilerQuiet compiler = new CompilerQuiet(1000, 10);
 * while (!compiler.quiet()) step.run();
 * }</pre>
 */
final class CompilerQuiet {
    private final CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
    private final boolean supported = bean != null && bean.isCompilationTimeMonitoringSupported();
    private final long windowNanos, maxCompileMillis;
    private long windowStart, compileAtStart;
    private boolean lastWindowQuiet;

    CompilerQuiet(long windowMillis, long maxCompileMillis) {
        this.windowNanos = windowMillis * 1_000_000L;
        this.maxCompileMillis = maxCompileMillis;
        this.windowStart = System.nanoTime();
        this.compileAtStart = supported ? bean.getTotalCompilationTime() : 0;
    }

    /** True once a complete window held less compile time than the limit, until a later window does not. */
    boolean quiet() {
        if (!supported) return true;
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            long compile = bean.getTotalCompilationTime();
            lastWindowQuiet = compile - compileAtStart < maxCompileMillis;
            windowStart = now;
            compileAtStart = compile;
        }
        return lastWindowQuiet;
    }
}
