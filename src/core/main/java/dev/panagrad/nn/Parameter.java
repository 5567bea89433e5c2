package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.memory.Scope;
import dev.panagrad.ops.Foreach;
import dev.panagrad.ops.Gradients;

import java.util.ArrayList;
import java.util.List;

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
        List<Tensor[]> zeroed = new ArrayList<>();
        for (Tensor p : params) {
            Tensor g = Gradients.of(p);
            if (g == null) continue;
            if (setToNone || g.requiresGrad()) p.setGrad(null);
            else zeroed.add(new Tensor[] {g});
        }
        if (zeroed.isEmpty()) return;
        DType dt = zeroed.getFirst()[0].dtype();
        if (Foreach.fits(zeroed, dt)) {   // all in one parallel region
            Kernels k = Kernels.active();
            Foreach.update("zeroGrad", zeroed, 1, (r, t, lo, hi) -> k.fill(dt, t[0].segment(), t[0].offset() + lo, 1, hi - lo, 0));
            return;
        }
        try (var off = GradMode.noGrad()) {
            for (Tensor[] g : zeroed) g[0].zero_();
        }
    }
}
