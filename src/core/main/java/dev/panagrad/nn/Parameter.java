package dev.panagrad.nn;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;

/**
 * Parameters: leaf tensors that require grad and belong to no {@link Scope}, so they (and the gradients
 * accumulated into them) outlive every training step. A module registers them by name
 * ({@link Module#registerParameter}); optimizers update them in place.
 *
 * <pre>{@code
 * Tensor w = Parameter.of(Tensor.randn(3, 4));   // w.requiresGrad() == true, w.isLeaf() == true
 * Parameter.zeroGrad(List.of(w), false);         // w.grad() is zeroed in place (kept for the next step)
 * }</pre>
 */
public final class Parameter {
    private Parameter() {}

    /** A parameter holding a contiguous copy of {@code data}'s values (same dtype), owned by the garbage collector. */
    public static Tensor of(Tensor data) {
        if (!data.dtype().isFloating()) {
            throw new IllegalArgumentException("Parameter: only floating point tensors can be parameters; given "
                    + data.describe() + ", expected float32 or float64");
        }
        Tensor copy = Scope.unscoped(() -> {
            try (var off = GradMode.noGrad()) {
                return data.detach().clone();
            }
        });
        return copy.requiresGrad(true);
    }

    /**
     * Clears the gradients of {@code params}: with {@code setToNone} the gradient is dropped; otherwise it is
     * zeroed in place, so the next backward accumulates into the same memory (a gradient that is itself part
     * of a graph, from {@code createGraph}, is always dropped).
     */
    public static void zeroGrad(Iterable<Tensor> params, boolean setToNone) {
        try (var off = GradMode.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                if (setToNone || g.requiresGrad()) p.setGrad(null);
                else g.zero_();
            }
        }
    }
}
