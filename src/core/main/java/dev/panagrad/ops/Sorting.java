package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.Unique;
import dev.panagrad.ValuesIndices;

import java.util.Arrays;

/**
 * Sorting along a dim (sort, argsort, topk) and unique. The permutation is found on the heap with a stable
 * merge sort per row (NaN sorts above +inf, as in PyTorch; -0 and +0 tie); values are then gathered, and
 * their derivative scatters the gradient back to the positions they came from.
 *
 * <pre>{@code
 * ValuesIndices s = x.sort(1, true);   // descending along dim 1
 * ValuesIndices best = x.topk(3, -1, true, true);
 * }</pre>
 */
public final class Sorting {
    private Sorting() {}

    /** Values sorted along dim with their original positions; ties keep their order. */
    public static ValuesIndices sort(Tensor x, int dim, boolean descending) {
        if (x.dim() == 0) return new ValuesIndices(x.clone(), Tensor.scalar(DType.INT64, 0));
        int d = Shape.wrapDim("sort", dim, x.dim());
        Tensor idx = permutation(x, d, descending);
        return new ValuesIndices(gatherRecorded("SortBackward0", x, d, idx), idx);
    }

    /** The positions that sort x along dim. */
    public static Tensor argsort(Tensor x, int dim, boolean descending) {
        if (x.dim() == 0) return Tensor.scalar(DType.INT64, 0);
        return permutation(x, Shape.wrapDim("argsort", dim, x.dim()), descending);
    }

    /** The k largest (or smallest) values along dim and their positions, in sorted order. */
    public static ValuesIndices topk(Tensor x, long k, int dim, boolean largest) {
        int d = x.dim() == 0 ? 0 : Shape.wrapDim("topk", dim, x.dim());
        long size = x.dim() == 0 ? 1 : x.size(d);
        if (k < 0 || k > size) {
            throw new IndexOutOfBoundsException("topk: selected index k out of range: k is " + k + " for dimension " + d
                    + " of size " + size + "; expected 0 <= k <= " + size);
        }
        if (x.dim() == 0) return sort(x, 0, largest);
        Tensor idx = Pointwise.convertRaw(permutation(x, d, largest).narrow(d, 0, k), DType.INT64);
        return new ValuesIndices(gatherRecorded("TopkBackward0", x, d, idx), idx);
    }

    /** x's elements at idx along d, recorded as one node whose derivative scatters the gradient back. */
    private static Tensor gatherRecorded(String name, Tensor x, int d, Tensor idx) {
        Tensor out;
        try (var off = GradMode.noGrad()) {
            out = x.detach().gather(d, idx);
        }
        long[] shape = x.shape();
        return Graph.record(name, out, x, (g, s) -> Tensor.zeros(g.dtype(), shape).scatterAdd(d, s[0], g), idx);
    }

    /** Sorted order along d as int64 positions, with x's shape. */
    private static Tensor permutation(Tensor x, int d, boolean descending) {
        Tensor rows = x.detach().transpose(d, x.dim() - 1);
        long[] rowsShape = rows.shape();
        double[] v = rows.toDoubleArray();
        int n = (int) x.size(d);
        long[] out = new long[v.length];
        Integer[] order = new Integer[n];
        for (int start = 0; start < v.length; start += n) {
            for (int i = 0; i < n; i++) order[i] = i;
            int base = start;
            Arrays.sort(order, (a, b) -> descending ? compare(v[base + b], v[base + a]) : compare(v[base + a], v[base + b]));
            for (int i = 0; i < n; i++) out[start + i] = order[i];
        }
        return Pointwise.convertRaw(Tensor.of(out, rowsShape).transpose(d, x.dim() - 1), DType.INT64);
    }

    /** Ascending order with NaN above everything and -0 == +0. */
    private static int compare(double a, double b) {
        if (a < b) return -1;
        if (a > b) return 1;
        return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
    }

    /** The distinct values of the flattened tensor in ascending order, with inverse positions and counts. */
    public static Unique unique(Tensor x, boolean returnInverse, boolean returnCounts) {
        double[] v = x.detach().toDoubleArray();
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> compare(v[a], v[b]));
        double[] values = new double[v.length];
        long[] inverse = new long[v.length], counts = new long[v.length];
        int distinct = 0;
        for (int i = 0; i < v.length; i++) {
            double e = v[order[i]];
            if (distinct == 0 || compare(values[distinct - 1], e) != 0) values[distinct++] = e;
            inverse[order[i]] = distinct - 1;
            counts[distinct - 1]++;
        }
        Tensor vals = Tensor.empty(x.dtype(), distinct);
        Pointwise.copyRaw(vals, Tensor.of(DType.FLOAT64, Arrays.copyOf(values, distinct), distinct));
        return new Unique(vals, returnInverse ? Tensor.of(inverse, x.shape()) : null,
                returnCounts ? Tensor.of(Arrays.copyOf(counts, distinct), distinct) : null);
    }
}
