package dev.panagrad;

/**
 * Anomaly detection: while enabled, every node remembers where its forward op was called, and a backward
 * node that produces NaN fails naming the node and that place.
 *
 * <pre>{@code
 * try (var a = Anomaly.detect()) {
 *     loss.backward();   // IllegalStateException: Function 'DivBackward0' returned nan values ...
 * }
 * }</pre>
 */
public final class Anomaly {
    private Anomaly() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[1]);

    /** True while anomaly detection is on for this thread. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Switches anomaly detection on until the returned guard closes. */
    public static Guard detect() {
        boolean[] cell = ENABLED.get();
        Guard g = new Guard(cell, cell[0]);
        cell[0] = true;
        return g;
    }

    /** Restores the previous anomaly mode when closed. */
    public static final class Guard implements AutoCloseable {
        private final boolean[] cell;
        private final boolean previous;

        private Guard(boolean[] cell, boolean previous) {
            this.cell = cell;
            this.previous = previous;
        }

        @Override
        public void close() {
            cell[0] = previous;
        }
    }
}
