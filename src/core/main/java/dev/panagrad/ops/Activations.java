package dev.panagrad.ops;

import dev.panagrad.Graph;
import dev.panagrad.Tensor;

/**
 * Activation functions beyond the kernel-backed ones in {@link Pointwise}: each forward is computed from
 * existing elementwise ops without recording, then one node states the derivative with tensor ops (so it is
 * differentiable again), named as PyTorch names it.
 *
 * <pre>{@code
 * Tensor y = Activations.leakyRelu(x, 0.01);   // same as x.leakyRelu(0.01)
 * }</pre>
 */
public final class Activations {
    private Activations() {}

    /** SELU's constants (Klambauer et al. 2017), as torch.nn.functional.selu uses them. */
    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    /** SELU's scale. */
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private static final double SQRT_2_OVER_PI = 0.7978845608028654;
    private static final double GELU_CUBIC = 0.044715;

    /** {@code x > 0 ? x : slope * x}. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        Tensor out = Untracked.run(() -> Tensor.where(x.gt(0), x, x.mul(slope)));
        return Graph.record("LeakyReluBackward0", out, x, (g, s) -> Tensor.where(s[0].gt(0), g, g.mul(slope)), x);
    }

    /** {@code scale * (x > 0 ? x : alpha * (exp(x) - 1))}: ELU with scale 1, SELU with its constants. */
    public static Tensor elu(Tensor x, double alpha, double scale) {
        Tensor out = Untracked.run(() -> Tensor.where(x.gt(0), x, x.exp().sub(1).mul(alpha)).mul(scale));
        // d/dx = scale (x > 0), scale * alpha * exp(x) (x <= 0)
        return Graph.record("EluBackward0", out, x,
                (g, s) -> Tensor.where(s[0].gt(0), g.mul(scale), g.mul(s[0].exp()).mul(alpha * scale)), x);
    }

    /** {@code x * sigmoid(x)} (SiLU, also called swish). */
    public static Tensor silu(Tensor x) {
        Tensor out = Untracked.run(() -> x.mul(x.sigmoid()));
        // d/dx = s (1 + x (1 - s)) with s = sigmoid(x)
        return Graph.record("SiluBackward0", out, x, (g, s) -> {
            Tensor sig = s[0].sigmoid();
            return g.mul(sig.mul(s[0].mul(sig.rsub(1)).add(1)));
        }, x);
    }

    /** {@code x * tanh(softplus(x))}. */
    public static Tensor mish(Tensor x) {
        Tensor out = Untracked.run(() -> x.mul(x.softplus().tanh()));
        // d/dx = t + x sigmoid(x) (1 - t^2) with t = tanh(softplus(x)), since softplus' = sigmoid
        return Graph.record("MishBackward0", out, x, (g, s) -> {
            Tensor t = s[0].softplus().tanh();
            return g.mul(t.add(s[0].mul(s[0].sigmoid()).mul(t.square().rsub(1))));
        }, x);
    }

    /** x limited to [min, max]; unlike clamp, the gradient passes only strictly inside, as PyTorch's hardtanh. */
    public static Tensor hardtanh(Tensor x, double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("hardtanh: min_val " + min + " is greater than max_val " + max
                    + "; expected min_val <= max_val");
        }
        Tensor out = Untracked.run(() -> x.clamp(min, max));
        return Graph.record("HardtanhBackward0", out, x,
                (g, s) -> Tensor.where(s[0].gt(min).logicalAnd(s[0].lt(max)), g, 0), x);
    }

    /**
     * GELU: {@code approximate} "none" is x * Phi(x) with the exact normal CDF; "tanh" is
     * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
     */
    public static Tensor gelu(Tensor x, String approximate) {
        return switch (approximate) {
            case "none" -> x.gelu();
            case "tanh" -> {
                Tensor out = Untracked.run(() -> tanhGeluInner(x).tanh().add(1).mul(x).mul(0.5));
                // d/dx = (1 + t)/2 + x/2 (1 - t^2) u', u = sqrt(2/pi) (x + c x^3), u' = sqrt(2/pi) (1 + 3 c x^2)
                yield Graph.record("GeluBackward0", out, x, (g, s) -> {
                    Tensor t = tanhGeluInner(s[0]).tanh();
                    Tensor du = s[0].square().mul(3 * GELU_CUBIC).add(1).mul(SQRT_2_OVER_PI);
                    return g.mul(t.add(1).mul(0.5).add(s[0].mul(0.5).mul(t.square().rsub(1)).mul(du)));
                }, x);
            }
            default -> throw new IllegalArgumentException("gelu: approximate must be \"none\" or \"tanh\"; given \""
                    + approximate + "\"");
        };
    }

    private static Tensor tanhGeluInner(Tensor x) {
        return x.add(x.pow(3).mul(GELU_CUBIC)).mul(SQRT_2_OVER_PI);
    }

    /**
     * {@code log(1 + exp(beta x)) / beta}, and x itself where {@code beta x > threshold}. Between 20 and a higher
     * threshold the inner softplus is already linear (it differs from log1p(exp) by less than e^-20 there).
     */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        if (beta == 1 && threshold == 20) return x.softplus();
        Tensor out = Untracked.run(() -> Tensor.where(x.mul(beta).gt(threshold), x, x.mul(beta).softplus().div(beta)));
        // d/dx = sigmoid(beta x) below the threshold, 1 above
        return Graph.record("SoftplusBackward0", out, x,
                (g, s) -> Tensor.where(s[0].mul(beta).gt(threshold), g, g.mul(s[0].mul(beta).sigmoid())), x);
    }
}
