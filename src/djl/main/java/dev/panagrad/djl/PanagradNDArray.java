package dev.panagrad.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;

import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A DJL {@code NDArray} that is a panagrad {@link Tensor} (wrapped, not copied). Operations return new arrays
 * owned by this array's manager and record panagrad's autograd graph while a gradient collector is open.
 * Operations panagrad does not provide throw DJL's {@code UnsupportedOperationException}; arguments the core
 * refuses give DJL's {@code EngineException}, as with DJL's PyTorch engine ({@link EngineErrors}).
 *
 * <pre>{@code
 * NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
 * NDArray y = x.matMul(x).sum(new int[] {1});   // [7, 10] + [15, 22] row sums: [17, 37]
 * }</pre>
 */
public final class PanagradNDArray extends NDArrayAdapter {
    private static final AtomicLong IDS = new AtomicLong();

    private Tensor tensor;
    private Scope owned;                // where the op that made this array allocated; closed with the array
    private Thread opener;              // the thread that opened {@link #owned}
    private volatile boolean viewed;    // another array shares this array's bytes
    private PanagradNDArray gradient;   // one wrapper per array, refreshed when autograd replaces the gradient

    PanagradNDArray(PanagradNDManager manager, Tensor tensor, Scope owned, Thread opener) {
        super(manager, PanagradNDManager.UNSUPPORTED, new Shape(tensor.shape()), DataTypes.toDataType(tensor.dtype()),
                "panagrad-" + IDS.incrementAndGet());
        this.tensor = tensor;
        this.owned = owned;
        this.opener = opener;
        manager.attachInternal(uid, this);   // first: a closed or capped manager refuses before anything is recorded
        Lifetimes.register(this, tensor);
    }

    void markViewed() {
        viewed = true;
    }

    /** The panagrad tensor this array is (no copy); throws once the array is closed. */
    public Tensor tensor() {
        checkOpen("tensor");
        return tensor;
    }

    void checkOpen(String op) {
        if (isClosed) {
            throw new IllegalStateException(op + ": NDArray " + uid + (name == null ? "" : " (" + name + ")")
                    + " has been closed already");
        }
    }

    @Override
    public PanagradNDManager getManager() {
        return (PanagradNDManager) manager;
    }

    private PanagradNDArray unary(String op, UnaryOperator<Tensor> f) {
        checkOpen(op);
        Tensor x = tensor;
        return Lifetimes.compute(getManager(), () -> f.apply(x));
    }

    private PanagradNDArray binary(String op, NDArray other, BinaryOperator<Tensor> f) {
        checkOpen(op);
        Tensor x = tensor, o = PanagradNDManager.unwrap(op, other).tensor;
        return Lifetimes.compute(getManager(), () -> f.apply(x, o));
    }

    /** Replaces this array's values with {@code op(this)} in place (same storage), outside autograd. */
    private PanagradNDArray inPlace(String op, UnaryOperator<Tensor> f) {
        checkOpen(op);
        Tensor x = tensor;
        return replaceValues(() -> f.apply(x));
    }

    /** Writes {@code value} (broadcast, converted) into this array's storage, outside autograd. */
    PanagradNDArray replaceValues(Supplier<Tensor> value) {
        Lifetimes.temporarily(() -> {
            try (var g = GradMode.noGrad()) {
                tensor.copy_(value.get());
            }
        });
        return this;
    }

    // ------------------------------------------------------------------ identity, memory, conversion

    @Override
    public Device getDevice() {
        return Device.cpu();
    }

    @Override
    public NDArray toDevice(Device device, boolean copy) {
        PanagradNDManager.checkCpu(device);
        return copy ? duplicate() : this;
    }

    @Override
    public NDArray toType(DataType dataType, boolean copy) {
        DType dt = DataTypes.toDType(dataType);
        if (dt == tensor().dtype() && !copy) return this;
        return unary("toType", t -> dt == t.dtype() ? t.clone() : t.to(dt));
    }

    @Override
    public NDArray duplicate() {
        return unary("duplicate", Tensor::clone);
    }

    @Override
    public ByteBuffer toByteBuffer(boolean tryDirect) {
        checkOpen("toByteBuffer");
        Tensor c = tensor.contiguous();
        long bytes = c.numel() * c.dtype().byteSize();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
        MemorySegment.ofBuffer(out).copyFrom(c.segment().asSlice(c.offset() * c.dtype().byteSize(), bytes));
        return out;
    }

