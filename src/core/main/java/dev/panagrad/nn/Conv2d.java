package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Window2d;

import java.util.ArrayList;
import java.util.List;

/**
 * 2-D convolution (cross-correlation, as in PyTorch) with stride, zero padding, dilation and groups. The
 * weight is {@code [out, in/groups, kh, kw]}, the bias {@code [out]}, initialised as PyTorch does.
 *
 * <p>It is computed as im2col (the whole batch as one column matrix {@code [in*kh*kw, N*OH*OW]}) followed by
 * one GEMM per group; the derivative follows from the recorded pieces (GEMMs and col2im), so it is
 * differentiable to any order.
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
        if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("conv2d: input, weight and bias must have one dtype; given "
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
        long n = x4.size(0);

        Tensor cols = Im2col.columns(x4, w);            // [C*kh*kw, N*OH*OW]
        Tensor w2 = weight.reshape(cout, -1);           // [out, C/G*kh*kw]
        Tensor y2;                                      // [out, N*OH*OW]
        if (groups == 1) {
            y2 = product(w2, cols);
        } else {
            long rowsPerGroup = w2.size(1), outPerGroup = cout / groups;
            List<Tensor> parts = new ArrayList<>(groups);
            for (int g = 0; g < groups; g++) {
                parts.add(product(w2.narrow(0, g * outPerGroup, outPerGroup), cols.narrow(0, g * rowsPerGroup, rowsPerGroup)));
            }
            y2 = Tensor.cat(parts, 0);
        }
        Tensor y = y2.view(cout, n, w.outH(), w.outW()).transpose(0, 1);   // NCHW view of the GEMM result
        y = bias == null ? y.contiguous() : y.add(bias.view(cout, 1, 1));   // the bias add writes NCHW contiguously
        return unbatched ? y.squeeze(0) : y;
    }

    /**
     * {@code w2 @ cols} as one node whose derivative is written with tensor ops: {@code d/dw2 = g cols^T} and
     * {@code d/dcols = w2^T g}, each only when needed (the input image often needs none), the latter contiguous
     * as col2im reads it best.
     */
    private static Tensor product(Tensor w2, Tensor cols) {
        Tensor y = w2.detach().mm(cols.detach());
        return Graph.record("ConvolutionBackward0", y, Graph.of(w2, cols), Graph.of(w2, cols), (g, s) -> Graph.of(
                s[0].requiresGrad() ? g.mm(s[1].t()) : null,
                s[1].requiresGrad() ? s[0].t().mm(g) : null));
    }
}
