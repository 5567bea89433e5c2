package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Ops that move elements around without changing them: flip, roll, repeat, tile, the triangles tril/triu
 * and diag. Where a composition of views, cat and index ops expresses an op, its derivative is that
 * composition's, written once there; flip and the triangles record their own nodes.
 *
 * <pre>{@code
 * Tensor r = Tensor.of(1.0, 2.0, 3.0).roll(1, 0);   // [3, 1, 2]
 * Tensor m = x.triu(1);                               // zeros on and below the diagonal
 * }</pre>
 */
public final class Rearranging {
    private Rearranging() {}

    /** The elements in reverse order along each of {@code dims} (a copy, as torch.flip). */
    public static Tensor flip(Tensor x, int... dims) {
        long[] shape = x.shape(), strides = x.strides();
        long offset = x.offset();
        boolean[] seen = new boolean[x.dim()];
        for (int dim : dims) {
            int d = Shape.wrapDim("flip", dim, x.dim());
            if (seen[d]) throw new IllegalArgumentException("flip: dim " + d + " appears multiple times in the list of dims");
            seen[d] = true;
            if (shape[d] == 0) continue;
            offset += (shape[d] - 1) * strides[d];
            strides[d] = -strides[d];
        }
        Tensor out = Tensor.empty(x.dtype(), shape);
        Pointwise.copyRaw(out, x.detach().stridedView(shape, strides, offset));
        int[] flipped = dims.clone();
        return Graph.record("FlipBackward0", out, x, (g, s) -> g.flip(flipped));
    }

    /** Elements shifted by {@code shifts[i]} along {@code dims[i]}, wrapping around (torch.roll). */
    public static Tensor roll(Tensor x, long[] shifts, int[] dims) {
        if (dims.length == 0) {
            if (shifts.length != 1) {
                throw new IllegalArgumentException("roll: expected one shift without dims (the tensor is flattened); "
                        + "given " + shifts.length + " shifts");
            }
            return roll(x.flatten(), shifts, new int[] {0}).view(x.shape());
        }
        if (shifts.length != dims.length) {
            throw new IllegalArgumentException("roll: shifts and dimensions must align. shifts: " + shifts.length
                    + ", dims: " + dims.length);
        }
        int[] wrapped = new int[dims.length];
        for (int i = 0; i < dims.length; i++) wrapped[i] = Shape.wrapDim("roll", dims[i], x.dim());
        Tensor out = Untracked.run(() -> {
            Tensor start = x.detach(), r = start;
            for (int i = 0; i < wrapped.length; i++) {
                int d = wrapped[i];
                long n = x.size(d);
                long s = n == 0 ? 0 : Math.floorMod(shifts[i], n);
                if (s != 0) r = Tensor.cat(List.of(r.narrow(d, n - s, s), r.narrow(d, 0, n - s)), d);
            }
            return r == start ? r.clone() : r;   // cat's output is already a fresh copy
        });
        long[] back = new long[shifts.length];
        for (int i = 0; i < back.length; i++) back[i] = -shifts[i];
        return Graph.record("RollBackward0", out, x, (g, s) -> g.roll(back, wrapped));   // shifting back
    }

    /** The tensor repeated {@code reps[i]} times along each dim (torch.Tensor.repeat; reps may add leading dims). */
    public static Tensor repeat(Tensor x, long... reps) {
        if (reps.length < x.dim()) {
            throw new IllegalArgumentException("repeat: Number of dimensions of repeat dims can not be smaller than "
                    + "number of dimensions of tensor; given repeats " + Arrays.toString(reps) + " for " + x.describe());
        }
        long[] shape = leadingOnes(x.shape(), reps.length);
        long[] spread = new long[2 * reps.length], tiled = new long[2 * reps.length], result = new long[reps.length];
        for (int i = 0; i < reps.length; i++) {
            if (reps[i] < 0) {
                throw new IllegalArgumentException("repeat: repeats must be non-negative; given " + Arrays.toString(reps));
            }
            spread[2 * i] = 1;
            spread[2 * i + 1] = shape[i];
            tiled[2 * i] = reps[i];
            tiled[2 * i + 1] = shape[i];
            result[i] = reps[i] * shape[i];
        }
        // [s0, s1] -> [1, s0, 1, s1] -> expand [r0, s0, r1, s1] -> [r0 s0, r1 s1]
        Tensor out = Untracked.run(() -> x.detach().reshape(spread).expand(tiled).reshape(result));
        int[] copies = new int[reps.length];
        for (int i = 0; i < reps.length; i++) copies[i] = 2 * i;
        long[] in = x.shape();
        // each input element is read once per copy: sum the copies back
        return Graph.record("RepeatBackward0", out, x, (g, s) -> g.reshape(tiled).sum(copies).reshape(in));
    }

    /** As {@link #repeat}, but fewer reps than dims are padded with leading ones (torch.tile). */
    public static Tensor tile(Tensor x, long... reps) {
        return repeat(x, reps.length < x.dim() ? leadingOnes(reps, x.dim()) : reps);
    }

    private static long[] leadingOnes(long[] sizes, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(sizes, 0, out, rank - sizes.length, sizes.length);
        return out;
    }

    /** Zeros above ({@code lower}) or below the diagonal {@code k} of the last two dims (tril / triu). */
    public static Tensor triangle(Tensor x, long k, boolean lower) {
        String op = lower ? "tril" : "triu";
        if (x.dim() < 2) {
            throw new IllegalArgumentException(op + ": input tensor must have at least 2 dimensions; given "
                    + x.describe());
        }
        long rows = x.size(-2), cols = x.size(-1);
        Tensor offset = Tensor.arange(cols).unsqueeze(0).sub(Tensor.arange(rows).unsqueeze(1));   // j - i
        Tensor keep = lower ? offset.le(k) : offset.ge(k);
        Tensor out = Pointwise.where(keep, x.detach(), Tensor.scalar(x.dtype(), 0));
        return Graph.record(lower ? "TrilBackward0" : "TriuBackward0", out, x, (g, s) -> Tensor.where(s[0], g, 0), keep);
    }

    /**
     * torch.diag: a vector becomes a square matrix with it on diagonal {@code k}; a matrix gives its diagonal
     * {@code k} as a vector (k > 0 above the main diagonal).
     */
    public static Tensor diag(Tensor x, long k) {
        if (x.dim() == 1) {
            long n = x.size(0), size = n + Math.abs(k);
            Tensor flat = Tensor.zeros(x.dtype(), size * size);
            return flat.indexAdd(0, diagonalPositions(size, size, k, n), x).view(size, size);
        }
        if (x.dim() == 2) {
            long rows = x.size(0), cols = x.size(1);
            long length = Math.max(0, k >= 0 ? Math.min(rows, cols - k) : Math.min(rows + k, cols));
            return x.reshape(-1).indexSelect(0, diagonalPositions(rows, cols, k, length));
        }
        throw new IllegalArgumentException("diag: expected a 1D or 2D tensor; given " + x.describe());
    }

    /** Row-major positions of the first {@code length} elements of diagonal k of a rows x cols matrix. */
    private static Tensor diagonalPositions(long rows, long cols, long k, long length) {
        long start = k >= 0 ? k : -k * cols;
        return Tensor.arange(DType.INT64, 0, length, 1).mul(cols + 1).add(start);
    }
}
