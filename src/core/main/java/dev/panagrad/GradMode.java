package dev.panagrad;

/**
 * Whether ops record the autograd graph on this thread. Guards nest and restore the previous mode when
 * closed.
 *
 * <pre>{@code
 * try (var guard = GradMode.noGrad()) {
 *     Tensor c = a.mul(3);      // c.requiresGrad() == false
 * }
 * }</pre>
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    /** Restores the mode that was in force when it was created. */
    public static final class Guard implements AutoCloseable {
        private final boolean previous;

        private Guard(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            set(previous);
        }
    }

    /** True when ops record the graph on this thread. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Sets the mode on this thread. */
    public static void set(boolean enabled) {
        ENABLED.get()[0] = enabled;
    }

    /** Switches recording off until the guard closes. */
    public static Guard noGrad() {
        return setGradEnabled(false);
    }

    /** Switches recording on until the guard closes (inside a no-grad block, for example). */
    public static Guard enableGrad() {
        return setGradEnabled(true);
    }

    /** Sets the mode until the guard closes. */
    public static Guard setGradEnabled(boolean enabled) {
        boolean[] cell = ENABLED.get();
        Guard g = new Guard(cell[0]);
        cell[0] = enabled;
        return g;
    }
}
