package dev.panagrad.kernels;

/**
 * The coefficients of one Adam update at step {@code step} (counted from 1), as PyTorch's
 * {@code torch.optim.Adam} or, with {@code decoupled}, {@code AdamW}. Per element, with d the gradient:
 * <ul>
 *   <li>AdamW first shrinks the parameter: {@code p *= 1 - lr * weightDecay};
 *       Adam adds the decay to the gradient instead: {@code d += weightDecay * p};</li>
 *   <li>{@code m = beta1 * m + (1 - beta1) * d} and {@code v = beta2 * v + (1 - beta2) * d * d};</li>
 *   <li>{@code p -= m / (sqrt(v) / sqrt(1 - beta2^step) + eps) * lr / (1 - beta1^step)}.</li>
 * </ul>
 *
 * <pre>{@code
 * AdamStep s = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, 1);
 * Kernels.active().adamStep(DType.FLOAT32, s, p, 0, g, 0, m, 0, v, 0, n);
 * }</pre>
 *
 * @param lr          the learning rate
 * @param beta1       the decay rate of the first moment m
 * @param beta2       the decay rate of the second moment v
 * @param eps         added to the denominator
 * @param weightDecay the weight decay (0 for none)
 * @param decoupled   true for AdamW's decoupled weight decay
 * @param step        the number of this update, from 1
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                       long step) {
    /** @throws IllegalArgumentException when step is below 1 */
    public AdamStep {
        if (step < 1) throw new IllegalArgumentException("adamStep: step must count from 1; given " + step);
    }

    /** {@code lr / (1 - beta1^step)}: the learning rate with the first moment's bias correction. */
    public double stepSize() {
        return lr / (1 - Math.pow(beta1, step));
    }

    /** {@code sqrt(1 - beta2^step)}: the square root of the second moment's bias correction. */
    public double biasCorrection2Sqrt() {
        return Math.sqrt(1 - Math.pow(beta2, step));
    }

    /** What the parameter is multiplied by before the update: {@code 1 - lr * weightDecay} for AdamW, else 1. */
    public double shrink() {
        return decoupled ? 1 - lr * weightDecay : 1;
    }

    /** The weight decay added to the gradient: Adam's, or 0 for AdamW. */
    public double gradientDecay() {
        return decoupled ? 0 : weightDecay;
    }
}
