package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

/**
 * 1-D convolution (cross-correlation, as in PyTorch) over {@code [N, C, L]} with stride, zero padding,
 * dilation and groups. The weight is {@code [out, in/groups, k]}, the bias {@code [out]}, initialised as
 * PyTorch does. It runs as {@link Conv2d#conv2d} over an image of height 1, so it shares that layer's kernels
 * and its derivatives of every order.
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(16, 32, 5, 1, 2);              // kernel 5, stride 1, padding 2
 * Tensor y = conv.forward(Tensor.randn(8, 16, 100));      // [8, 32, 100]
 * }</pre>
 */
public class Conv1d extends WeightAndBias {
    private final long inChannels, outChannels;
    private final int kernelSize, stride, padding, dilation, groups;

    /** Stride 1, no padding, bias. */
    public Conv1d(long inChannels, long outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    /** The given stride and padding, no dilation, one group, bias. */
    public Conv1d(long inChannels, long outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, DType.FLOAT32);
    }

    /** Every setting, with the parameter dtype. */
    public Conv1d(long inChannels, long outChannels, int kernelSize, int stride, int padding, int dilation,
                  int groups, boolean bias, DType dtype) {
        checkSettings("Conv1d", kernelSize, stride, padding, dilation);
        Windows.checkGroups("Conv1d", inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        registerWeightAndBias(new long[] {outChannels, inChannels / groups, kernelSize}, bias, outChannels, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        return conv1d(input, weight(), bias(), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        return Windows.convRepr(inChannels, outChannels, tuple(kernelSize), tuple(stride),
                padding == 0 ? null : tuple(padding), null, dilation == 1 ? null : tuple(dilation), groups, bias() != null);
    }

    /** A one-element tuple as PyTorch prints it: {@code (3,)}. */
    private static String tuple(int v) {
        return "(" + v + ",)";
    }

    /**
     * {@code y[n, o, t] = b[o] + sum_{c, j} w[o, c, j] * x[n, g*C/G + c, t*stride - padding + j*dilation]} for x
     * {@code [N, C, L]} (or unbatched {@code [C, L]}), o in group g.
     */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("conv1d: expected input of 2 or 3 dims [N, C, L], got "
                    + Shape.str(x.shape()) + " (Expected 2D (unbatched) or 3D (batched) input to conv1d)");
        }
        if (weight.dim() != 3) {
            throw new IllegalArgumentException("conv1d: expected weight of 3 dims [out, in/groups, k], got "
                    + Shape.str(weight.shape()));
        }
        checkSettings("conv1d", (int) weight.size(2), stride, padding, dilation);
        if (groups < 1 || x.size(-2) != weight.size(1) * groups || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv1d: weight " + weight.describe() + " with groups=" + groups
                    + " does not fit input " + x.describe() + "; expected weight [out, in/groups, k] with in = "
                    + x.size(-2) + " and out divisible by groups");
        }
        long span = (long) dilation * (weight.size(2) - 1) + 1;
        if (x.size(-1) + 2L * padding < span) {
            throw new IllegalArgumentException("conv1d: kernel size can't be greater than actual input size: input "
                    + x.describe() + " padded by " + padding + " is shorter than the dilated kernel (" + span
                    + "); expected an output of length at least 1");
        }
        Tensor y = Conv2d.conv2d(x.unsqueeze(-2), weight.unsqueeze(2), bias, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, dilation}, groups);
        return y.squeeze(-2);
    }

    private static void checkSettings(String op, int kernelSize, int stride, int padding, int dilation) {
        if (kernelSize < 1 || stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException(op + ": expected kernel_size >= 1, stride >= 1, padding >= 0 and "
                    + "dilation >= 1; given kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding
                    + ", dilation=" + dilation);
        }
    }
}