    @Override
    public void set(Buffer buffer) {
        checkOpen("set");
        PanagradNDArray src = getManager().create(buffer, getShape(), getDataType());
        replaceValues(() -> src.tensor);
        src.close();
    }

    @Override
    public void intern(NDArray replaced) {
        checkOpen("intern");
        PanagradNDArray other = PanagradNDManager.unwrap("intern", replaced);
        Lifetimes.release(tensor, owned, opener, viewed);
        tensor = other.tensor;
        owned = other.owned;
        opener = other.opener;
        viewed = other.viewed;
        shape = other.shape;
        dataType = other.dataType;
        other.detach();
        other.isClosed = true;
        other.tensor = null;
        other.owned = null;
    }

    @Override
    public void detach() {
        manager.detachInternal(getUid());
        manager = PanagradNDManager.system();
    }

    @Override
    public void close() {
        if (isClosed) return;
        super.close();
        Lifetimes.release(tensor, owned, opener, viewed);
        tensor = null;
        owned = null;
        gradient = null;
    }

    @Override
    public void attach(NDManager target) {
        super.attach(target);
        alternativeManager = PanagradNDManager.UNSUPPORTED;   // the adapter would otherwise point it at target
    }

    @Override
    public NDArray get(NDIndex index) {
        return get(getManager(), index);
    }

    @Override
    public void set(NDIndex index, NDArray value) {
        getNDArrayInternal().getIndexer(getManager()).set(this, index, value);
    }

    @Override
    public void set(NDIndex index, Number value) {
        getNDArrayInternal().getIndexer(getManager()).set(this, index, value);
    }

    @Override
    public void setScalar(NDIndex index, Number value) {
        getNDArrayInternal().getIndexer(getManager()).setScalar(this, index, value);
    }

    @Override
    public NDArrayEx getNDArrayInternal() {
        checkOpen("getNDArrayInternal");
        return new PanagradNDArrayEx(this);
    }

    // ------------------------------------------------------------------ gradients

    @Override
    public void setRequiresGradient(boolean requiresGrad) {
        checkOpen("setRequiresGradient");
        if (!tensor.isLeaf()) tensor = tensor.detach();
        Tensor t = tensor;
        EngineErrors.call(() -> t.requiresGrad(requiresGrad));   // refuses non-floating dtypes, as libtorch does
    }

    @Override
    public NDArray getGradient() {
        checkOpen("getGradient");
        if (!tensor.requiresGrad()) {
            throw new IllegalStateException("getGradient: no gradient attached to this NDArray; call "
                    + "array.setRequiresGradient(true) (or set the block's initializer) before recording");
        }
        Tensor g = tensor.grad();
        if (g == null) {
            g = Scope.unscoped(tensor::zerosLike);
            tensor.setGrad(g);
        }
        if (gradient == null || gradient.isClosed) {
            gradient = getManager().wrap(g);
        } else {
            gradient.tensor = g;
        }
        return gradient;
    }

    @Override
    public boolean hasGradient() {
        return !isClosed && tensor.requiresGrad();
    }

    @Override
    public NDArray stopGradient() {
        return unary("stopGradient", Tensor::detach);
    }

    void zeroGradient() {
        Tensor g = tensor.grad();
        if (g != null) {
            try (var guard = GradMode.noGrad()) {
                g.zero_();
            }
        }
    }

    // ------------------------------------------------------------------ arithmetic

    @Override
    public NDArray add(Number n) { return unary("add", t -> t.add(n.doubleValue())); }

    @Override
    public NDArray add(NDArray other) { return binary("add", other, Tensor::add); }

    @Override
    public NDArray sub(Number n) { return unary("sub", t -> t.sub(n.doubleValue())); }

    @Override
    public NDArray sub(NDArray other) { return binary("sub", other, Tensor::sub); }

    @Override
    public NDArray mul(Number n) { return unary("mul", t -> t.mul(n.doubleValue())); }

    @Override
    public NDArray mul(NDArray other) { return binary("mul", other, Tensor::mul); }

    @Override
    public NDArray div(Number n) { return unary("div", t -> t.div(n.doubleValue())); }

    @Override
    public NDArray div(NDArray other) { return binary("div", other, Tensor::div); }

    @Override
    public NDArray pow(Number n) { return unary("pow", t -> t.pow(n.doubleValue())); }

