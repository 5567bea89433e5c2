package dev.panagrad.optim;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.ops.Gradients;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}: the gradients of all parameters are
 * seen as one vector; when its norm exceeds {@code maxNorm} they are scaled in place by
 * {@code maxNorm / (norm + 1e-6)}.
 *
 * <pre>{@code
 * loss.backward();
 * double norm = ClipGrad.clipGradNorm(model.parameters(), 1.0);   // the norm before clipping
 * opt.step();
 * }</pre>
 */
public final class ClipGrad {
    private ClipGrad() {}

    /** Clips by the 2-norm; returns the total norm before clipping. */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Clips by the p-norm {@code (sum |g|^p)^(1/p)} over all gradients ({@code p = +inf}: the largest
     * |g|); returns the total norm before clipping.
     */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm, double normType) {
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: norm_type must be positive or infinity; given " + normType);
        }
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            Tensor g = Gradients.of(p);
            if (g != null) grads.add(g);
        }
        if (grads.isEmpty()) return 0;
        try (var off = GradMode.noGrad(); Scope temporaries = Scope.open()) {
            double total = 0;
            for (Tensor g : grads) {
                if (normType == Double.POSITIVE_INFINITY) total = Math.max(total, g.abs().max().item());
                else if (normType == 2) total += g.mul(g).sum().item();
                else total += g.abs().pow(normType).sum().item();
            }
            if (normType != Double.POSITIVE_INFINITY) total = Math.pow(total, 1 / normType);
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) for (Tensor g : grads) g.mul_(coef);
            return total;
        }
    }
}
