package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * Group normalisation: the channels of each sample are split into {@code numGroups} groups, and each group
 * is normalised over its channels and positions, {@code y = (x - mean) / sqrt(var + eps) * weight + bias},
 * with the biased variance and per-channel weight and bias (starting at 1 and 0). It behaves the same in
 * training and evaluation.
 *
 * <pre>{@code
 * GroupNorm gn = new GroupNorm(4, 32);
 * Tensor y = gn.forward(Tensor.randn(8, 32, 16, 16));   // each group of 8 channels has mean 0, variance 1
 * }</pre>
 */
public class GroupNorm extends Module {
    private final int numGroups;
    private final long numChannels;
    private final double eps;

    /** eps 1e-5, affine, float32. */
    public GroupNorm(int numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true, DType.FLOAT32);
    }

    /** Every setting. */
    public GroupNorm(int numGroups, long numChannels, double eps, boolean affine, DType dtype) {
        if (numGroups < 1 || numChannels < 1 || numChannels % numGroups != 0 || !(eps > 0)) {
            throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups; given "
                    + "num_groups=" + numGroups + ", num_channels=" + numChannels + ", eps=" + eps
                    + "; expected positive counts and eps > 0");
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        if (affine) {
            registerParameter("weight", Tensor.ones(dtype, numChannels));
            registerParameter("bias", Tensor.zeros(dtype, numChannels));
        }
    }

    /** The per-channel scale {@code [numChannels]}, or null when not affine. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The per-channel shift {@code [numChannels]}, or null when not affine. */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() >= 2 && input.size(1) != numChannels) {
            throw new IllegalArgumentException("GroupNorm: expected " + numChannels + " channels in dim 1; given "
                    + input.describe());
        }
        return groupNorm(input, numGroups, weight(), bias(), eps);
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight() != null ? "True" : "False");
    }

    /**
     * Functional group norm of x {@code [N, C, *]}: each sample's {@code C / numGroups * prod(*)} values of a
     * group are normalised as one row of a {@link LayerNorm#layerNorm layer norm} (whose derivative is
     * differentiable again), then scaled and shifted per channel.
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        if (x.dim() < 2 || !x.dtype().isFloating() || numGroups < 1 || x.size(1) % numGroups != 0) {
            throw new IllegalArgumentException("groupNorm: Expected number of channels in input to be divisible by "
                    + "num_groups, but got input of shape " + x.describe() + " and num_groups=" + numGroups
                    + "; expected a floating input [N, C, *] with C divisible by num_groups");
        }
        long n = x.size(0), c = x.size(1);
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c || t.dtype() != x.dtype())) {
                throw new IllegalArgumentException("groupNorm: weight and bias must be [" + c + "] " + x.dtype()
                        + "; given " + t.describe());
            }
        }
        long row = x.numel() / Math.max(1, n * numGroups);
        Tensor y = LayerNorm.layerNorm(x.reshape(n, numGroups, row), new long[] {row}, null, null, eps)
                .reshape(x.shape());
        long[] channelShape = new long[x.dim() - 1];
        Arrays.fill(channelShape, 1);
        channelShape[0] = c;
        if (weight != null) y = y.mul(weight.view(channelShape));
        if (bias != null) y = y.add(bias.view(channelShape));
        return y;
    }
}