    @Override
    public NDArray pow(NDArray other) { return binary("pow", other, Tensor::pow); }

    @Override
    public NDArray addi(Number n) { return inPlace("addi", t -> t.add(n.doubleValue())); }

    @Override
    public NDArray addi(NDArray other) { Tensor o = PanagradNDManager.unwrap("addi", other).tensor; return inPlace("addi", t -> t.add(o)); }

    @Override
    public NDArray subi(Number n) { return inPlace("subi", t -> t.sub(n.doubleValue())); }

    @Override
    public NDArray subi(NDArray other) { Tensor o = PanagradNDManager.unwrap("subi", other).tensor; return inPlace("subi", t -> t.sub(o)); }

    @Override
    public NDArray muli(Number n) { return inPlace("muli", t -> t.mul(n.doubleValue())); }

    @Override
    public NDArray muli(NDArray other) { Tensor o = PanagradNDManager.unwrap("muli", other).tensor; return inPlace("muli", t -> t.mul(o)); }

    @Override
    public NDArray divi(Number n) { return inPlace("divi", t -> t.div(n.doubleValue())); }

    @Override
    public NDArray divi(NDArray other) { Tensor o = PanagradNDManager.unwrap("divi", other).tensor; return inPlace("divi", t -> t.div(o)); }

    @Override
    public NDArray powi(Number n) { return inPlace("powi", t -> t.pow(n.doubleValue())); }

    @Override
    public NDArray negi() { return inPlace("negi", Tensor::neg); }

    @Override
    public NDArray signi() { return inPlace("signi", Tensor::sign); }

    @Override
    public NDArray maximum(Number n) { return unary("maximum", t -> t.clampMin(n.doubleValue())); }

    @Override
    public NDArray maximum(NDArray other) { return binary("maximum", other, Tensor::maximum); }

    @Override
    public NDArray minimum(Number n) { return unary("minimum", t -> t.clampMax(n.doubleValue())); }

    @Override
    public NDArray minimum(NDArray other) { return binary("minimum", other, Tensor::minimum); }

    @Override
    public NDArray neg() { return unary("neg", Tensor::neg); }

    @Override
    public NDArray abs() { return unary("abs", Tensor::abs); }

    @Override
    public NDArray sign() { return unary("sign", Tensor::sign); }

    @Override
    public NDArray square() { return unary("square", Tensor::square); }

    @Override
    public NDArray sqrt() { return unary("sqrt", Tensor::sqrt); }

    @Override
    public NDArray exp() { return unary("exp", Tensor::exp); }

    @Override
    public NDArray log() { return unary("log", Tensor::log); }

    @Override
    public NDArray log2() { return unary("log2", t -> t.log().div(Math.log(2))); }

    @Override
    public NDArray log10() { return unary("log10", t -> t.log().div(Math.log(10))); }

    @Override
    public NDArray sin() { return unary("sin", Tensor::sin); }

    @Override
    public NDArray cos() { return unary("cos", Tensor::cos); }

    @Override
    public NDArray tanh() { return unary("tanh", Tensor::tanh); }

    @Override
    public NDArray erf() { return unary("erf", Tensor::erf); }

    @Override
    public NDArray clip(Number min, Number max) { return unary("clip", t -> t.clamp(min.doubleValue(), max.doubleValue())); }

    @Override
    public NDArray isNaN() { return unary("isNaN", Tensor::isnan); }

    @Override
    public NDArray isInfinite() { return unary("isInfinite", t -> t.abs().eq(Double.POSITIVE_INFINITY)); }

    // ------------------------------------------------------------------ comparison and logic

    @Override
    public NDArray eq(Number n) { return unary("eq", t -> t.eq(n.doubleValue())); }

    @Override
    public NDArray eq(NDArray other) { return binary("eq", other, Tensor::eq); }

    @Override
    public NDArray neq(Number n) { return unary("neq", t -> t.ne(n.doubleValue())); }

    @Override
    public NDArray neq(NDArray other) { return binary("neq", other, Tensor::ne); }

    @Override
    public NDArray gt(Number n) { return unary("gt", t -> t.gt(n.doubleValue())); }

    @Override
    public NDArray gt(NDArray other) { return binary("gt", other, Tensor::gt); }

    @Override
    public NDArray gte(Number n) { return unary("gte", t -> t.ge(n.doubleValue())); }

    @Override
    public NDArray gte(NDArray other) { return binary("gte", other, Tensor::ge); }

