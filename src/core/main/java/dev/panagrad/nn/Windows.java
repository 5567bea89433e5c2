package dev.panagrad.nn;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.Window2d;

/** Argument checks shared by the 2-D convolution and pooling layers. */
final class Windows {
    private Windows() {}

    /** Elements of work per thread below which window ops stay on the caller's thread. */
    static final long GRAIN = 1 << 15;

    /** {@code {v, v}}. */
    static int[] pair(int v) {
        return new int[] {v, v};
    }

    /** Checks that {@code v} is an {height, width} pair with both values at least {@code min}. */
    static int[] checkPair(String op, String what, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(op + ": " + what + " must be two values >= " + min + " (height, width); "
                    + "given " + (v == null ? "null" : java.util.Arrays.toString(v)));
        }
        return v.clone();
    }

    /** Checks a 3-D {@code [C, H, W]} or 4-D {@code [N, C, H, W]} input. */
    static void checkImage(String op, Tensor x) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input; given "
                    + x.describe());
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating input; given " + x.describe());
        }
    }

    /**
     * The window over the last two dims of x; throws when the input plane is empty, when the output would be
     * empty, and (for pooling, whose output is taken from the input) when a window covers padding alone.
     */
    static Window2d window(String op, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (x.size(-2) == 0 || x.size(-1) == 0) {
            throw new IllegalArgumentException(op + ": expected an input with non-zero height and width (only the "
                    + "batch and channel sizes may be 0); given " + x.describe());
        }
        Window2d w = new Window2d(x.size(-2), x.size(-1), kernel[0], kernel[1], stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1]);
        if (w.outH() <= 0 || w.outW() <= 0) {
            throw new IllegalArgumentException(op + ": kernel size can't be greater than actual input size: input "
                    + x.describe() + " padded by " + str(padding) + " is smaller than the dilated kernel "
                    + str(kernel) + " with dilation " + str(dilation) + "; expected an output of at least 1x1");
        }
        if (!op.equals("conv2d")) {
            requireInputInEveryWindow(op, "height", w.outH(), stride[0], padding[0], dilation[0], kernel[0], x.size(-2));
            requireInputInEveryWindow(op, "width", w.outW(), stride[1], padding[1], dilation[1], kernel[1], x.size(-1));
        }
        return w;
    }

    /** Checks along one axis that each of {@code outs} windows has a tap in {@code [0, size)}. */
    private static void requireInputInEveryWindow(String op, String axis, long outs, long stride, long pad,
                                                  long dilation, long kernel, long size) {
        for (long o = 0; o < outs; o++) {
            long start = o * stride - pad;
            long first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;   // first tap at or after 0
            if (first >= kernel || start + first * dilation >= size) {
                throw new IllegalArgumentException(op + ": output " + axis + " position " + o + " pools a window of "
                        + "padding alone (input " + axis + " " + size + ", kernel " + kernel + ", stride " + stride
                        + ", padding " + pad + ", dilation " + dilation + "); expected every window to cover input");
            }
        }
    }

    /** {@code (a, b)} as PyTorch prints tuples. */
    static String str(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }

    /** Checks that {@code groups} divides both channel counts of a convolution layer. */
    static void checkGroups(String op, long inChannels, long outChannels, int groups) {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(op + ": in_channels (" + inChannels + ") and out_channels ("
                    + outChannels + ") must be divisible by groups (" + groups + "); expected groups >= 1 dividing both");
        }
    }

    /**
     * A convolution layer's settings as PyTorch prints them; the optional ones ({@code padding},
     * {@code outputPadding}, {@code dilation}, as printed tuples) are null when they have their default.
     */
    static String convRepr(long in, long out, String kernel, String stride, String padding, String outputPadding,
                           String dilation, int groups, boolean bias) {
        StringBuilder sb = new StringBuilder().append(in).append(", ").append(out).append(", kernel_size=")
                .append(kernel).append(", stride=").append(stride);
        if (padding != null) sb.append(", padding=").append(padding);
        if (outputPadding != null) sb.append(", output_padding=").append(outputPadding);
        if (dilation != null) sb.append(", dilation=").append(dilation);
        if (groups != 1) sb.append(", groups=").append(groups);
        if (!bias) sb.append(", bias=False");
        return sb.toString();
    }

    /** A pair as PyTorch prints it, or null when both values equal {@code dflt}. */
    static String strUnlessDefault(int[] v, int dflt) {
        return v[0] == dflt && v[1] == dflt ? null : str(v);
    }
}
