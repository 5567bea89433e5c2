package dev.panagrad.kernels;

/**
 * The coefficients of one Adam update. Per element, with d the gradient:
 * <ul>
 *   <li>{@code p *= shrink} (AdamW's decoupled weight decay, {@code 1 - lr * weightDecay}; else 1);</li>
 *   <li>{@code d += gradientDecay * p} (Adam's L2 weight decay; else 0);</li>
 *   <li>{@code m = beta1 * m + (1 - beta1) * d} and {@code v = beta2 * v + (1 - beta2) * d * d};</li>
 *   <li>{@code p -= m / (sqrt(v) / biasCorrection2Sqrt + eps) * stepSize}.</li>
 * </ul>
 * {@link #of} gives PyTorch's {@code torch.optim.Adam} and {@code AdamW} at a step; other formulations (eps
 * outside the bias correction, say) set the coefficients directly.
 *
 * <pre>{@code
 * AdamStep s = AdamStep.of(1e-3, 0.9, 0.999, 1e-8, 0, false, 1);
 * Kernels.active().adamStep(DType.FLOAT32, s, p, 0, g, 0, m, 0, v, 0, n);
 * }</pre>
 *
 * @param beta1               the decay rate of the first moment m
 * @param beta2               the decay rate of the second moment v
 * @param eps                 added to the denominator
 * @param stepSize            what the normalised first moment is multiplied by
 * @param biasCorrection2Sqrt what sqrt(v) is divided by before eps is added
 * @param shrink              what the parameter is multiplied by first
 * @param gradientDecay       the parameter's multiple added to the gradient
 */
public record AdamStep(double beta1, double beta2, double eps, double stepSize, double biasCorrection2Sqrt,
                       double shrink, double gradientDecay) {

    /**
     * The update of PyTorch's Adam ({@code decoupled} false) or AdamW at update number {@code step}, counted
     * from 1: {@code stepSize = lr / (1 - beta1^step)}, {@code biasCorrection2Sqrt = sqrt(1 - beta2^step)}.
     *
     * @throws IllegalArgumentException when step is below 1
     */
    public static AdamStep of(double lr, double beta1, double beta2, double eps, double weightDecay,
                              boolean decoupled, long step) {
        if (step < 1) throw new IllegalArgumentException("adamStep: step must count from 1; given " + step);
        return new AdamStep(beta1, beta2, eps, lr / (1 - Math.pow(beta1, step)), Math.sqrt(1 - Math.pow(beta2, step)),
                decoupled ? 1 - lr * weightDecay : 1, decoupled ? 0 : weightDecay);
    }
}
