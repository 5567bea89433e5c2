package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Window2d;

import java.util.ArrayList;
import java.util.List;

/**
 * 2-D transposed convolution (the adjoint of {@link Conv2d}, sometimes called deconvolution): every input
 * pixel scatters its weighted kernel into the output. The weight is {@code [in, out/groups, kh, kw]} and the
 * bias {@code [out]}, initialised as PyTorch does; the output size is
 * {@code (H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1}.
 *
 * <p>It is computed as one GEMM per group, {@code cols = weight^T x}, followed by col2im into the output
 * image; both are recorded, so it is differentiable to any order.
 *
 * <pre>{@code
 * ConvTranspose2d up = new ConvTranspose2d(32, 16, 2, 2, 0);   // doubles height and width
 * Tensor y = up.forward(Tensor.randn(8, 32, 7, 7));            // [8, 16, 14, 14]
 * }</pre>
 */
public class ConvTranspose2d extends WeightAndBias {
    private final long inChannels, outChannels;
    private final int[] kernelSize, stride, padding, outputPadding, dilation;
    private final int groups;

    /** A square kernel with stride 1, no padding, bias. */
    public ConvTranspose2d(long inChannels, long outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    /** A square kernel with the given stride and padding, bias. */
    public ConvTranspose2d(long inChannels, long outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, Windows.pair(kernelSize), Windows.pair(stride), Windows.pair(padding),
                Windows.pair(0), 1, true, Windows.pair(1), DType.FLOAT32);
    }

