package dev.panagrad.kernels;

/**
 * The coefficients of one SGD update, as PyTorch's {@code torch.optim.SGD}. Per element, with d the
 * gradient: {@code d += weightDecay * p}; with momentum, {@code buf = d} at the first step ({@code first}),
 * else {@code buf = momentum * buf + (1 - dampening) * d}, and d becomes {@code d + momentum * buf}
 * (Nesterov) or {@code buf}; finally {@code p -= lr * d}.
 *
 * <pre>{@code
 * SgdStep s = new SgdStep(0.1, 0.9, 0, 0, false, true);
 * Kernels.active().sgdStep(DType.FLOAT32, s, p, 0, g, 0, buf, 0, n);
 * }</pre>
 *
 * @param lr          the learning rate
 * @param momentum    the momentum factor (0 for none: then there is no buffer)
 * @param dampening   the dampening of the momentum
 * @param weightDecay the weight decay (0 for none)
 * @param nesterov    true for Nesterov momentum
 * @param first       true when the momentum buffer holds nothing yet (it is then set to d)
 */
public record SgdStep(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                      boolean first) {
}
