package dev.panagrad;

/**
 * The errors of autograd, one subclass per kind, so that callers can catch the kind they can handle. All are
 * {@link IllegalStateException}s: the graph or a tensor is in a state that does not allow the request. Bad
 * arguments (a gradient of the wrong shape, an input that does not require grad) are
 * {@link IllegalArgumentException}s instead. Messages follow PyTorch's, so that they can be searched for.
 *
 * <pre>{@code
 * try {
 *     loss.backward();
 * } catch (AutogradException.InPlaceModified e) {
 *     // a tensor saved for backward was overwritten by an in-place op after it was saved
 * }
 * }</pre>
 */
public class AutogradException extends IllegalStateException {
    private AutogradException(String message) {
        super(message);
    }

    /**
     * A tensor saved for backward was modified in place after it was saved (its version moved on):
     * "one of the variables needed for gradient computation has been modified by an inplace operation".
     */
    public static final class InPlaceModified extends AutogradException {
        InPlaceModified(String message) {
            super(message);
        }
    }

    /**
     * A backward pass reached a node whose saved tensors an earlier backward already freed: "Trying to backward
     * through the graph a second time". Pass {@code retainGraph=true} to the first backward.
     */
    public static final class GraphReleased extends AutogradException {
        GraphReleased(String message) {
            super(message);
        }
    }

    /**
     * An in-place op or {@code detach_()} that autograd cannot record: on a leaf that requires grad, on a view of
     * such a leaf, on a view created in no-grad mode while grad mode is on, or {@code detach_()} on a view.
     */
    public static final class InPlaceNotAllowed extends AutogradException {
        InPlaceNotAllowed(String message) {
            super(message);
        }
    }

    /**
     * Backward was asked of a tensor that does not require grad: "element 0 of tensors does not require grad and
     * does not have a grad_fn".
     */
    public static final class NoGradient extends AutogradException {
        NoGradient(String message) {
            super(message);
        }
    }

    /**
     * An input of {@code Autograd.grad} (or of a {@code Functional} call in strict mode) does not reach the
     * outputs: "One of the differentiated Tensors appears to not have been used in the graph".
     */
    public static final class UnusedInput extends AutogradException {
        /** An error with the given message. */
        public UnusedInput(String message) {
            super(message);
        }
    }

    /** In anomaly mode, a backward node produced NaN: "Function 'DivBackward0' returned nan values". */
    public static final class AnomalyDetected extends AutogradException {
        AnomalyDetected(String message) {
            super(message);
        }
    }

    /**
     * Two backward passes reached the same interior node at once (on two threads, or a backward started inside
     * another one that reached the outer graph). Passes may share leaves only.
     */
    public static final class ConcurrentBackward extends AutogradException {
        ConcurrentBackward(String message) {
            super(message);
        }
    }
}
