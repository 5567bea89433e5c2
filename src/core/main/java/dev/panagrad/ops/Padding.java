package dev.panagrad.ops;

import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * torch.nn.functional.pad: {@code pads} lists (before, after) pairs starting from the last dim, as in PyTorch.
 * Each padded dim is a concatenation of the input with constant blocks, mirrored slices (reflect), repeated
 * edges (replicate) or the opposite end (circular), so the derivative is that of cat, narrow and flip.
 * Negative constant padding crops.
 *
 * <pre>{@code
 * Tensor y = Padding.pad(x, new long[] {1, 1, 2, 0}, "reflect", 0);   // last dim +1 each side, the one before +2 in front
 * }</pre>
 */
public final class Padding {
    private Padding() {}

    /** Pads x; {@code mode} is "constant" (with {@code value}), "reflect", "replicate" or "circular". */
    public static Tensor pad(Tensor x, long[] pads, String mode, double value) {
        if (pads.length % 2 != 0 || pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: Padding length must be divisible by 2 and at most twice the number"
                    + " of dimensions of the input; given " + Arrays.toString(pads) + " for " + x.describe());
        }
        if (!List.of("constant", "reflect", "replicate", "circular").contains(mode)) {
            throw new IllegalArgumentException("pad: Unrecognised padding mode " + mode
                    + "; expected constant, reflect, replicate or circular");
        }
        Tensor out = x;
        for (int i = 0; i < pads.length / 2; i++) {
            int d = x.dim() - 1 - i;
            out = padDim(out, d, pads[2 * i], pads[2 * i + 1], mode, value);
        }
        return out == x ? x.clone() : out;
    }

    private static Tensor padDim(Tensor x, int d, long before, long after, String mode, double value) {
        long n = x.size(d);
        if (!mode.equals("constant")) {
            long limit = mode.equals("reflect") ? n - 1 : mode.equals("circular") ? n : Long.MAX_VALUE;
            if (before < 0 || after < 0 || before > limit || after > limit || n == 0) {
                throw new IllegalArgumentException("pad: " + mode + " padding of (" + before + ", " + after + ") is "
                        + "invalid for dimension " + d + " of size " + n + "; expected non-negative sizes"
                        + (mode.equals("reflect") ? " less than the dimension's size" : mode.equals("circular")
                        ? " at most the dimension's size" : "") + " on a non-empty dimension");
            }
        }
        if (before < 0 || after < 0) {   // constant: negative padding crops
            long lo = Math.max(0, -before), hi = Math.max(0, -after);
            if (lo + hi > n) {
                throw new IllegalArgumentException("pad: negative padding (" + before + ", " + after + ") removes more"
                        + " than the " + n + " elements of dimension " + d);
            }
            x = x.narrow(d, lo, n - lo - hi);
            n = x.size(d);
            before = Math.max(0, before);
            after = Math.max(0, after);
        }
        if (before == 0 && after == 0) return x;
        List<Tensor> parts = new ArrayList<>(3);
        if (before > 0) parts.add(edge(x, d, n, before, true, mode, value));
        parts.add(x);
        if (after > 0) parts.add(edge(x, d, n, after, false, mode, value));
        return Tensor.cat(parts, d);
    }

    /** The block of {@code size} elements added before (front) or after the input along d. */
    private static Tensor edge(Tensor x, int d, long n, long size, boolean front, String mode, double value) {
        long[] shape = x.shape();
        shape[d] = size;
        return switch (mode) {
            case "constant" -> Tensor.full(x.dtype(), value, shape);
            case "reflect" -> x.narrow(d, front ? 1 : n - 1 - size, size).flip(d);
            case "replicate" -> x.narrow(d, front ? 0 : n - 1, 1).expand(shape);
            default -> x.narrow(d, front ? n - size : 0, size);   // circular
        };
    }
}
