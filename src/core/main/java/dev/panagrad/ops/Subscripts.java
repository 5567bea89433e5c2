package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Index;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Python subscripts: {@code x[0, 1:3, None, ..., idx]}. Integers select, slices and {@code NEW_AXIS} make
 * views; int64 and bool tensors index "advanced"-style as in PyTorch: their broadcast shape replaces the dims
 * they index, in place when those dims are adjacent, else at the front. Integers are plain selects, as in
 * PyTorch (unlike NumPy, they do not count as advanced indices). Writes ({@link #indexPut}) find the flat
 * positions the same subscript reaches in {@code arange(numel)} and put the values there.
 *
 * <pre>{@code
 * Tensor rows = x.index(Tensor.of(0L, 2L));                   // x[[0, 2]]
 * Tensor y = x.indexPut(Tensor.of(0.0), x.lt(0));             // x[x < 0] = 0, out of place
 * }</pre>
 */
public final class Subscripts {
    private Subscripts() {}

    /** {@code x[specs]}: a view when no tensor index is involved, else a copy. */
    public static Tensor index(Tensor x, Object... specs) {
        List<Object> entries = expandEllipsis(x, specs);
        Tensor view = x;
        int d = 0;
        List<Integer> dims = new ArrayList<>();
        List<Tensor> indices = new ArrayList<>();
        for (Object e : entries) {
            if (e instanceof Integer || e instanceof Long) {
                view = view.select(d, ((Number) e).longValue());
            } else if (e instanceof Index i && i.kind() == Index.Kind.NEW_AXIS) {
                view = view.unsqueeze(d++);
            } else if (e instanceof Index i) {
                view = view.slice(d++, i.start(), i.end(), i.step());
            } else if (e instanceof Tensor t && t.dtype() == DType.BOOL) {
                checkMask(view, d, t);
                Tensor coords = Selecting.nonzero(t);
                for (int k = 0; k < t.dim(); k++) {
                    dims.add(d++);
                    indices.add(coords.select(1, k));
                }
            } else {
                dims.add(d);
                indices.add(Selecting.wrap("index", (Tensor) e, view.size(d)));
                d++;
            }
        }
        if (indices.isEmpty()) return view;
        Tensor v = view;
        Tensor out = Untracked.run(() -> advanced(v.detach(), dims, indices));
        long[] shape = x.shape();
        // the adjoint of reading: the gradient added back at the positions read (repeated ones add up)
        return Graph.record("IndexBackward0", out, x, (g, s) -> indexPut(Tensor.zeros(g.dtype(), shape), g, true, specs));
    }

    /** {@code x[specs] = values} out of place ({@code += values} when accumulate), differentiable in x and values. */
    public static Tensor indexPut(Tensor x, Tensor values, boolean accumulate, Object... specs) {
        Tensor positions = index(Selecting.positions(x), specs);
        if (!broadcastsTo(values.shape(), positions.shape())) {
            throw new IllegalArgumentException("index_put: shape mismatch: value tensor of shape "
                    + Shape.str(values.shape()) + " cannot be broadcast to indexing result of shape "
                    + Shape.str(positions.shape()));
        }
        return Selecting.put("index_put", "IndexPutBackward0", x, positions, values, accumulate);
    }

    private static boolean broadcastsTo(long[] from, long[] to) {
        if (from.length > to.length) return false;
        for (int i = 1; i <= from.length; i++) {
            long f = from[from.length - i];
            if (f != 1 && f != to[to.length - i]) return false;
        }
        return true;
    }

    /** The entries with the ellipsis (or the implicit trailing one) replaced by full slices; checks the types. */
    private static List<Object> expandEllipsis(Tensor x, Object[] specs) {
        int consumed = 0, ellipsis = -1;
        for (int i = 0; i < specs.length; i++) {
            Object e = specs[i];
            if (e instanceof Index ix && ix.kind() == Index.Kind.ELLIPSIS) {
                if (ellipsis >= 0) throw new IllegalArgumentException("index: an index can only have a single ellipsis");
                ellipsis = i;
            } else if (e instanceof Integer || e instanceof Long || e instanceof Index ix && ix.kind() == Index.Kind.SLICE) {
                consumed++;
            } else if (e instanceof Tensor t && (t.dtype() == DType.BOOL || t.dtype() == DType.INT64)) {
                consumed += t.dtype() == DType.BOOL ? t.dim() : 1;
            } else if (!(e instanceof Index)) {
                throw new IllegalArgumentException("index: expected int, long, Index or an int64/bool tensor; given "
                        + (e instanceof Tensor t ? "a tensor " + t.describe() : e == null ? "null" : e.getClass().getSimpleName())
                        + " at position " + i);
            }
        }
        if (consumed > x.dim()) {
            throw new IndexOutOfBoundsException("index: too many indices for tensor of dimension " + x.dim() + " ("
                    + consumed + " given)");
        }
        List<Object> out = new ArrayList<>(Arrays.asList(specs));
        if (ellipsis >= 0) out.remove(ellipsis);
        int at = ellipsis >= 0 ? ellipsis : out.size();
        for (int k = 0; k < x.dim() - consumed; k++) out.add(at, Index.ALL);
        return out;
    }

    private static void checkMask(Tensor view, int d, Tensor mask) {
        for (int k = 0; k < mask.dim(); k++) {
            if (d + k >= view.dim() || mask.size(k) != view.size(d + k)) {
                throw new IndexOutOfBoundsException("index: The shape of the mask " + Shape.str(mask.shape())
                        + " at index " + k + " does not match the shape of the indexed tensor "
                        + Shape.str(view.shape()) + " at index " + (d + k));
            }
        }
    }

    /**
     * Gathers along the indexed dims: they are moved together (to the front unless already adjacent), merged
     * into one, and read with one indexSelect at the row-major combination of the broadcast indices.
     */
    private static Tensor advanced(Tensor x, List<Integer> dims, List<Tensor> indices) {
        long[] common = new long[0];
        for (Tensor t : indices) common = Shape.broadcast("index", common, t.shape());
        boolean adjacent = dims.getLast() - dims.getFirst() == dims.size() - 1;
        int at = adjacent ? dims.getFirst() : 0;
        int[] order = new int[x.dim()];
        int k = 0;
        for (int i = 0; i < at; i++) if (!dims.contains(i)) order[k++] = i;
        for (int dim : dims) order[k++] = dim;
        for (int i = at; i < x.dim(); i++) if (!dims.contains(i)) order[k++] = i;
        Tensor moved = x.permute(order);
        Tensor linear = Tensor.zeros(DType.INT64, common);
        long merged = 1;
        for (int i = dims.size() - 1; i >= 0; i--) {
            linear = linear.add(indices.get(i).mul(merged));
            merged *= x.size(dims.get(i));
        }
        long[] shape = moved.shape();
        long[] flatShape = new long[shape.length - dims.size() + 1];
        long[] outShape = new long[shape.length - dims.size() + common.length];
        for (int i = 0; i < at; i++) flatShape[i] = outShape[i] = shape[i];
        flatShape[at] = merged;
        System.arraycopy(common, 0, outShape, at, common.length);
        for (int i = at + dims.size(); i < shape.length; i++) {
            flatShape[i - dims.size() + 1] = shape[i];
            outShape[i - dims.size() + common.length] = shape[i];
        }
        return moved.reshape(flatShape).indexSelect(at, linear.reshape(-1)).reshape(outShape);
    }
}
