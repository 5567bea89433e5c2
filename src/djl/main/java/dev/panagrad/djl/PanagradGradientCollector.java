package dev.panagrad.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;

/**
 * DJL's gradient recording on panagrad's autograd: gradients are recorded while a collector is open
 * (panagrad records whenever grad mode is on, so the collector turns it on and restores it at close).
 * {@link #backward} accumulates into the gradients of arrays marked with {@code setRequiresGradient(true)};
 * DJL's optimizer updates zero them after each step, as the PyTorch engine does.
 *
 * <pre>{@code
 * try (GradientCollector gc = engine.newGradientCollector()) {
 *     NDArray y = x.mul(x);
 *     gc.backward(y);          // x.getGradient() is 2x
 * }
 * }</pre>
 */
final class PanagradGradientCollector implements GradientCollector {
    private final boolean wasEnabled;
    private boolean closed;

    PanagradGradientCollector() {
        wasEnabled = GradMode.isEnabled();
        GradMode.set(true);
    }

    @Override
    public void backward(NDArray target) {
        if (closed) throw new IllegalStateException("backward: this GradientCollector is already closed");
        Tensor t = PanagradNDManager.unwrap("backward", target).tensor();
        // the pass's temporaries go back to the pool at once; gradients live in their parameters' scopes
        Lifetimes.temporarily(() -> t.backward(t.onesLike()));
    }

    /** Zeroes the gradients of every array that requires one and is still open. */
    @Override
    public void zeroGradients() {
        PanagradNDManager.system().zeroGradients();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        GradMode.set(wasEnabled);
    }
}
