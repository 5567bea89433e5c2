package dev.panagrad;

import dev.panagrad.kernels.BinaryOp;
import dev.panagrad.kernels.CompareOp;
import dev.panagrad.kernels.UnaryOp;
import dev.panagrad.memory.Scope;
import dev.panagrad.memory.Storage;
import dev.panagrad.ops.Activations;
import dev.panagrad.ops.Einsum;
import dev.panagrad.ops.Gradients;
import dev.panagrad.ops.Indexing;
import dev.panagrad.ops.Joining;
import dev.panagrad.ops.LinearAlgebra;
import dev.panagrad.ops.Norms;
import dev.panagrad.ops.OpErrors;
import dev.panagrad.ops.Padding;
import dev.panagrad.ops.Pointwise;
import dev.panagrad.ops.Rearranging;
import dev.panagrad.ops.Reductions;
import dev.panagrad.ops.Scans;
import dev.panagrad.ops.Selecting;
import dev.panagrad.ops.Sorting;
import dev.panagrad.ops.Subscripts;
import dev.panagrad.ops.Ternary;
import dev.panagrad.ops.Views;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array on off-heap memory with PyTorch-style automatic differentiation. A tensor is a
 * view (shape, strides in elements, offset) of a {@link Storage}; views share their base's storage and
 * version counter. Ops that involve tensors with {@code requiresGrad} record a graph that
 * {@link #backward()} walks.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = Tensor.of(3.0).requiresGrad(true);
 * Tensor z = x.pow(2).add(y.pow(3));   // tensor(31., gradFn=<AddBackward0>)
 * z.backward();
 * x.grad();                            // tensor(4.)
 * }</pre>
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    // Derived once: small ops ask for these several times each.
    private final long numel;
    private final boolean contiguous;

    private boolean requiresGrad;
    private Node gradFn;
    int outputNr;
    private Tensor grad;
    /** Whether {@link #grad()} handed the current gradient out, or the caller set it: then only it may drop it. */
    private boolean gradHandedOut;
    /**
     * The gradient last dropped by {@code setGrad(null)} before anything outside the library was handed it: nobody
     * else holds it, so the next backward writes into its memory (kept warm) instead of a fresh block.
     */
    private Tensor spareGrad;
    private boolean retainsGrad;
    private AccumulateGrad accumulator;
    /** For a view: the tensor at the root of its chain of views, whose version counter it shares. */
    private Tensor viewBase;
    /** The version at which this view's gradFn was last derived from its base's history. */
    private long viewVersion;
    /** A view made while grad mode was off, of a base that required grad: it never takes on the base's history. */
    private boolean viewInNoGrad;
    private List<UnaryOperator<Tensor>> leafHooks;
    private List<Consumer<Tensor>> postAccumulateHooks;

    private Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = Shape.numel(shape);
        this.contiguous = contiguous(shape, strides);
    }

    private static boolean contiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- creation

    /** A tensor with uninitialised contents. */
    public static Tensor empty(DType dtype, long... shape) {
        return allocate("empty", dtype, shape);
    }

    /** Fresh contiguous storage for {@code shape}; {@code op} names the factory in error messages. */
    private static Tensor allocate(String op, DType dtype, long[] shape) {
        return allocateShared(op, dtype, shape.clone());
    }

    /** As {@link #allocate}, keeping {@code shape}: the caller hands over an array nobody will change. */
    private static Tensor allocateShared(String op, DType dtype, long[] shape) {
        long bytes = Shape.byteSize(op, shape, dtype.byteSize());
        // Shape and stride arrays are never written after construction, so the common small ones are shared.
        long[] strides = shape.length == 0 ? NO_DIMS : shape.length == 1 ? UNIT_STRIDE : Shape.contiguousStrides(shape);
        return new Tensor(Storage.allocate(bytes), dtype, shape.length == 0 ? NO_DIMS : shape, strides, 0);
    }

    private static final long[] NO_DIMS = {}, UNIT_STRIDE = {1};
    /** A thread that owns no confined segment: a segment it may access is accessible from every thread. */
    private static final Thread WRAP_PROBE = Thread.ofPlatform().unstarted(() -> {});

    private static Tensor filled(String op, DType dtype, double value, long[] shape) {
        Tensor t = allocate(op, dtype, shape);
        Pointwise.fillRaw(t, value);
        return t;
    }

    /** A float32 tensor with uninitialised contents. */
    public static Tensor empty(long... shape) {
        return empty(DType.FLOAT32, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, double value, long... shape) {
        return filled("full", dtype, value, shape);
    }

    /** A float32 tensor filled with {@code value}. */
    public static Tensor full(double value, long... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /** Zeros of the given dtype. */
    public static Tensor zeros(DType dtype, long... shape) {
        return filled("zeros", dtype, 0, shape);
    }

    /** float32 zeros. */
    public static Tensor zeros(long... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** Ones of the given dtype. */
    public static Tensor ones(DType dtype, long... shape) {
        return filled("ones", dtype, 1, shape);
    }

    /** float32 ones. */
    public static Tensor ones(long... shape) {
        return ones(DType.FLOAT32, shape);
    }

    /** Zeros with this tensor's dtype and shape. */
    public Tensor zerosLike() {
        return zeros(dtype, shape);
    }

    /** Ones with this tensor's dtype and shape. */
    public Tensor onesLike() {
        return ones(dtype, shape);
    }

    /** {@code value} everywhere, with this tensor's dtype and shape. */
    public Tensor fullLike(double value) {
        return full(dtype, value, shape);
    }

    /** Uninitialised, with this tensor's dtype and shape. */
    public Tensor emptyLike() {
        return allocateShared("emptyLike", dtype, shape);
    }

    /** Values start, start+step, ... below end (int64 when all three are integral, else float32). */
    public static Tensor arange(double start, double end, double step) {
        boolean integral = start == Math.rint(start) && end == Math.rint(end) && step == Math.rint(step);
        return arange(integral ? DType.INT64 : DType.FLOAT32, start, end, step);
    }

    /** Values start, start+step, ... below end with the given dtype. */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange: expected finite start and end and a finite nonzero step; given "
                    + "start " + start + ", end " + end + ", step " + step);
        }
        if ((end - start) / step < 0) {
            throw new IllegalArgumentException("arange: upper bound and step have inconsistent signs: start " + start
                    + ", end " + end + ", step " + step);
        }
        double count = Math.ceil((end - start) / step);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arange: too many values: start " + start + ", end " + end + ", step "
                    + step + " gives " + count + "; expected at most " + (Integer.MAX_VALUE - 8));
        }
        long n = (long) count;
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        return fromDoubles(dtype, v, n);
    }

    /** 0, 1, ..., end-1 as int64. */
    public static Tensor arange(long end) {
        return arange(DType.INT64, 0, end, 1);
    }

    /** {@code steps} evenly spaced float32 values from start to end inclusive. */
    public static Tensor linspace(double start, double end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: number of steps must be non-negative; given " + steps);
        double[] v = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        int half = steps / 2;
        for (int i = 0; i < steps; i++) v[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
        if (steps == 1) v[0] = start;
        return fromDoubles(DType.FLOAT32, v, steps);
    }

    /** The n-by-n float32 identity. */
    public static Tensor eye(long n) {
        return eye(DType.FLOAT32, n, n);
    }

    /** An n-by-m matrix with ones on the diagonal. */
    public static Tensor eye(DType dtype, long n, long m) {
        Tensor t = filled("eye", dtype, 0, new long[] {n, m});
        Pointwise.fillRaw(t.stridedView(new long[] {Math.min(n, m)}, new long[] {m + 1}, 0), 1);
        return t;
    }

    /** Uniform values in [0, 1) from the default generator. */
    public static Tensor rand(long... shape) {
        return Generator.global().rand(DType.FLOAT32, shape);
    }

    /** Standard normal values from the default generator. */
    public static Tensor randn(long... shape) {
        return Generator.global().randn(DType.FLOAT32, shape);
    }

    /** Uniform int64 values in [low, high) from the default generator. */
    public static Tensor randint(long low, long high, long... shape) {
        return Generator.global().randint(low, high, shape);
    }

    /** A 0-dim float32 tensor (a scalar). */
    public static Tensor of(double value) {
        return scalar(DType.FLOAT32, value);
    }

    /** A 0-dim tensor of the given dtype. */
    public static Tensor scalar(DType dtype, double value) {
        Tensor t = empty(dtype);
        Pointwise.fillRaw(t, value);
        return t;
    }

    /** A 1-D float32 tensor of the given values. */
    public static Tensor of(float... values) {
        return of(values, values.length);
    }

    /** A float32 tensor of the given values and shape (row-major). */
    public static Tensor of(float[] values, long... shape) {
        Tensor t = empty(DType.FLOAT32, checkCount("of", values.length, shape));
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return t;
    }

    /**
     * A float32 tensor of the given values and shape (row-major): Java doubles follow PyTorch's default dtype,
     * as {@code torch.tensor([[1., 2.]])} does. {@link #of(DType, double[], long...)} picks another dtype.
     */
    public static Tensor of(double[] values, long... shape) {
        return of(DType.FLOAT32, values, shape);
    }

    /** An int64 tensor of the given values and shape (row-major). */
    public static Tensor of(long[] values, long... shape) {
        Tensor t = empty(DType.INT64, checkCount("of", values.length, shape));
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_LONG, 0, values.length);
        return t;
    }

    /** An int32 tensor of the given values and shape (row-major). */
    public static Tensor of(int[] values, long... shape) {
        Tensor t = empty(DType.INT32, checkCount("of", values.length, shape));
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_INT, 0, values.length);
        return t;
    }

    /**
     * A uint8 or int8 tensor of the given bytes and shape (row-major); for uint8 the bytes are read unsigned
     * ({@code (byte) 200} is 200).
     */
    public static Tensor ofBytes(DType dtype, byte[] values, long... shape) {
        if (dtype != DType.UINT8 && dtype != DType.INT8) {
            throw new IllegalArgumentException("ofBytes: expected dtype uint8 or int8, given " + dtype);
        }
        Tensor t = empty(dtype, checkCount("ofBytes", values.length, shape));
        MemorySegment.copy(values, 0, t.segment(), ValueLayout.JAVA_BYTE, 0, values.length);
        return t;
    }

    /** A bool tensor of the given values and shape (row-major). */
    public static Tensor of(boolean[] values, long... shape) {
        Tensor t = empty(DType.BOOL, checkCount("of", values.length, shape));
        for (int i = 0; i < values.length; i++) t.segment().set(ValueLayout.JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
        return t;
    }

    /** A 1-D float64 tensor of the given values (the explicit-dtype shortcut; {@code of(double...)} is float32). */
    public static Tensor ofDoubles(double... values) {
        return of(DType.FLOAT64, values, values.length);
    }

    private static long[] checkCount(String op, long count, long[] shape) {
        Shape.checkSizes(op, shape);
        if (Shape.numel(shape) != count) {
            throw new IllegalArgumentException(op + ": " + count + " values do not fill shape " + Shape.str(shape)
                    + "; expected " + Shape.numel(shape) + " values");
        }
        return shape;
    }

    private static Tensor fromDoubles(DType dtype, double[] v, long... shape) {
        Tensor t = empty(dtype, shape);
        if (dtype == DType.FLOAT64) {
            MemorySegment.copy(v, 0, t.segment(), ValueLayout.JAVA_DOUBLE, 0, v.length);
        } else {
            Tensor d = empty(DType.FLOAT64, shape);
            MemorySegment.copy(v, 0, d.segment(), ValueLayout.JAVA_DOUBLE, 0, v.length);
            Pointwise.copyRaw(t, d);
        }
        return t;
    }

    /**
     * A tensor over memory the caller owns, without copying. The segment must hold the whole shape; it is
     * never freed or pooled by the library. It must be alive and accessible from every thread (global, automatic
     * or shared arena), since ops run on the library's worker threads; a confined segment is refused. Once
     * its arena closes, ops on the tensor throw IllegalStateException naming the op.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, long... shape) {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("wrap: the segment's arena is already closed; expected a live segment");
        }
        if (!segment.isAccessibleBy(WRAP_PROBE)) {
            throw new IllegalArgumentException("wrap: the segment is confined to thread '"
                    + Thread.currentThread().getName() + "' (Arena.ofConfined), but ops run on several threads; "
                    + "expected a segment of a shared, automatic or global arena (or copy it into Tensor.empty)");
        }
        long need = Shape.byteSize("wrap", shape, dtype.byteSize());
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("wrap: segment too small: it has " + segment.byteSize()
                    + " bytes, shape " + Shape.str(shape) + " of " + dtype + " needs " + need + " bytes");
        }
        if (segment.maxByteAlignment() < dtype.byteSize() || segment.isReadOnly()) {
            throw new IllegalArgumentException("wrap: " + (segment.isReadOnly() ? "read-only segment" : "segment aligned to "
                    + segment.maxByteAlignment() + " bytes") + " given for " + dtype + "; expected a writable segment "
                    + "aligned to at least " + dtype.byteSize() + " bytes");
        }
        return new Tensor(Storage.wrap(segment), dtype, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /**
     * A view of this tensor's storage with the given geometry, without recording autograd: the building block
     * of view ops. Throws if the view would reach outside the storage.
     */
    public Tensor stridedView(long[] shape, long[] strides, long offset) {
        Shape.checkSizes("stridedView", shape);
        if (strides.length != shape.length) {
            throw new IllegalArgumentException("stridedView: " + strides.length + " strides " + Shape.str(strides)
                    + " given for shape " + Shape.str(shape) + "; expected one stride per dim");
        }
        long capacity = storage.byteSize() / dtype.byteSize();
        if (Shape.numel("stridedView", shape) == 0) {   // reads nothing: any offset, as PyTorch
            return new Tensor(storage, dtype, shape.clone(), strides.clone(), offset);
        }
        long lo = offset, hi = offset;
        try {
            for (int i = 0; i < shape.length; i++) {
                long span = Math.multiplyExact(shape[i] - 1, strides[i]);
                if (span < 0) lo = Math.addExact(lo, span);
                else hi = Math.addExact(hi, span);
            }
        } catch (ArithmeticException overflow) {
            throw viewOutside(shape, strides, offset, "elements beyond " + Long.MAX_VALUE, capacity);
        }
        if (lo < 0 || hi >= capacity) {
            throw viewOutside(shape, strides, offset, "elements [" + lo + ", " + hi + "]", capacity);
        }
        return new Tensor(storage, dtype, shape.clone(), strides.clone(), offset);
    }

    private static IndexOutOfBoundsException viewOutside(long[] shape, long[] strides, long offset, String reach,
                                                         long capacity) {
        return new IndexOutOfBoundsException("stridedView: view " + Shape.str(shape) + " with strides "
                + Shape.str(strides) + " at offset " + offset + " reaches " + reach + "; expected elements within [0, "
                + capacity + ")");
    }

    // ---------------------------------------------------------------- geometry and data

    /** The sizes (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The size of one dim (negative dims count from the end). */
    public long size(int dim) {
        if (shape.length == 0) {
            throw new IndexOutOfBoundsException("size: dimension " + dim + " specified but the tensor has no dimensions;"
                    + " expected a tensor of rank >= 1");
        }
        return shape[Shape.wrapDim("size", dim, shape.length)];
    }

    /** True when {@code other} has this tensor's shape (without copying either shape). */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** Strides in elements (a copy). */
    public long[] strides() {
        return strides.clone();
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    /** Number of dims. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The storage shared with views. */
    public Storage storage() {
        return storage;
    }

    /** The storage's bytes; throws a clear IllegalStateException if they were released. */
    public MemorySegment segment() {
        if (storage.isReleased()) throw storage.releasedError("segment", describe());
        return storage.segment();
    }

    /** The version counter shared with views: bumped by every in-place write. */
    public long version() {
        return storage.version();
    }

    /** True when the elements are laid out row-major without gaps. */
    public boolean isContiguous() {
        return contiguous;
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: a Tensor with " + numel() + " elements cannot be converted to a "
                    + "scalar; expected exactly one element");
        }
        return contiguous().toDoubleArray()[0];
    }

    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        return copyOut("toDoubleArray", DType.FLOAT64, s -> s.toArray(ValueLayout.JAVA_DOUBLE));
    }

    /** The elements in row-major order as floats. */
    public float[] toFloatArray() {
        return copyOut("toFloatArray", DType.FLOAT32, s -> s.toArray(ValueLayout.JAVA_FLOAT));
    }

    /** The elements in row-major order as longs. */
    public long[] toLongArray() {
        return copyOut("toLongArray", DType.INT64, s -> s.toArray(ValueLayout.JAVA_LONG));
    }

    /** The elements in row-major order as ints (values outside the int range wrap, as a cast does). */
    public int[] toIntArray() {
        return copyOut("toIntArray", DType.INT32, s -> s.toArray(ValueLayout.JAVA_INT));
    }

    /** The elements in row-major order as bytes: uint8 and int8 as stored, other types converted to int8. */
    public byte[] toByteArray() {
        DType dt = dtype == DType.UINT8 || dtype == DType.BOOL ? dtype : DType.INT8;
        return copyOut("toByteArray", dt, s -> s.toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * The elements converted to {@code dt} and read by {@code read}, with the storage pinned so that neither a
     * scope closing on another thread nor the collector can recycle the bytes while they are copied.
     */
    private <A> A copyOut(String op, DType dt, Function<MemorySegment, A> read) {
        Tensor c = OpErrors.as(op, () -> Pointwise.convertRaw(this, dt));
        if (!c.storage.pin()) throw c.storage.releasedError(op, c.describe());
        try {
            // an empty view may start past the end of its storage (select on [3, 0]): it reads nothing
            long at = c.numel() == 0 ? 0 : c.offset * dt.byteSize();
            return read.apply(c.storage.segment().asSlice(at, c.numel() * dt.byteSize()));
        } finally {
            c.storage.unpin();
        }
    }

    /** Shape and dtype for messages: {@code [2, 3] float32}. */
    public String describe() {
        return Shape.str(shape) + " " + dtype;
    }

    /** PyTorch's format: {@code tensor([1., 2.], requiresGrad=true)}. */
    @Override
    public String toString() {
        return Format.tensor(this);
    }

    /** Hands this tensor's storage to the enclosing scope (or the GC) so it survives the current scope. */
    public Tensor keep() {
        Scope s = storage.scope();
        if (s != null) s.keep(storage);
        return this;
    }

    // ---------------------------------------------------------------- autograd

    /** True when ops on this tensor are recorded for differentiation. */
    public boolean requiresGrad() {
        if (viewBase != null) refreshView();
        return requiresGrad;
    }

    /**
     * Switches gradient tracking on or off for a leaf; returns this. Switching it off on a computed tensor
     * fails, as in PyTorch (use {@link #detach()}); switching it on there changes nothing.
     */
    public Tensor requiresGrad(boolean value) {
        if (gradFn() != null && value) return this;   // a computed tensor requires grad already
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: you can only change requiresGrad flags of leaf variables; "
                    + "this tensor was computed by " + gradFn.name() + ". If you want to use a computed variable in a "
                    + "subgraph that doesn't require differentiation use detach()");
        }
        if (value && !dtype.isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only tensors of floating point dtype can require "
                    + "gradients; given " + describe());
        }
        requiresGrad = value;
        return this;
    }

    /**
     * The node that computed this tensor, or null for leaves. For a view whose base was modified in place since
     * (through this view or otherwise), an {@code AsStridedBackward0} node on the base's current history.
     */
    public Node gradFn() {
        if (viewBase != null) refreshView();
        return gradFn;
    }

    /** True for tensors not computed by a recorded op (all tensors that do not require grad are leaves). */
    public boolean isLeaf() {
        return gradFn() == null;
    }

    /** True for a view of another tensor (a result of view, slice, select, transpose, ...), as PyTorch's is_view. */
    public boolean isView() {
        return viewBase != null;
    }

    /** The accumulated gradient: populated on leaves, and on non-leaves after {@link #retainGrad()}. */
    public synchronized Tensor grad() {
        gradHandedOut = true;
        return grad;
    }

    /** The gradient, for the library's reads that keep nothing ({@link Gradients}): not handed out. */
    Tensor peekGrad() {
        return grad;
    }

    static {
        Gradients.install(Tensor::peekGrad);
    }

    /**
     * Replaces the accumulated gradient (null clears it). A gradient dropped before {@link #grad()} ever handed it
     * out (an optimizer's {@code zeroGrad()} after its step, say) is kept to take the next backward's gradient:
     * its memory stays reserved, as with {@code zeroGrad(false)}, and nobody can see it change.
     */
    public synchronized void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException("setGrad: assigned grad has shape " + Shape.str(g.shape)
                    + "; expected the tensor's shape " + Shape.str(shape));
        }
        Tensor dropped = grad;
        if (g != null) spareGrad = null;
        else if (dropped != null) spareGrad = gradHandedOut || dropped.requiresGrad ? null : dropped;
        grad = g;
        gradHandedOut = true;   // a caller's own tensor, which it may hold
    }

    /**
     * Asks backward to populate {@link #grad()} on this non-leaf tensor too. On a leaf, which gets its gradient
     * anyway, it does nothing ({@link #retainsGrad()} stays false), as in PyTorch.
     */
    public Tensor retainGrad() {
        if (!requiresGrad()) {
            throw new IllegalStateException("retainGrad: can't retain grad on a tensor that has requiresGrad=false");
        }
        if (gradFn == null || retainsGrad) return this;
        gradFn.retainOutput(outputNr, this);
        retainsGrad = true;
        return this;
    }

    /** True when backward populates {@link #grad()} on this non-leaf tensor (after {@link #retainGrad()}). */
    public boolean retainsGrad() {
        return retainsGrad;
    }

    /** Backpropagates from this scalar, freeing the graph afterwards. */
    public void backward() {
        backward(null, false, false);
    }

    /** Backpropagates {@code gradient} (the vector of a vector-Jacobian product), freeing the graph afterwards. */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /** Backpropagates; {@code gradient} may be null for a scalar. */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, createGraph);
    }

    /**
     * Backpropagates with {@code createGraph} (the gradients accumulated into {@code grad} are then differentiable)
     * and retains the graph exactly when creating one, PyTorch's default for {@code retain_graph}.
     */
    public void backward(Tensor gradient, boolean createGraph) {
        backward(gradient, createGraph, createGraph);
    }

    /** A tensor sharing this one's storage (and version counter) that never requires grad. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /** Makes this tensor a leaf that does not require grad; views refuse, as in PyTorch (use {@link #detach()}). */
    public Tensor detach_() {
        if (viewBase != null) {
            throw new AutogradException.InPlaceNotAllowed("detach_: Can't detach views in-place. Use detach() "
                    + "instead; given a view " + describe() + " of " + viewBase.describe());
        }
        gradFn = null;
        requiresGrad = false;
        return this;
    }

    /**
     * Registers a hook on this tensor's gradient; it may return a replacement (or null to keep it). Returns a
     * handle that removes the hook.
     */
    public Runnable registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad()) {
            throw new IllegalStateException("registerHook: cannot register a hook on a tensor that doesn't require "
                    + "gradient");
        }
        if (gradFn != null) return gradFn.addPreHook(outputNr, hook);
        if (leafHooks == null) leafHooks = new ArrayList<>();
        List<UnaryOperator<Tensor>> list = leafHooks;
        list.add(hook);
        return () -> list.remove(hook);
    }

    /** Registers a hook that runs after a gradient was accumulated into this leaf's {@code grad}. */
    public Runnable registerPostAccumulateGradHook(Consumer<Tensor> hook) {
        if (gradFn != null || !requiresGrad) {
            throw new IllegalStateException("registerPostAccumulateGradHook: post accumulate grad hooks can only be "
                    + "registered on leaf tensors that require grad");
        }
        if (postAccumulateHooks == null) postAccumulateHooks = new ArrayList<>();
        List<Consumer<Tensor>> list = postAccumulateHooks;
        list.add(hook);
        return () -> list.remove(hook);
    }

    AccumulateGrad accumulator() {
        if (accumulator == null) accumulator = new AccumulateGrad(this);
        return accumulator;
    }

    void setGradFn(Node node, int output) {
        if (retainsGrad && gradFn != null) {
            // after an in-place op, grad is the gradient of the new value, as PyTorch moves its retains_grad hook
            gradFn.retainOutput(outputNr, null);
            node.retainOutput(output, this);
        }
        gradFn = node;
        outputNr = output;
        requiresGrad = true;
    }

    /** The root of this view's chain of views, or null when this tensor is not a view. */
    Tensor viewBase() {
        return viewBase;
    }

    /**
     * Marks this tensor as a view of {@code base} (called by view ops on their fresh result): it shares the
     * base's version counter, and in-place ops through it rewrite the base's history. Returns this.
     */
    public Tensor markViewOf(Tensor base) {
        if (base == this) return this;
        viewBase = base.viewBase != null ? base.viewBase : base;
        viewVersion = storage.version();
        viewInNoGrad = (!GradMode.isEnabled() && base.requiresGrad()) || base.viewInNoGrad;
        return this;
    }

    /** After an in-place op through this view: its history is to be rebuilt from the base's new one. */
    void markViewStale() {
        viewVersion = -1;
    }

    /**
     * Rebuilds this view's history from its base's when the storage was written since it was last derived,
     * as PyTorch regenerates a view's grad_fn: the view becomes an {@code as_strided} of the base's current
     * value, so that gradients reach whatever now produces the base.
     */
    private void refreshView() {
        long version = storage.version();
        if (version == viewVersion) return;
        viewVersion = version;
        Tensor base = viewBase;
        if (viewInNoGrad || !base.requiresGrad) return;
        ViewRegion region = ViewRegion.of(base, this);
        FunctionNode node = new FunctionNode("AsStridedBackward0", (Graph.UnaryDerivative) (g, s) -> region.put(g), NO_SAVED);
        node.connect(base);
        setGradFn(node, 0);
    }

    private static final Tensor[] NO_SAVED = {};

    /** Leaf path of backward: hooks, accumulation, post-accumulate hooks. */
    void receiveLeafGrad(Tensor g) {
        accumulateGrad(applyLeafHooks(g));
        runPostAccumulateHooks();
    }

    private void runPostAccumulateHooks() {
        if (postAccumulateHooks != null) for (Consumer<Tensor> h : postAccumulateHooks) h.accept(this);
    }

    /** The gradient after this leaf's hooks, each of which may replace it. */
    Tensor applyLeafHooks(Tensor g) {
        if (leafHooks != null) {
            for (UnaryOperator<Tensor> h : leafHooks) {
                Tensor r = h.apply(g);
                if (r != null) g = r;
            }
        }
        return g;
    }

    /**
     * The tensor a backward node may add this leaf's gradient into directly: {@link #grad()} when there is one
     * that an in-place add would update (no hooks to see the gradient first, not itself differentiable,
     * contiguous, of this tensor's shape and dtype), else null.
     */
    Tensor gradToAddInto() {
        Tensor current = grad;
        boolean fits = current != null && leafHooks == null && !current.requiresGrad && current.isContiguous()
                && current.dtype() == dtype() && java.util.Arrays.equals(current.shape, shape);
        return fits ? current : null;
    }

    /** After a backward node added this leaf's gradient into {@link #gradToAddInto()}: as after accumulateGrad. */
    void gradAddedInPlace() {
        grad.storage.bumpVersion();
        runPostAccumulateHooks();
    }

    /** Adds {@code g} into {@link #grad()}; the gradient lives as long as this tensor's storage does. */
    synchronized void accumulateGrad(Tensor g) {
        if (!java.util.Arrays.equals(g.shape, shape)) {
            throw new IllegalStateException("backward: gradient of shape " + Shape.str(g.shape) + " reached a tensor "
                    + "of shape " + Shape.str(shape) + "; expected equal shapes");
        }
        boolean differentiable = GradMode.isEnabled();
        Tensor current = grad;
        grad = Scope.within(storage.scope(), () -> {
            if (current == null) {
                Tensor spare = differentiable ? null : reuseSpare(g);
                return spare != null ? spare : differentiable ? g.clone() : g.detach().clone();
            }
            if (differentiable || current.requiresGrad) return current.add(g);
            try (var off = GradMode.noGrad()) {
                return current.add_(g);
            }
        });
        if (grad != current) gradHandedOut = false;
    }

    /** The spare gradient holding a copy of {@code g}, or null when there is none that can take it. */
    private Tensor reuseSpare(Tensor g) {
        Tensor spare = spareGrad;
        spareGrad = null;
        if (spare == null || spare.dtype() != g.dtype() || spare.storage.isReleased()) return null;
        try (var off = GradMode.noGrad()) {
            return spare.copy_(g);
        }
    }

    /** Throws if an in-place op may not modify this tensor under the current grad mode. */
    void checkInPlace(String op) {
        if (!GradMode.isEnabled()) return;
        Tensor base = viewBase;
        if (base == null) {
            if (requiresGrad && gradFn == null) {
                throw new AutogradException.InPlaceNotAllowed(op + ": a leaf Variable that requires grad is being "
                        + "used in an in-place operation; given " + describe() + ", expected a non-leaf, or wrap "
                        + "the update in noGrad()");
            }
            return;
        }
        if (viewInNoGrad && base.requiresGrad) {
            throw new AutogradException.InPlaceNotAllowed(op + ": A view was created in no_grad mode and is being "
                    + "modified inplace with grad mode enabled; given a view " + describe() + " of "
                    + base.describe() + ", expected the view to be made with grad mode on, or the update to run "
                    + "in noGrad()");
        }
        if (base.requiresGrad && base.gradFn == null) {
            throw new AutogradException.InPlaceNotAllowed(op + ": a view of a leaf Variable that requires grad is "
                    + "being used in an in-place operation; given a view " + describe() + " of the leaf "
                    + base.describe() + ", expected a view of a non-leaf (clone() the leaf), or wrap the update in "
                    + "noGrad()");
        }
    }

    /** Makes this tensor take on the value and history of {@code result} after an in-place op. */
    void becomeResultOf(Tensor result) {
        if (result.gradFn != null) setGradFn(result.gradFn, result.outputNr);
    }

    // ---------------------------------------------------------------- pointwise

    /** Elementwise {@code this + o}, broadcasting the shapes; like {@code torch.add}. */
    public Tensor add(Tensor o) { return Pointwise.binary(BinaryOp.ADD, this, o); }
    /** Elementwise {@code this + o} with a scalar; like {@code torch.add}. */
    public Tensor add(double o) { return Pointwise.binary(BinaryOp.ADD, this, like(o)); }
    /** Elementwise {@code this - o}, broadcasting the shapes; like {@code torch.sub}. */
    public Tensor sub(Tensor o) { return Pointwise.binary(BinaryOp.SUB, this, o); }
    /** Elementwise {@code this - o} with a scalar; like {@code torch.sub}. */
    public Tensor sub(double o) { return Pointwise.binary(BinaryOp.SUB, this, like(o)); }
    /** Elementwise {@code this * o}, broadcasting the shapes; like {@code torch.mul}. */
    public Tensor mul(Tensor o) { return Pointwise.binary(BinaryOp.MUL, this, o); }
    /** Elementwise {@code this * o} with a scalar; like {@code torch.mul}. */
    public Tensor mul(double o) { return Pointwise.binary(BinaryOp.MUL, this, like(o)); }
    /** Elementwise {@code this / o} (true division), broadcasting the shapes; like {@code torch.div}. */
    public Tensor div(Tensor o) { return Pointwise.binary(BinaryOp.DIV, this, o); }
    /** Elementwise {@code this / o} (true division) with a scalar; like {@code torch.div}. */
    public Tensor div(double o) { return Pointwise.binary(BinaryOp.DIV, this, like(o)); }
    /** Elementwise {@code this} raised to the power {@code o}, broadcasting the shapes; like {@code torch.pow}. */
    public Tensor pow(Tensor o) { return Pointwise.binary(BinaryOp.POW, this, o); }
    /** Elementwise {@code this^exponent}; the gradient uses {@code exponent * this^(exponent - 1)}. */
    public Tensor pow(double exponent) { return Pointwise.pow(this, exponent); }
    /** Elementwise maximum (NaN propagates). */
    public Tensor maximum(Tensor o) { return Pointwise.binary(BinaryOp.MAX, this, o); }
    /** Elementwise minimum (NaN propagates). */
    public Tensor minimum(Tensor o) { return Pointwise.binary(BinaryOp.MIN, this, o); }
    /** {@code base - this}: reversed subtraction with a scalar. */
    public Tensor rsub(double base) { return Pointwise.binary(BinaryOp.SUB, like(base), this); }

    /** Mask (bool) of {@code this == o}, broadcasting the shapes; not differentiable. */
    public Tensor eq(Tensor o) { return Pointwise.compare(CompareOp.EQ, this, o); }
    /** Mask (bool) of {@code this == o} with a scalar; not differentiable. */
    public Tensor eq(double o) { return Pointwise.compare(CompareOp.EQ, this, like(o)); }
    /** Mask (bool) of {@code this != o}, broadcasting the shapes; not differentiable. */
    public Tensor ne(Tensor o) { return Pointwise.compare(CompareOp.NE, this, o); }
    /** Mask (bool) of {@code this != o} with a scalar; not differentiable. */
    public Tensor ne(double o) { return Pointwise.compare(CompareOp.NE, this, like(o)); }
    /** Mask (bool) of {@code this < o}, broadcasting the shapes; not differentiable. */
    public Tensor lt(Tensor o) { return Pointwise.compare(CompareOp.LT, this, o); }
    /** Mask (bool) of {@code this < o} with a scalar; not differentiable. */
    public Tensor lt(double o) { return Pointwise.compare(CompareOp.LT, this, like(o)); }
    /** Mask (bool) of {@code this <= o}, broadcasting the shapes; not differentiable. */
    public Tensor le(Tensor o) { return Pointwise.compare(CompareOp.LE, this, o); }
    /** Mask (bool) of {@code this <= o} with a scalar; not differentiable. */
    public Tensor le(double o) { return Pointwise.compare(CompareOp.LE, this, like(o)); }
    /** Mask (bool) of {@code this > o}, broadcasting the shapes; not differentiable. */
    public Tensor gt(Tensor o) { return Pointwise.compare(CompareOp.GT, this, o); }
    /** Mask (bool) of {@code this > o} with a scalar; not differentiable. */
    public Tensor gt(double o) { return Pointwise.compare(CompareOp.GT, this, like(o)); }
    /** Mask (bool) of {@code this >= o}, broadcasting the shapes; not differentiable. */
    public Tensor ge(Tensor o) { return Pointwise.compare(CompareOp.GE, this, o); }
    /** Mask (bool) of {@code this >= o} with a scalar; not differentiable. */
    public Tensor ge(double o) { return Pointwise.compare(CompareOp.GE, this, like(o)); }
    /** Elementwise AND of two masks. */
    public Tensor logicalAnd(Tensor o) { return OpErrors.as("logicalAnd", () -> Pointwise.logical(BinaryOp.MIN, this, o)); }
    /** Elementwise OR of two masks. */
    public Tensor logicalOr(Tensor o) { return OpErrors.as("logicalOr", () -> Pointwise.logical(BinaryOp.MAX, this, o)); }
    /** Elementwise NOT of a mask. */
    public Tensor logicalNot() { return Pointwise.unary(UnaryOp.LOGICAL_NOT, this.to(DType.BOOL)); }
    /** Mask of NaN elements. */
    public Tensor isnan() { return ne(this); }

    /** {@code mask ? a : b} with broadcasting. */
    public static Tensor where(Tensor mask, Tensor a, Tensor b) { return Pointwise.where(mask, a, b); }
    /** {@code mask ? a : b} with a scalar b. */
    public static Tensor where(Tensor mask, Tensor a, double b) { return Pointwise.where(mask, a, a.like(b)); }
    /** {@code mask ? a : b} with a scalar a. */
    public static Tensor where(Tensor mask, double a, Tensor b) { return Pointwise.where(mask, b.like(a), b); }
    /** This tensor with {@code value} where the mask is true. */
    public Tensor maskedFill(Tensor mask, double value) { return Pointwise.where(mask, scalar(dtype, value), this); }

    /** {@code -x}, elementwise. */
    public Tensor neg() { return Pointwise.unary(UnaryOp.NEG, this); }
    /** {@code e^x}, elementwise. */
    public Tensor exp() { return Pointwise.unary(UnaryOp.EXP, this); }
    /** The natural logarithm, elementwise. */
    public Tensor log() { return Pointwise.unary(UnaryOp.LOG, this); }
    /** The square root, elementwise. */
    public Tensor sqrt() { return Pointwise.unary(UnaryOp.SQRT, this); }
    /** {@code 1 / sqrt(x)}, elementwise. */
    public Tensor rsqrt() { return Pointwise.unary(UnaryOp.RSQRT, this); }
    /** The absolute value, elementwise. */
    public Tensor abs() { return Pointwise.unary(UnaryOp.ABS, this); }
    /** The sign: -1, 0 or 1 (NaN stays NaN), elementwise. */
    public Tensor sign() { return Pointwise.unary(UnaryOp.SIGN, this); }
    /** The sine (radians), elementwise. */
    public Tensor sin() { return Pointwise.unary(UnaryOp.SIN, this); }
    /** The cosine (radians), elementwise. */
    public Tensor cos() { return Pointwise.unary(UnaryOp.COS, this); }
    /** The hyperbolic tangent, elementwise. */
    public Tensor tanh() { return Pointwise.unary(UnaryOp.TANH, this); }
    /** The logistic sigmoid {@code 1 / (1 + e^-x)}, elementwise. */
    public Tensor sigmoid() { return Pointwise.unary(UnaryOp.SIGMOID, this); }
    /** {@code max(x, 0)}, elementwise. */
    public Tensor relu() { return Pointwise.unary(UnaryOp.RELU, this); }
    /** GELU with the exact (erf) formulation. */
    public Tensor gelu() { return Pointwise.unary(UnaryOp.GELU, this); }
    /** log(1 + exp(x)), linear above 20 as in PyTorch. */
    public Tensor softplus() { return Pointwise.unary(UnaryOp.SOFTPLUS, this); }
    /** The error function, elementwise. */
    public Tensor erf() { return Pointwise.unary(UnaryOp.ERF, this); }
    /** {@code 1 / x}, elementwise. */
    public Tensor reciprocal() { return Pointwise.unary(UnaryOp.RECIPROCAL, this); }
    /** x², recorded as PowBackward0 like PyTorch's square. */
    public Tensor square() { return pow(2); }
    /** Limits values to [min, max]. */
    public Tensor clamp(double min, double max) { return Pointwise.clamp(this, min, max); }
    /** Limits values to [min, +inf). */
    public Tensor clampMin(double min) { return Pointwise.clamp(this, min, Double.POSITIVE_INFINITY); }
    /** Limits values to (-inf, max]. */
    public Tensor clampMax(double max) { return Pointwise.clamp(this, Double.NEGATIVE_INFINITY, max); }

    /** A copy with the given dtype (this tensor itself when the dtype already matches). */
    public Tensor to(DType target) { return Pointwise.to(this, target); }
    /** A contiguous copy that is part of the graph. */
    public Tensor clone() { return OpErrors.as("clone", () -> Pointwise.cloneTensor(this)); }

    // in place: modify this tensor, bump its version, return this
    /** In place {@link #add(Tensor)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor add_(Tensor o) { return InPlace.apply("add_", this, t -> t.add(o), BinaryOp.ADD, o); }
    /** In place {@link #add(double)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor add_(double o) { return InPlace.apply("add_", this, t -> t.add(o), BinaryOp.ADD, like(o)); }
    /** In place {@link #sub(Tensor)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor sub_(Tensor o) { return InPlace.apply("sub_", this, t -> t.sub(o), BinaryOp.SUB, o); }
    /** In place {@link #sub(double)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor sub_(double o) { return InPlace.apply("sub_", this, t -> t.sub(o), BinaryOp.SUB, like(o)); }
    /** In place {@link #mul(Tensor)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor mul_(Tensor o) { return InPlace.apply("mul_", this, t -> t.mul(o), BinaryOp.MUL, o); }
    /** In place {@link #mul(double)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor mul_(double o) { return InPlace.apply("mul_", this, t -> t.mul(o), BinaryOp.MUL, like(o)); }
    /** In place {@link #div(Tensor)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor div_(Tensor o) { return InPlace.apply("div_", this, t -> t.div(o), BinaryOp.DIV, o); }
    /** In place {@link #div(double)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor div_(double o) { return InPlace.apply("div_", this, t -> t.div(o), BinaryOp.DIV, like(o)); }
    /** In place {@link #pow(double)}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor pow_(double o) { return InPlace.apply("pow_", this, t -> t.pow(o), BinaryOp.POW, like(o)); }
    /** In place {@link #maximum}: writes the result into this tensor and returns it. */
    public Tensor maximum_(Tensor o) { return InPlace.apply("maximum_", this, t -> t.maximum(o), BinaryOp.MAX, o); }
    /** In place {@link #minimum}: writes the result into this tensor and returns it. */
    public Tensor minimum_(Tensor o) { return InPlace.apply("minimum_", this, t -> t.minimum(o), BinaryOp.MIN, o); }
    /** In place {@link #neg()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor neg_() { return InPlace.apply("neg_", this, Tensor::neg, UnaryOp.NEG); }
    /** In place {@link #exp()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor exp_() { return InPlace.apply("exp_", this, Tensor::exp, UnaryOp.EXP); }
    /** In place {@link #log()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor log_() { return InPlace.apply("log_", this, Tensor::log, UnaryOp.LOG); }
    /** In place {@link #sqrt()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor sqrt_() { return InPlace.apply("sqrt_", this, Tensor::sqrt, UnaryOp.SQRT); }
    /** In place {@link #abs()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor abs_() { return InPlace.apply("abs_", this, Tensor::abs, UnaryOp.ABS); }
    /** In place {@link #tanh()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor tanh_() { return InPlace.apply("tanh_", this, Tensor::tanh, UnaryOp.TANH); }
    /** In place {@link #sigmoid()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor sigmoid_() { return InPlace.apply("sigmoid_", this, Tensor::sigmoid, UnaryOp.SIGMOID); }
    /** In place {@link #relu()}: writes the result into this tensor (bumping its version) and returns it. */
    public Tensor relu_() { return InPlace.apply("relu_", this, Tensor::relu, UnaryOp.RELU); }
    /** In place {@link #clamp}: limits this tensor's values to [min, max] and returns this tensor. */
    public Tensor clamp_(double min, double max) { return InPlace.replace("clamp_", this, t -> t.clamp(min, max)); }
    /** Sets every element to {@code value}. */
    public Tensor fill_(double value) { return InPlace.fill(this, value); }
    /** Sets every element to zero. */
    public Tensor zero_() { return fill_(0); }
    /** Copies {@code src} (broadcast, converted) into this tensor. */
    public Tensor copy_(Tensor src) { return InPlace.copy("copy_", this, src); }
    /** Sets elements where the mask is true to {@code value}. */
    public Tensor maskedFill_(Tensor mask, double value) { return InPlace.replace("maskedFill_", this, t -> t.maskedFill(mask, value)); }

    /**
     * A 0-dim operand for a scalar: this tensor's dtype, but int64 for a mask with an integral value and float32
     * for masks and indices with a fraction (PyTorch's promotion with Python scalars).
     */
    Tensor like(double value) {
        boolean integral = value == Math.rint(value);
        DType dt = dtype.isFloating() ? dtype : !integral ? DType.FLOAT32 : dtype == DType.BOOL ? DType.INT64 : dtype;
        return scalar(dt, value);
    }

    // ---------------------------------------------------------------- views

    /** The same elements with a new shape (one size may be -1); copies only when a view is impossible. */
    public Tensor reshape(long... newShape) { return Views.reshape(this, newShape); }
    /** Like {@link #reshape} but never copies: throws when the strides do not allow a view. */
    public Tensor view(long... newShape) { return Views.view(this, newShape); }
    /** Swaps two dims. */
    public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }
    /** The transpose of a matrix (a 0-D or 1-D tensor is returned unchanged). */
    public Tensor t() { return Views.t(this); }
    /** Reorders the dims. */
    public Tensor permute(int... dims) { return Views.permute(this, dims); }
    /** Removes all size-1 dims. */
    public Tensor squeeze() { return Views.squeeze(this); }
    /** Removes one dim if its size is 1. */
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
    /** Inserts a size-1 dim. */
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    /** Repeats size-1 dims (and prepends dims) without copying; -1 keeps a size. */
    public Tensor expand(long... newShape) { return Views.expand(this, newShape); }
    /** Expands to the given shape. */
    public Tensor broadcastTo(long... newShape) { return Views.expand(this, newShape); }
    /** Expands to another tensor's shape. */
    public Tensor expandAs(Tensor other) { return Views.expand(this, other.shape); }
    /** {@code length} elements of a dim starting at {@code start} (negative counts from the end). */
    public Tensor narrow(int dim, long start, long length) { return Views.narrow(this, dim, start, length); }
    /** Elements start, start+step, ... below end of a dim (Python's {@code x[start:end:step]}). */
    public Tensor slice(int dim, long start, long end, long step) { return Views.slice(this, dim, start, end, step); }
    /** The sub-tensor at {@code index} of a dim, which disappears. */
    public Tensor select(int dim, long index) { return Views.select(this, dim, index); }
    /** All dims collapsed into one. */
    public Tensor flatten() { return flatten(0, -1); }
    /** Dims start..end collapsed into one. */
    public Tensor flatten(int startDim, int endDim) { return Views.flatten(this, startDim, endDim); }
    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : clone(); }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements. */
    public Tensor sum() { return Reductions.sum(this, null, false); }
    /** Sum over the given dims. */
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    /** Sum over one dim. */
    public Tensor sum(int dim, boolean keepdim) { return sum(new int[] {dim}, keepdim); }
    /** Sums a broadcast result back to {@code target} shape (the adjoint of expand). */
    public Tensor sumTo(long... target) { return Reductions.sumTo(this, target); }
    /** Mean of all elements. */
    public Tensor mean() { return Reductions.mean(this, null, false); }
    /** Mean over the given dims. */
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    /** Mean over one dim. */
    public Tensor mean(int dim, boolean keepdim) { return mean(new int[] {dim}, keepdim); }
    /** Product of all elements. */
    public Tensor prod() { return Reductions.prod(this, null, false); }
    /** Product over one dim. */
    public Tensor prod(int dim, boolean keepdim) { return Reductions.prod(this, new int[] {dim}, keepdim); }
    /** Maximum of all elements. */
    public Tensor max() { return Reductions.max(this); }
    /** Minimum of all elements. */
    public Tensor min() { return Reductions.min(this); }
    /** Maximum values and their indices along a dim. */
    public ValuesIndices max(int dim, boolean keepdim) { return valuesIndices(Reductions.maxDim(this, dim, keepdim, true)); }
    /** Minimum values and their indices along a dim. */
    public ValuesIndices min(int dim, boolean keepdim) { return valuesIndices(Reductions.maxDim(this, dim, keepdim, false)); }
    /** Maximum over the given dims, ties sharing the gradient. */
    public Tensor amax(int[] dims, boolean keepdim) { return Reductions.amax(this, dims, keepdim, true); }
    /** Minimum over the given dims, ties sharing the gradient. */
    public Tensor amin(int[] dims, boolean keepdim) { return Reductions.amax(this, dims, keepdim, false); }
    /** Index of the maximum of the flattened tensor. */
    public Tensor argmax() { return Reductions.argmax(flatten(), 0, false, true); }
    /** Indices of the maxima along a dim. */
    public Tensor argmax(int dim, boolean keepdim) { return Reductions.argmax(this, dim, keepdim, true); }
    /** Indices of the minima along a dim. */
    public Tensor argmin(int dim, boolean keepdim) { return Reductions.argmax(this, dim, keepdim, false); }
    /** Variance of all elements with Bessel's correction. */
    public Tensor var() { return OpErrors.as("var", () -> Reductions.var(this, null, 1, false)); }
    /** Variance over dims with the given correction (1: unbiased). */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return OpErrors.as("var", () -> Reductions.var(this, dims, correction, keepdim));
    }
    /** Standard deviation of all elements with Bessel's correction. */
    public Tensor std() { return OpErrors.as("std", () -> Reductions.std(this, null, 1, false)); }
    /** Standard deviation over dims with the given correction. */
    public Tensor std(int[] dims, int correction, boolean keepdim) {
        return OpErrors.as("std", () -> Reductions.std(this, dims, correction, keepdim));
    }
    /** log(sum(exp(x))) over dims, computed stably. */
    public Tensor logsumexp(int[] dims, boolean keepdim) {
        return OpErrors.as("logsumexp", () -> Reductions.logsumexp(this, dims, keepdim));
    }
    /** log(sum(exp(x))) over one dim. */
    public Tensor logsumexp(int dim, boolean keepdim) { return logsumexp(new int[] {dim}, keepdim); }
    /** Softmax along a dim. */
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim, false); }
    /** Log-softmax along a dim. */
    public Tensor logSoftmax(int dim) { return Reductions.softmax(this, dim, true); }
    /** True when any element is nonzero. */
    public boolean any() { return Reductions.count(this) > 0; }
    /** True when every element is nonzero. */
    public boolean all() { return Reductions.count(this) == numel(); }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }
    /** Product of two matrices. */
    public Tensor mm(Tensor o) { return LinearAlgebra.mm(this, o); }
    /** Batched product of [b, n, k] and [b, k, m]. */
    public Tensor bmm(Tensor o) { return LinearAlgebra.bmm(this, o); }

    // ---------------------------------------------------------------- indexing and joining

    /** {@code out[i][j] = this[i][index[i][j]]} along dim (shown for dim 1). */
    public Tensor gather(int dim, Tensor index) { return Indexing.gather(this, dim, index); }
    /** A copy with {@code src} added at {@code index} along dim. */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return Indexing.scatterAdd(this, dim, index, src); }
    /** The slices at the given indices of a dim. */
    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    /** A copy with the slices of {@code src} added at the given indices of a dim. */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) { return Indexing.indexAdd(this, dim, index, src); }
    /** Concatenation along an existing dim. */
    public static Tensor cat(List<Tensor> tensors, int dim) { return Joining.cat(tensors, dim); }
    /** Concatenation along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) { return Joining.stack(tensors, dim); }
    /** Pieces of {@code size} along a dim (the last may be shorter), as views. */
    public List<Tensor> split(long size, int dim) { return Joining.split(this, size, dim); }
    /** {@code chunks} nearly equal pieces along a dim, as views. */
    public List<Tensor> chunk(int chunks, int dim) { return Joining.chunk(this, chunks, dim); }

    // ---------------------------------------------------------------- PyTorch-style API: creation, indexing, more ops

    /** A 1-D float32 tensor of the given values, as {@code torch.tensor([1., 2.])}. */
    public static Tensor of(double... values) {
        return of(DType.FLOAT32, values, values.length);
    }

    /** A 0-dim int64 tensor, as {@code torch.tensor(3)} (a Java {@code double} gives float32). */
    public static Tensor of(long value) {
        return scalar(DType.INT64, value);
    }

    /** A 1-D int64 tensor of the given values, as {@code torch.tensor([1, 2])}. */
    public static Tensor of(long... values) {
        return of(values, values.length);
    }

    /** A tensor of the given dtype, values and shape (row-major), as {@code torch.tensor(values, dtype=dtype)}. */
    public static Tensor of(DType dtype, double[] values, long... shape) {
        return fromDoubles(dtype, values, checkCount("of", values.length, shape));
    }

    /** {@code mask ? a : b} with two scalars, in the default float dtype. */
    public static Tensor where(Tensor mask, double a, double b) { return Pointwise.where(mask, of(a), of(b)); }

    /** Einstein summation, as {@code torch.einsum("ij,jk->ik", a, b)}. */
    public static Tensor einsum(String equation, Tensor... operands) { return Einsum.einsum(equation, operands); }

    /** This tensor's elements in {@code other}'s shape (a view). */
    public Tensor viewAs(Tensor other) { return view(other.shape); }
    /** This tensor's elements in {@code other}'s shape. */
    public Tensor reshapeAs(Tensor other) { return reshape(other.shape); }

    /**
     * Python's subscript {@code x[...]}: ints select, {@link Index} entries are slices ({@code Index.slice(1, 3)},
     * {@code Index.from(2)}, {@code Index.ALL}), {@code Index.NEW_AXIS} and {@code Index.ELLIPSIS}; int64 and bool
     * tensors index as PyTorch's advanced indexing does. A view unless a tensor index is given.
     */
    public Tensor index(Object... indices) { return Subscripts.index(this, indices); }
    /** {@code x[indices] = values} out of place: a copy with values (broadcast) written at the subscript. */
    public Tensor indexPut(Tensor values, Object... indices) { return Subscripts.indexPut(this, values, false, indices); }
    /** {@code x[indices] = value} out of place. */
    public Tensor indexPut(double value, Object... indices) { return indexPut(like(value).to(dtype), indices); }
    /** {@code x[indices] = values} in place (bumps the version, as the other in-place ops). */
    public Tensor indexPut_(Tensor values, Object... indices) { return InPlace.copy("indexPut_", this, indexPut(values, indices)); }
    /** {@code x[indices] = value} in place. */
    public Tensor indexPut_(double value, Object... indices) { return InPlace.copy("indexPut_", this, indexPut(value, indices)); }
    /** torch.index_put: one int64/bool tensor per leading dim; with accumulate, repeated positions add up. */
    public Tensor indexPut(List<Tensor> indices, Tensor values, boolean accumulate) {
        return Subscripts.indexPut(this, values, accumulate, indices.toArray());
    }

    // reductions without keepdim, and over several dims
    /** Sum over the given dims (removed). */
    public Tensor sum(int... dims) { return sum(dims, false); }
    /** Mean over the given dims (removed). */
    public Tensor mean(int... dims) { return mean(dims, false); }
    /** Product over one dim (removed). */
    public Tensor prod(int dim) { return prod(dim, false); }
    /** Maximum over the given dims, ties sharing the gradient. */
    public Tensor amax(int... dims) { return amax(dims, false); }
    /** Minimum over the given dims, ties sharing the gradient. */
    public Tensor amin(int... dims) { return amin(dims, false); }
    /** Maximum values and their positions along a dim, which is removed (torch.max(x, dim)). */
    public ValuesIndices max(int dim) { return max(dim, false); }
    /** Minimum values and their positions along a dim, which is removed. */
    public ValuesIndices min(int dim) { return min(dim, false); }
    /** Positions of the maxima along a dim (removed). */
    public Tensor argmax(int dim) { return argmax(dim, false); }
    /** Positions of the minima along a dim (removed). */
    public Tensor argmin(int dim) { return argmin(dim, false); }
    /** Unbiased variance over the given dims (removed). */
    public Tensor var(int... dims) { return var(dims, 1, false); }
    /** Unbiased standard deviation over the given dims (removed). */
    public Tensor std(int... dims) { return std(dims, 1, false); }
    /** log(sum(exp(x))) over the given dims (removed). */
    public Tensor logsumexp(int... dims) { return logsumexp(dims, false); }
    /** Bool mask: whether any element along the dim (removed) is nonzero. */
    public Tensor any(int dim) { return ne(0).to(DType.INT64).sum(dim).gt(0); }
    /** Bool mask: whether every element along the dim (removed) is nonzero. */
    public Tensor all(int dim) { return eq(0).to(DType.INT64).sum(dim).eq(0); }
    /** The 2-norm of all elements. */
    public Tensor norm() { return Norms.norm(this, 2, null, false); }
    /** The p-norm of all elements (p may be 0, 1, 2, any real, or +-infinity). */
    public Tensor norm(double p) { return Norms.norm(this, p, null, false); }
    /** The p-norm over the given dims (removed). */
    public Tensor norm(double p, int... dims) { return Norms.norm(this, p, dims, false); }
    /** The p-norm over the given dims. */
    public Tensor norm(double p, int[] dims, boolean keepdim) { return Norms.norm(this, p, dims, keepdim); }

    // scans and sorting
    /** Cumulative sums along a dim. */
    public Tensor cumsum(int dim) { return Scans.cumsum(this, dim); }
    /** Cumulative products along a dim. */
    public Tensor cumprod(int dim) { return Scans.cumprod(this, dim); }
    /** Ascending sort along the last dim, with the positions. */
    public ValuesIndices sort() { return sort(-1, false); }
    /** Sort along a dim (stable), with the positions. */
    public ValuesIndices sort(int dim, boolean descending) { return Sorting.sort(this, dim, descending); }
    /** Positions that sort the last dim ascending. */
    public Tensor argsort() { return argsort(-1, false); }
    /** Positions that sort a dim. */
    public Tensor argsort(int dim, boolean descending) { return Sorting.argsort(this, dim, descending); }
    /** The k largest values of the last dim, sorted, with their positions. */
    public ValuesIndices topk(long k) { return topk(k, -1, true, true); }
    /** The k largest (or smallest) values along a dim with their positions; always in sorted order. */
    public ValuesIndices topk(long k, int dim, boolean largest, boolean sorted) { return Sorting.topk(this, k, dim, largest); }
    /** The distinct values, sorted. */
    public Tensor unique() { return unique(false, false).values(); }
    /** The distinct values, sorted, with inverse positions and counts when asked for. */
    public Unique unique(boolean returnInverse, boolean returnCounts) { return Sorting.unique(this, returnInverse, returnCounts); }

    // activations and elementwise functions
    /** {@code x > 0 ? x : 0.01 x}. */
    public Tensor leakyRelu() { return leakyRelu(0.01); }
    /** {@code x > 0 ? x : slope x}. */
    public Tensor leakyRelu(double negativeSlope) { return Activations.leakyRelu(this, negativeSlope); }
    /** ELU with alpha 1. */
    public Tensor elu() { return elu(1); }
    /** {@code x > 0 ? x : alpha (exp(x) - 1)}. */
    public Tensor elu(double alpha) { return Activations.elu(this, alpha, 1); }
    /** SELU: ELU with PyTorch's fixed alpha and scale. */
    public Tensor selu() { return Activations.elu(this, Activations.SELU_ALPHA, Activations.SELU_SCALE); }
    /** {@code x * sigmoid(x)}. */
    public Tensor silu() { return Activations.silu(this); }
    /** {@code x * tanh(softplus(x))}. */
    public Tensor mish() { return Activations.mish(this); }
    /** Values limited to [-1, 1]. */
    public Tensor hardtanh() { return hardtanh(-1, 1); }
    /** Values limited to [min, max], the gradient passing strictly inside. */
    public Tensor hardtanh(double min, double max) { return Activations.hardtanh(this, min, max); }
    /** GELU; {@code approximate} is "none" (erf) or "tanh". */
    public Tensor gelu(String approximate) { return Activations.gelu(this, approximate); }
    /** {@code log(1 + exp(beta x)) / beta}, linear where {@code beta x > threshold}. */
    public Tensor softplus(double beta, double threshold) { return Activations.softplus(this, beta, threshold); }
    /** Largest integer not above each element. */
    public Tensor floor() { return Pointwise.unary(UnaryOp.FLOOR, this); }
    /** Smallest integer not below each element. */
    public Tensor ceil() { return Pointwise.unary(UnaryOp.CEIL, this); }
    /** Rounds halves to even, as torch.round. */
    public Tensor round() { return Pointwise.unary(UnaryOp.ROUND, this); }
    /** Each element rounded toward zero. */
    public Tensor trunc() { return Pointwise.unary(UnaryOp.TRUNC, this); }
    /** {@code x - trunc(x)}. */
    public Tensor frac() { return sub(trunc()); }
    /** Inverse sine. */
    public Tensor asin() { return Pointwise.unary(UnaryOp.ASIN, this); }
    /** Inverse cosine. */
    public Tensor acos() { return Pointwise.unary(UnaryOp.ACOS, this); }
    /** Inverse tangent. */
    public Tensor atan() { return Pointwise.unary(UnaryOp.ATAN, this); }
    /** Inverse hyperbolic sine. */
    public Tensor asinh() { return Pointwise.unary(UnaryOp.ASINH, this); }
    /** Inverse hyperbolic cosine. */
    public Tensor acosh() { return Pointwise.unary(UnaryOp.ACOSH, this); }
    /** Inverse hyperbolic tangent. */
    public Tensor atanh() { return Pointwise.unary(UnaryOp.ATANH, this); }
    /** The angle of the point (o, this): atan2(this, o). */
    public Tensor atan2(Tensor o) { return Pointwise.binary(BinaryOp.ATAN2, this, o); }
    /** C's fmod: the remainder with the sign of this tensor. */
    public Tensor fmod(Tensor o) { return Pointwise.binary(BinaryOp.FMOD, this, o); }
    /** C's fmod with a scalar divisor. */
    public Tensor fmod(double o) { return Pointwise.binary(BinaryOp.FMOD, this, like(o)); }
    /** Python's modulo: the remainder with the sign of the divisor. */
    public Tensor remainder(Tensor o) { return Pointwise.binary(BinaryOp.REMAINDER, this, o); }
    /** Python's modulo with a scalar divisor. */
    public Tensor remainder(double o) { return Pointwise.binary(BinaryOp.REMAINDER, this, like(o)); }
    /** {@code this + weight (end - this)}, computed from the nearer end as PyTorch does. */
    public Tensor lerp(Tensor end, double weight) { return Ternary.lerp(this, end, like(weight), "LerpBackward0"); }
    /** {@code this + weight (end - this)} with a tensor weight. */
    public Tensor lerp(Tensor end, Tensor weight) { return Ternary.lerp(this, end, weight, "LerpBackward1"); }
    /** {@code this + value * t1 * t2}. */
    public Tensor addcmul(Tensor t1, Tensor t2, double value) { return Ternary.addcmul(this, t1, t2, value); }
    /** {@code this + t1 * t2}. */
    public Tensor addcmul(Tensor t1, Tensor t2) { return addcmul(t1, t2, 1); }
    /** {@code this + value * t1 / t2}. */
    public Tensor addcdiv(Tensor t1, Tensor t2, double value) { return Ternary.addcdiv(this, t1, t2, value); }
    /** {@code this + t1 / t2}. */
    public Tensor addcdiv(Tensor t1, Tensor t2) { return addcdiv(t1, t2, 1); }

    // rearranging, padding and selecting
    /** Reverses the order along the given dims (a copy). */
    public Tensor flip(int... dims) { return Rearranging.flip(this, dims); }
    /** Shifts elements along a dim, wrapping around. */
    public Tensor roll(long shift, int dim) { return Rearranging.roll(this, new long[] {shift}, new int[] {dim}); }
    /** Shifts the flattened elements, wrapping around. */
    public Tensor roll(long shift) { return Rearranging.roll(this, new long[] {shift}, new int[0]); }
    /** Shifts along several dims. */
    public Tensor roll(long[] shifts, int[] dims) { return Rearranging.roll(this, shifts, dims); }
    /** Repeats the tensor along each dim (torch.Tensor.repeat). */
    public Tensor repeat(long... reps) { return Rearranging.repeat(this, reps); }
    /** As repeat, padding reps with leading ones (torch.tile). */
    public Tensor tile(long... reps) { return Rearranging.tile(this, reps); }
    /** The lower triangle of the last two dims, zeros above the main diagonal. */
    public Tensor tril() { return tril(0); }
    /** The lower triangle up to diagonal k. */
    public Tensor tril(long k) { return Rearranging.triangle(this, k, true); }
    /** The upper triangle of the last two dims, zeros below the main diagonal. */
    public Tensor triu() { return triu(0); }
    /** The upper triangle from diagonal k. */
    public Tensor triu(long k) { return Rearranging.triangle(this, k, false); }
    /** A vector's diagonal matrix, or a matrix's main diagonal. */
    public Tensor diag() { return diag(0); }
    /** A vector placed on diagonal k of a square matrix, or diagonal k of a matrix. */
    public Tensor diag(long k) { return Rearranging.diag(this, k); }
    /** Constant zero padding; {@code pads} lists (before, after) pairs from the last dim. */
    public Tensor pad(long... pads) { return Padding.pad(this, pads, "constant", 0); }
    /** Padding with mode "constant" (value), "reflect", "replicate" or "circular". */
    public Tensor pad(long[] pads, String mode, double value) { return Padding.pad(this, pads, mode, value); }
    /** Elements of the flattened tensor at the given positions. */
    public Tensor take(Tensor index) { return Selecting.take(this, index); }
    /** One-hot int64 rows for this int64 index tensor; numClasses -1 infers max + 1. */
    public Tensor oneHot(long numClasses) { return Selecting.oneHot(this, numClasses); }
    /** Coordinates of the nonzero elements, int64 [count, dim()]. */
    public Tensor nonzero() { return Selecting.nonzero(this); }
    /** Elements where the mask is true, 1-D. */
    public Tensor maskedSelect(Tensor mask) { return Selecting.maskedSelect(this, mask); }
    /** A copy with {@code src} written at {@code index} along dim. */
    public Tensor scatter(int dim, Tensor index, Tensor src) { return Selecting.scatter(this, dim, index, src); }
    /** A copy with {@code value} written at {@code index} along dim. */
    public Tensor scatter(int dim, Tensor index, double value) {
        return Selecting.scatter(this, dim, index, full(dtype, value, index.shape));
    }

    private static ValuesIndices valuesIndices(Tensor[] pair) {
        return new ValuesIndices(pair[0], pair[1]);
    }
}