    @Override
    public NDArray lt(Number n) { return unary("lt", t -> t.lt(n.doubleValue())); }

    @Override
    public NDArray lt(NDArray other) { return binary("lt", other, Tensor::lt); }

    @Override
    public NDArray lte(Number n) { return unary("lte", t -> t.le(n.doubleValue())); }

    @Override
    public NDArray lte(NDArray other) { return binary("lte", other, Tensor::le); }

    @Override
    public NDArray logicalAnd(NDArray other) { return binary("logicalAnd", other, Tensor::logicalAnd); }

    @Override
    public NDArray logicalOr(NDArray other) { return binary("logicalOr", other, Tensor::logicalOr); }

    @Override
    public NDArray logicalXor(NDArray other) { return binary("logicalXor", other, (a, b) -> a.ne(0).ne(b.ne(0))); }

    @Override
    public NDArray logicalNot() { return unary("logicalNot", Tensor::logicalNot); }

    @Override
    public boolean contentEquals(Number number) {
        checkOpen("contentEquals");
        return tensor.eq(number.doubleValue()).all();
    }

    @Override
    public boolean contentEquals(NDArray other) {
        checkOpen("contentEquals");
        if (!(other instanceof PanagradNDArray p)) return super.contentEquals(other);
        return getShape().equals(p.getShape()) && getDataType() == p.getDataType() && tensor.eq(p.tensor()).all();
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public NDArray sum() { return unary("sum", Tensor::sum); }

    @Override
    public NDArray sum(int[] axes, boolean keepDims) { return unary("sum", t -> t.sum(axes, keepDims)); }

    @Override
    public NDArray mean() { return unary("mean", Tensor::mean); }

    @Override
    public NDArray mean(int[] axes, boolean keepDims) { return unary("mean", t -> t.mean(axes, keepDims)); }

    @Override
    public NDArray prod() { return unary("prod", Tensor::prod); }

    @Override
    public NDArray max() { return unary("max", Tensor::max); }

    @Override
    public NDArray max(int[] axes, boolean keepDims) { return unary("max", t -> t.amax(axes, keepDims)); }

    @Override
    public NDArray min() { return unary("min", Tensor::min); }

    @Override
    public NDArray min(int[] axes, boolean keepDims) { return unary("min", t -> t.amin(axes, keepDims)); }

    @Override
    public NDArray argMax() {
        refuseEmpty("argMax");
        return unary("argMax", Tensor::argmax);
    }

    @Override
    public NDArray argMax(int axis) { return unary("argMax", t -> t.argmax(axis, false)); }

    @Override
    public NDArray argMin() {
        refuseEmpty("argMin");
        return unary("argMin", t -> t.flatten().argmin(0, false));
    }

    /** DJL's engines refuse an empty array here in Java, with IllegalArgumentException. */
    private void refuseEmpty(String op) {
        if (isEmpty()) throw new IllegalArgumentException(op + ": attempt to get " + op + " of an empty NDArray");
    }

    @Override
    public NDArray argMin(int axis) { return unary("argMin", t -> t.argmin(axis, false)); }

    @Override
    public NDArray softmax(int axis) { return unary("softmax", t -> t.softmax(axis)); }

    @Override
    public NDArray logSoftmax(int axis) { return unary("logSoftmax", t -> t.logSoftmax(axis)); }

    // ------------------------------------------------------------------ shapes

    @Override
    public NDArray reshape(Shape newShape) { return unary("reshape", t -> t.reshape(newShape.getShape())); }

    @Override
    public NDArray expandDims(int axis) { return unary("expandDims", t -> t.unsqueeze(axis)); }

    @Override
    public NDArray squeeze() { return unary("squeeze", Tensor::squeeze); }

    @Override
    public NDArray squeeze(int[] axes) {
        checkOpen("squeeze");
        // DJL's engines check the axes in Java, before the native call
        int rank = tensor.dim(), axisCount = Math.max(1, rank);
        int[] dims = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < -axisCount || axes[i] >= axisCount) {
                throw new IllegalArgumentException("squeeze: axis " + axes[i] + " is out of bounds for shape "
                        + getShape() + "; expected an axis in [" + -axisCount + ", " + axisCount + ")");
            }
            dims[i] = Math.floorMod(axes[i], axisCount);
            if (rank > 0 && tensor.size(dims[i]) != 1) {
                throw new IllegalArgumentException("squeeze: axis " + axes[i] + " of shape " + getShape()
                        + " has size " + tensor.size(dims[i]) + "; expected size 1");
            }
        }
        return unary("squeeze", t -> squeeze(t, dims));
    }

    /** {@code x} without the given dimensions (any order), removed from the last so the others keep their place. */
    static Tensor squeeze(Tensor x, int[] dims) {
        int[] sorted = dims.clone();
        Arrays.sort(sorted);
        Tensor r = x;
        for (int i = sorted.length - 1; i >= 0; i--) r = r.squeeze(sorted[i]);
        return r;
    }

    @Override
    public NDArray flatten() { return unary("flatten", Tensor::flatten); }

    @Override
    public NDArray flatten(int startDim, int endDim) { return unary("flatten", t -> t.flatten(startDim, endDim)); }

    @Override
    public NDArray transpose() {
        return unary("transpose", t -> {
            int[] dims = new int[t.dim()];
            for (int i = 0; i < dims.length; i++) dims[i] = dims.length - 1 - i;
            return t.permute(dims);
        });
    }

    @Override
    public NDArray transpose(int... axes) {
        if (isScalar() && axes.length > 0) {
            throw new IllegalArgumentException("transpose: a scalar has no axes; given " + Arrays.toString(axes));
        }
        return unary("transpose", t -> t.permute(axes));
    }

    @Override
    public NDArray broadcast(Shape target) { return unary("broadcast", t -> t.expand(target.getShape())); }

    @Override
    public NDList split(long sections, int axis) {
        checkOpen("split");
        long size = tensor.size(Math.floorMod(axis, Math.max(1, tensor.dim())));
        if (sections <= 0 || size % sections != 0) {
            throw new IllegalArgumentException("split: axis " + axis + " of size " + size + " cannot be split into "
                    + sections + " equal sections");
        }
        Tensor x = tensor;
        return split(() -> x.split(size / sections, axis));
    }

    @Override
    public NDList split(long[] indices, int axis) {
        checkOpen("split");
        Tensor x = tensor;
        return split(() -> {
            int d = Math.floorMod(axis, Math.max(1, x.dim()));
            long size = x.size(d);
            List<Tensor> parts = new ArrayList<>();
            long start = 0;
            for (int i = 0; i <= indices.length; i++) {
                long end = i == indices.length ? size : Math.min(size, Math.max(start, indices[i]));
                parts.add(x.narrow(d, start, end - start));
                start = end;
            }
            return parts;
        });
    }

    /** The parts (views of this array's bytes) as arrays of this manager. */
    private NDList split(Supplier<List<Tensor>> parts) {
        List<Tensor> views = EngineErrors.call(parts);
        NDList out = new NDList(views.size());
        for (Tensor p : views) out.add(getManager().wrap(p));
        return out;
    }

    @Override
    public NDArray matMul(NDArray other) {
        refuseScalars("matMul", other);
        return binary("matMul", other, Tensor::matmul);
    }

    /** DJL's engines refuse scalars here in Java, before the native call, with IllegalArgumentException. */
    private void refuseScalars(String op, NDArray other) {
        if (isScalar() || other.isScalar()) {
            throw new IllegalArgumentException(op + ": scalar is not allowed; given " + getShape() + " and "
                    + other.getShape() + "; expected at least 1 dimension each");
        }
    }

    @Override
    public NDArray dot(NDArray other) {
        return binary("dot", other, (a, b) -> a.dim() == 0 || b.dim() == 0 ? a.mul(b)
                : a.dim() == 1 && b.dim() == 1 ? a.mul(b).sum() : a.matmul(b));
    }

    @Override
    public NDArray gather(NDArray index, int axis) {
        return binary("gather", index, (t, i) -> t.gather(axis, i.to(DType.INT64)));
    }

    @Override
    public NDArray oneHot(int depth, float onValue, float offValue, DataType dataType) {
        DType dt = DataTypes.toDType(dataType);
        return unary("oneHot", t -> {
            Tensor hit = t.to(DType.INT64).unsqueeze(-1).eq(Tensor.arange(depth));
            return Tensor.where(hit, Tensor.scalar(dt, onValue), Tensor.scalar(dt, offValue));
        });
    }

    @Override
    public String toString() {
        if (isClosed) return "This array is already closed";
        return "ND: " + getShape() + " cpu() " + getDataType() + "\n" + tensor;
    }
}
