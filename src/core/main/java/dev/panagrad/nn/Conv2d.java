package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Window2d;


/**
 * 2-D convolution (cross-correlation, as in PyTorch) with stride, zero padding, dilation and groups. The
 * weight is {@code [out, in/groups, kh, kw]}, the bias {@code [out]}, initialised as PyTorch does.
 *
 * <p>It is computed image by image as im2col followed by one GEMM per group, the images split over the
 * library's threads ({@link Convolution}); the derivative is differentiable to any order.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(1, 32, 3, 1, 1);         // 3x3, stride 1, padding 1
 * Tensor y = conv.forward(Tensor.randn(8, 1, 28, 28));   // [8, 32, 28, 28]
 * }</pre>
 */
public class Conv2d extends WeightAndBias {
    private final long inChannels, outChannels;
    private final int[] kernelSize, stride, padding, dilation;
    private final int groups;

    /** A square kernel with stride 1, no padding, bias. */
    public Conv2d(long inChannels, long outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    /** A square kernel with the given stride and padding, bias. */
    public Conv2d(long inChannels, long outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, Windows.pair(kernelSize), Windows.pair(stride), Windows.pair(padding),
                Windows.pair(1), 1, true, DType.FLOAT32);
    }

    /** Every setting as {height, width} pairs, with the parameter dtype. */
    public Conv2d(long inChannels, long outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, DType dtype) {
        this.kernelSize = Windows.checkPair("Conv2d", "kernel_size", kernelSize, 1);
        this.stride = Windows.checkPair("Conv2d", "stride", stride, 1);
        this.padding = Windows.checkPair("Conv2d", "padding", padding, 0);
        this.dilation = Windows.checkPair("Conv2d", "dilation", dilation, 1);
        Windows.checkGroups("Conv2d", inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        registerWeightAndBias(new long[] {outChannels, inChannels / groups, kernelSize[0], kernelSize[1]}, bias,
                outChannels, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        return conv2d(input, weight(), bias(), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(Windows.str(kernelSize)).append(", stride=").append(Windows.str(stride));
        if (padding[0] != 0 || padding[1] != 0) sb.append(", padding=").append(Windows.str(padding));
        if (dilation[0] != 1 || dilation[1] != 1) sb.append(", dilation=").append(Windows.str(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias() == null) sb.append(", bias=False");
        return sb.toString();
    }

    /** Convolution with a square stride and padding, no dilation, one group. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, Windows.pair(stride), Windows.pair(padding), Windows.pair(1), 1);
    }

    /**
     * {@code y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, g*C/G + c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]}
     * for x {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}), o in group g.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        Windows.checkImage("conv2d", x);
        int[] st = Windows.checkPair("conv2d", "stride", stride, 1);
        int[] pad = Windows.checkPair("conv2d", "padding", padding, 0);
        int[] dil = Windows.checkPair("conv2d", "dilation", dilation, 1);
        long cin = x.size(-3);
        if (weight.dim() != 4 || groups < 1 || cin != weight.size(1) * groups || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv2d: weight " + weight.describe() + " with groups=" + groups
                    + " does not fit input " + x.describe() + "; expected weight [out, in/groups, kh, kw] with in = "
                    + cin + " and out divisible by groups");
        }
        if (!x.dtype().isFloating() || weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("conv2d: input, weight and bias must have one floating dtype; given "
                    + x.describe() + ", " + weight.describe() + (bias == null ? "" : ", " + bias.describe()));
        }
        long cout = weight.size(0);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException("conv2d: bias must be [" + cout + "]; given " + bias.describe());
        }
        int[] kernel = {(int) weight.size(2), (int) weight.size(3)};
        Window2d w = Windows.window("conv2d", x, kernel, st, pad, dil);
        boolean unbatched = x.dim() == 3;
        Tensor x4 = unbatched ? x.unsqueeze(0) : x;
        Tensor y = Convolution.conv2d(x4, weight, bias, w, groups);
        return unbatched ? y.squeeze(0) : y;
    }
}