    /** Every setting as {height, width} pairs, in PyTorch's order, with the parameter dtype. */
    public ConvTranspose2d(long inChannels, long outChannels, int[] kernelSize, int[] stride, int[] padding,
                           int[] outputPadding, int groups, boolean bias, int[] dilation, DType dtype) {
        this.kernelSize = Windows.checkPair("ConvTranspose2d", "kernel_size", kernelSize, 1);
        this.stride = Windows.checkPair("ConvTranspose2d", "stride", stride, 1);
        this.padding = Windows.checkPair("ConvTranspose2d", "padding", padding, 0);
        this.dilation = Windows.checkPair("ConvTranspose2d", "dilation", dilation, 1);
        this.outputPadding = checkOutputPadding("ConvTranspose2d", outputPadding, this.stride, this.dilation);
        Windows.checkGroups("ConvTranspose2d", inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        // PyTorch's fan-in of this weight is dim 1 times the kernel, as Init.fans computes it
        registerWeightAndBias(new long[] {inChannels, outChannels / groups, kernelSize[0], kernelSize[1]}, bias,
                outChannels, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        return convTranspose2d(input, weight(), bias(), stride, padding, outputPadding, groups, dilation);
    }

    @Override
    protected String extraRepr() {
        return Windows.convRepr(inChannels, outChannels, Windows.str(kernelSize), Windows.str(stride),
                Windows.strUnlessDefault(padding, 0), Windows.strUnlessDefault(outputPadding, 0),
                Windows.strUnlessDefault(dilation, 1), groups, bias() != null);
    }

    /** Transposed convolution with a square stride and padding, no output padding or dilation, one group. */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return convTranspose2d(x, weight, bias, Windows.pair(stride), Windows.pair(padding), Windows.pair(0), 1,
                Windows.pair(1));
    }

    /**
     * {@code y[n, o, h*sh - ph + i*dh, w*sw - pw + j*dw] += b[o] + x[n, c, h, w] * weight[c, o - g*O/G, i, j]} for x
     * {@code [N, C, H, W]} (or unbatched {@code [C, H, W]}), c in group g: the adjoint of {@link Conv2d#conv2d}
     * with the same settings, plus the bias. Arguments in the order of PyTorch's {@code conv_transpose2d}.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        Windows.checkImage("convTranspose2d", x);
        int[] st = Windows.checkPair("convTranspose2d", "stride", stride, 1);
        int[] pad = Windows.checkPair("convTranspose2d", "padding", padding, 0);
        int[] dil = Windows.checkPair("convTranspose2d", "dilation", dilation, 1);
        int[] outPad = checkOutputPadding("convTranspose2d", outputPadding, st, dil);
        long cin = x.size(-3);
        if (weight.dim() != 4 || groups < 1 || weight.size(0) != cin || cin % groups != 0) {
            throw new IllegalArgumentException("convTranspose2d: weight " + weight.describe() + " with groups="
                    + groups + " does not fit input " + x.describe() + "; expected weight [in, out/groups, kh, kw] "
                    + "with in = " + cin + " divisible by groups");
        }
        if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException("convTranspose2d: input, weight and bias must have one dtype; given "
                    + x.describe() + ", " + weight.describe() + (bias == null ? "" : ", " + bias.describe()));
        }
        long cout = weight.size(1) * groups;
        if (bias != null && (bias.dim() != 1 || bias.size(0) != cout)) {
            throw new IllegalArgumentException("convTranspose2d: bias must be [" + cout + "]; given " + bias.describe());
        }
        long kh = weight.size(2), kw = weight.size(3), h = x.size(-2), w = x.size(-1);
        long outH = (h - 1) * st[0] - 2L * pad[0] + dil[0] * (kh - 1) + outPad[0] + 1;
        long outW = (w - 1) * st[1] - 2L * pad[1] + dil[1] * (kw - 1) + outPad[1] + 1;
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("convTranspose2d: given input " + x.describe() + ", weight "
                    + weight.describe() + " and padding " + Windows.str(pad) + ", the calculated output size ["
                    + outH + ", " + outW + "] is too small; expected at least [1, 1]");
        }
        // the convolution that maps the output image back onto the input grid; with output padding >= stride
        // it sees more positions than the input has, and those read zeros
        Window2d win = new Window2d(outH, outW, kh, kw, st[0], st[1], pad[0], pad[1], dil[0], dil[1]);
        boolean unbatched = x.dim() == 3;
        Tensor x4 = padTo(unbatched ? x.unsqueeze(0) : x, win.outH(), win.outW());
        long n = x4.size(0);
        Tensor x2 = x4.transpose(0, 1).reshape(cin, -1);               // [in, N*H*W]
        Tensor w2 = weight.reshape(cin, -1);                             // [in, out/G*kh*kw]
        Tensor cols;                                                     // [out*kh*kw, N*H*W]
        if (groups == 1) {
            cols = w2.t().mm(x2);
        } else {
            long inPerGroup = cin / groups;
            List<Tensor> parts = new ArrayList<>(groups);
            for (int g = 0; g < groups; g++) {
                parts.add(w2.narrow(0, g * inPerGroup, inPerGroup).t().mm(x2.narrow(0, g * inPerGroup, inPerGroup)));
            }
            cols = Tensor.cat(parts, 0);
        }
        Tensor y = Im2col.image(cols, win, new long[] {n, cout, outH, outW});
        if (bias != null) y = y.add(bias.view(cout, 1, 1));
        return unbatched ? y.squeeze(0) : y;
    }

    /** x {@code [N, C, H, W]} with zero rows and columns appended up to {@code [N, C, h, w]}. */
    private static Tensor padTo(Tensor x, long h, long w) {
        if (x.size(2) < h) {
            x = Tensor.cat(List.of(x, Tensor.zeros(x.dtype(), x.size(0), x.size(1), h - x.size(2), x.size(3))), 2);
        }
        if (x.size(3) < w) {
            x = Tensor.cat(List.of(x, Tensor.zeros(x.dtype(), x.size(0), x.size(1), x.size(2), w - x.size(3))), 3);
        }
        return x;
    }

    private static int[] checkOutputPadding(String op, int[] outputPadding, int[] stride, int[] dilation) {
        int[] p = Windows.checkPair(op, "output_padding", outputPadding, 0);
        for (int d = 0; d < 2; d++) {
            if (p[d] >= stride[d] && p[d] >= dilation[d]) {
                throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or "
                        + "dilation, but got output_padding " + Windows.str(p) + ", stride " + Windows.str(stride)
                        + ", dilation " + Windows.str(dilation));
            }
        }
        return p;
    }
}
