package dev.panagrad.ops;

import dev.panagrad.Graph;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * Ops that return a new view of the same storage (no copy), each with its derivative. Only
 * {@link #reshape} copies, and only when no view can express the new shape.
 *
 * <pre>{@code
 * Tensor t = Tensor.arange(6).view(2, 3).transpose(0, 1);   // shares storage with the arange
 * }</pre>
 */
public final class Views {
    private Views() {}

    private static Tensor recordView(String name, Tensor out, Tensor x, Graph.UnaryDerivative d) {
        return Graph.record(name, out, x, d).markViewOf(x);
    }

    /** A view with a new shape; throws when the strides do not allow one. */
    public static Tensor view(Tensor x, long... newShape) {
        long[] shape = inferShape("view", x, newShape);
        long[] strides = viewStrides(x.shape(), x.strides(), shape);
        if (strides == null) {
            throw new IllegalArgumentException("view: view size is not compatible with input tensor's size and stride"
                    + " (at least one dimension spans across two contiguous subspaces): input " + x.describe()
                    + " with strides " + Shape.str(x.strides()) + ", requested " + Shape.str(shape)
                    + "; use reshape(...) instead");
        }
        long[] in = x.shape();
        return recordView("ViewBackward0", x.stridedView(shape, strides, x.offset()), x, (g, s) -> g.reshape(in));
    }

    /** A view with a new shape when possible, else a contiguous copy reshaped. */
    public static Tensor reshape(Tensor x, long... newShape) {
        long[] shape = inferShape("reshape", x, newShape);
        if (viewStrides(x.shape(), x.strides(), shape) != null) return view(x, shape);
        return view(x.clone(), shape);
    }

    /** A view of x with dimensions dim0 and dim1 swapped. */
    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.dim();
        int a = Shape.wrapDim("transpose", dim0, r), b = Shape.wrapDim("transpose", dim1, r);
        if (r == 0) return x;
        long[] shape = x.shape(), strides = x.strides();
        swap(shape, a, b);
        swap(strides, a, b);
        return recordView("TransposeBackward0", x.stridedView(shape, strides, x.offset()), x,
                (g, s) -> g.transpose(a, b));
    }

    /** The transpose of a matrix, recorded as TBackward0 (PyTorch's name for {@code t()}); 0-D and 1-D x unchanged. */
    public static Tensor t(Tensor x) {
        if (x.dim() != 2) return x.dim() < 2 ? x : transpose(x, 0, 1);
        long[] shape = x.shape(), strides = x.strides();
        return recordView("TBackward0", x.stridedView(new long[] {shape[1], shape[0]},
                new long[] {strides[1], strides[0]}, x.offset()), x, (g, s) -> g.t());
    }

    /** A view of x with its dimensions reordered: dimension i of the result is dimension {@code dims[i]} of x. */
    public static Tensor permute(Tensor x, int... dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: number of dims don't match: tensor has rank " + r + ", given "
                    + dims.length + " dims " + Arrays.toString(dims) + "; expected a permutation of all dims");
        }
        long[] shape = x.shape(), strides = x.strides(), ns = new long[r], nst = new long[r];
        int[] inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shape.wrapDim("permute", dims[i], r);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: repeated dim " + d + " in " + Arrays.toString(dims)
                        + "; expected each dim once");
            }
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        return recordView("PermuteBackward0", x.stridedView(ns, nst, x.offset()), x, (g, s) -> g.permute(inverse));
    }

    /** A view of x without its dimensions of size 1. */
    public static Tensor squeeze(Tensor x) {
        long[] shape = x.shape(), strides = x.strides();
        int n = 0;
        for (long s : shape) if (s != 1) n++;
        long[] ns = new long[n], nst = new long[n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            ns[j] = shape[i];
            nst[j++] = strides[i];
        }
        long[] in = x.shape();
        return recordView("SqueezeBackward0", x.stridedView(ns, nst, x.offset()), x, (g, s) -> g.reshape(in));
    }

    /** A view of x without dimension dim if its size is 1 (x itself otherwise). */
    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.wrapDim("squeeze", dim, x.dim());
        if (x.dim() == 0 || x.size(d) != 1) return x;
        long[] shape = remove(x.shape(), d), strides = remove(x.strides(), d);
        return recordView("SqueezeBackward1", x.stridedView(shape, strides, x.offset()), x,
                (g, s) -> g.unsqueeze(d));
    }

    /** A view of x with a new dimension of size 1 inserted at dim. */
    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.wrapDim("unsqueeze", dim, x.dim() + 1);
        long[] shape = x.shape(), strides = x.strides();
        // any stride serves a size-1 dim; PyTorch's choice, saturated where an empty tensor's would overflow
        long stride = d < shape.length ? Shape.saturatingMultiply(Math.abs(strides[d]), shape[d]) : 1;
        return recordView("UnsqueezeBackward0",
                x.stridedView(insert(shape, d, 1), insert(strides, d, stride), x.offset()), x,
                (g, s) -> g.squeeze(d));
    }

    /** Broadcasts to a larger shape without copying (stride 0 along repeated dims). */
    public static Tensor expand(Tensor x, long... newShape) {
        long[] shape = x.shape();
        if (Arrays.equals(shape, newShape)) return x;
        long[] strides = x.strides();
        int n = newShape.length, lead = n - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("expand: the number of sizes provided (" + n + ") must be greater or "
                    + "equal to the number of dimensions in the tensor (" + shape.length + "); given "
                    + Shape.str(newShape) + " for " + x.describe());
        }
        long[] ns = new long[n], nst = new long[n];
        for (int i = 0; i < n; i++) {
            long want = newShape[i];
            if (i < lead) {
                if (want < 0) throw expandError(x, newShape, i);
                ns[i] = want;
                nst[i] = 0;
                continue;
            }
            long have = shape[i - lead];
            if (want == -1 || want == have) {
                ns[i] = have;
                nst[i] = strides[i - lead];
            } else if (have == 1 && want >= 0) {
                ns[i] = want;
                nst[i] = 0;
            } else {
                throw expandError(x, newShape, i);
            }
        }
        Shape.numel("expand", ns);
        long[] in = x.shape();
        return recordView("ExpandBackward0", x.stridedView(ns, nst, x.offset()), x, (g, s) -> g.sumTo(in));
    }

    private static IllegalArgumentException expandError(Tensor x, long[] newShape, int i) {
        return new IllegalArgumentException("expand: the expanded size " + newShape[i] + " must match the existing "
                + "size at non-singleton dimension " + i + "; tensor " + x.describe() + ", target "
                + Shape.str(newShape));
    }

    /** {@code length} elements of a dim from {@code start} (negative counts from the end), strictly inside the dim. */
    public static Tensor narrow(Tensor x, int dim, long start, long length) {
        int d = Shape.wrapDim("narrow", dim, requireDims("narrow", x));
        long size = x.size(d);
        if (start < -size || start > size) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " is out of range for dimension " + d
                    + " with size " + size + " of " + x.describe() + "; expected start in [" + (-size) + ", " + size + "]");
        }
        long s = start < 0 ? start + size : start;
        if (length < 0 || length > size - s) {
            throw new IndexOutOfBoundsException("narrow: start (" + s + ") + length (" + length + ") exceeds dimension "
                    + "size (" + size + ") of " + x.describe() + "; expected 0 <= length <= " + (size - s));
        }
        return slice(x, d, s, s + length, 1);
    }

    /** Python's {@code x[start:end:step]} along one dim; start and end are clamped like Python's. */
    public static Tensor slice(Tensor x, int dim, long start, long end, long step) {
        int d = Shape.wrapDim("slice", dim, requireDims("slice", x));
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive; given " + step);
        long size = x.size(d);
        long lo = clampIndex(start, size), hi = Math.max(lo, clampIndex(end, size));
        long len = hi == lo ? 0 : (hi - lo - 1) / step + 1;   // ceil((hi - lo) / step) without overflow
        long[] shape = x.shape(), strides = x.strides();
        shape[d] = len;
        long offset = len == 0 ? x.offset() : x.offset() + lo * strides[d];
        if (len > 1) strides[d] = Math.multiplyExact(strides[d], step);   // step < size: bounded by the storage
        long[] in = x.shape();
        return recordView("SliceBackward0", x.stridedView(shape, strides, offset), x,
                (g, s) -> embed(g, in, d, lo, step));
    }

    /** The sub-tensor at {@code index} (negative counts from the end); the dim disappears. */
    public static Tensor select(Tensor x, int dim, long index) {
        int d = Shape.wrapDim("select", dim, requireDims("select", x));
        long size = x.size(d);
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of bounds for dimension " + d
                    + " with size " + size + "; expected " + (size == 0
                    ? "a dimension of size > 0 (it has no index)" : "an index in [" + (-size) + ", " + (size - 1) + "]"));
        }
        long i = index < 0 ? index + size : index;
        long offset = x.offset() + i * x.strides()[d];
        long[] in = x.shape();
        return recordView("SelectBackward0", x.stridedView(remove(x.shape(), d), remove(x.strides(), d), offset), x,
                (g, s) -> embed(g.unsqueeze(d), in, d, i, 1));
    }

    /** x with dimensions startDim..endDim (inclusive) merged into one; a view when the strides allow. */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        int a = Shape.wrapDim("flatten", startDim, x.dim()), b = Shape.wrapDim("flatten", endDim, x.dim());
        if (x.dim() == 0) return x.reshape(1);   // after the dims are checked: PyTorch refuses flatten(5, 7) here too
        if (a > b) {
            throw new IllegalArgumentException("flatten: start dim " + startDim + " comes after end dim " + endDim
                    + " of " + x.describe() + "; expected start <= end");
        }
        long[] shape = x.shape();
        long[] ns = new long[shape.length - (b - a)];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i > a && i <= b) ns[j - 1] = Shape.numel("flatten", new long[] {ns[j - 1], shape[i]});
            else ns[j++] = shape[i];
        }
        return reshape(x, ns);
    }

    /**
     * Zeros of {@code shape} with {@code g} placed at {@code start, start+step, ...} along dim: the adjoint of
     * {@link #slice}. Differentiable: its own derivative slices again.
     */
    public static Tensor embed(Tensor g, long[] shape, int dim, long start, long step) {
        Tensor out = Tensor.zeros(g.dtype(), shape);
        long end = start + (g.size(dim) - 1) * step + 1;
        Pointwise.copyRaw(out.detach().slice(dim, start, end, step), g);
        return Graph.record("SliceBackwardBackward0", out, g, (gg, s) -> gg.slice(dim, start, end, step));
    }

    /** The rank of x, which must be at least 1 for ops that index a dim. */
    static int requireDims(String op, Tensor x) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException(op + ": cannot be applied to a 0-dim tensor (" + x.describe()
                    + "); expected at least 1 dimension");
        }
        return x.dim();
    }

    private static long clampIndex(long i, long size) {
        if (i < 0) i += size;
        return Math.max(0, Math.min(i, size));
    }

    private static long[] inferShape(String op, Tensor x, long[] requested) {
        long[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be inferred; given "
                        + Shape.str(requested));
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid shape dimension " + shape[i] + " in "
                        + Shape.str(requested));
            } else {
                known = Shape.saturatingMultiply(known, shape[i]);   // an overflow can match no element count
            }
        }
        for (long s : shape) if (s == 0) known = 0;
        long n = x.numel();
        if (infer >= 0 && known != 0 && n % known == 0) shape[infer] = n / known;
        if (infer < 0 ? known != n : known == 0 || shape[infer] * known != n) {
            throw new IllegalArgumentException(op + ": shape " + Shape.str(requested) + " is invalid for input of size "
                    + n + " (" + x.describe() + ")");
        }
        return shape;
    }

    /** Strides that present (shape, strides) as newShape without copying, or null if none exist. */
    static long[] viewStrides(long[] shape, long[] strides, long[] newShape) {
        long[] ns = new long[newShape.length];
        if (Shape.numel(shape) == 0 || shape.length == 0) return Shape.contiguousStrides(newShape);
        int vd = newShape.length - 1;
        long chunkBase = strides[strides.length - 1], tensorNumel = 1, viewNumel = 1;
        for (int td = shape.length - 1; td >= 0; td--) {
            tensorNumel *= shape[td];
            if (td == 0 || (shape[td - 1] != 1 && strides[td - 1] != tensorNumel * chunkBase)) {
                while (vd >= 0 && (viewNumel < tensorNumel || newShape[vd] == 1)) {
                    ns[vd] = viewNumel * chunkBase;
                    viewNumel *= newShape[vd];
                    vd--;
                }
                if (viewNumel != tensorNumel) return null;
                if (td > 0) {
                    chunkBase = strides[td - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return vd == -1 ? ns : null;
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static long[] remove(long[] a, int i) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, i);
        System.arraycopy(a, i + 1, r, i, a.length - i - 1);
        return r;
    }

    private static long[] insert(long[] a, int i, long v) {
        long[] r = new long[a.length + 1];
        System.arraycopy(a, 0, r, 0, i);
        r[i] = v;
        System.arraycopy(a, i, r, i + 1, a.length - i);
        return r;
    }
}
