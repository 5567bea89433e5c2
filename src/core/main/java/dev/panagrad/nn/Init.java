package dev.panagrad.nn;

import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;

/**
 * Weight initialisation in place, as {@code torch.nn.init}: uniform, normal, constant, Kaiming (He) and
 * Xavier (Glorot), plus the default of PyTorch's Linear and Conv layers. Each fills the tensor without
 * recording autograd and returns it. Fans of a weight {@code [out, in, k...]}: fanIn = in * prod(k),
 * fanOut = out * prod(k).
 *
 * <pre>{@code
 * model.apply(m -> {
 *     if (m instanceof Linear l) {
 *         Init.kaimingNormal_(l.weight(), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, Generator.global());
 *         Init.zeros_(l.bias());
 *     }
 * });
 * }</pre>
 */
public final class Init {
    private Init() {}

    /** Which fan Kaiming initialisation preserves: the forward pass (FAN_IN) or the backward pass (FAN_OUT). */
    public enum FanMode {
        /** Preserve the variance of the activations in the forward pass (the default). */
        FAN_IN,
        /** Preserve the variance of the gradients in the backward pass. */
        FAN_OUT
    }

    /** The activation that follows the initialised layer, for {@link #calculateGain}. */
    public enum Nonlinearity {
        /** No activation: gain 1. */
        LINEAR,
        /** A convolution without activation: gain 1. */
        CONV,
        /** Sigmoid: gain 1. */
        SIGMOID,
        /** Tanh: gain 5/3. */
        TANH,
        /** ReLU: gain sqrt(2). */
        RELU,
        /** Leaky ReLU with a negative slope: gain {@code sqrt(2 / (1 + slope^2))}. */
        LEAKY_RELU,
        /** SELU: gain 3/4. */
        SELU
    }

    /**
     * The recommended gain: 1 for linear, conv and sigmoid; 5/3 for tanh; sqrt(2) for ReLU;
     * sqrt(2 / (1 + slope^2)) for leaky ReLU with negative slope {@code param}; 3/4 for SELU.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, CONV, SIGMOID -> 1;
            case TANH -> 5.0 / 3;
            case RELU -> Math.sqrt(2);
            case LEAKY_RELU -> Math.sqrt(2 / (1 + param * param));
            case SELU -> 0.75;
        };
    }

    /** {fanIn, fanOut} of a weight with at least 2 dims. */
    public static long[] fans(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out can not be computed for a tensor with fewer "
                    + "than 2 dimensions; given " + t.describe());
        }
        long receptive = t.numel() / Math.max(1, t.size(0) * t.size(1));
        return new long[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    /** Values drawn uniformly from [a, b). */
    public static Tensor uniform_(Tensor t, double a, double b, Generator gen) {
        return fill(t, gen.rand(t.dtype(), t.shape()).mul(b - a).add(a));
    }

    /** Values drawn from N(mean, std^2). */
    public static Tensor normal_(Tensor t, double mean, double std, Generator gen) {
        return fill(t, gen.randn(t.dtype(), t.shape()).mul(std).add(mean));
    }

    /** Every element set to {@code value}. */
    public static Tensor constant_(Tensor t, double value) {
        try (var off = GradMode.noGrad()) {
            return t.fill_(value);
        }
    }

    /** Every element set to 0. */
    public static Tensor zeros_(Tensor t) {
        return constant_(t, 0);
    }

    /** Every element set to 1. */
    public static Tensor ones_(Tensor t) {
        return constant_(t, 1);
    }

    /** Kaiming uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan). */
    public static Tensor kaimingUniform_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        double bound = Math.sqrt(3) * kaimingStd(t, a, mode, nonlinearity);
        return uniform_(t, -bound, bound, gen);
    }

    /** Kaiming normal: N(0, std^2) with std = gain / sqrt(fan). */
    public static Tensor kaimingNormal_(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator gen) {
        return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity), gen);
    }

    private static double kaimingStd(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        long[] f = fans(t);
        long fan = mode == FanMode.FAN_IN ? f[0] : f[1];
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /** Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform_(Tensor t, double gain, Generator gen) {
        double bound = Math.sqrt(3) * xavierStd(t, gain);
        return uniform_(t, -bound, bound, gen);
    }

    /** Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal_(Tensor t, double gain, Generator gen) {
        return normal_(t, 0, xavierStd(t, gain), gen);
    }

    private static double xavierStd(Tensor t, double gain) {
        long[] f = fans(t);
        return gain * Math.sqrt(2.0 / (f[0] + f[1]));
    }

    /**
     * PyTorch's default for Linear and Conv layers: the weight from Kaiming uniform with a = sqrt(5) (which is
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn))) and the bias, if any, from U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    public static void layerDefault_(Tensor weight, Tensor bias, Generator gen) {
        kaimingUniform_(weight, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, gen);
        if (bias != null) {
            long fanIn = fans(weight)[0];
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
            uniform_(bias, -bound, bound, gen);
        }
    }

    private static Tensor fill(Tensor t, Tensor values) {
        try (var off = GradMode.noGrad()) {
            return t.copy_(values);
        }
    }
}
