package dev.panagrad.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

import java.lang.foreign.MemorySegment;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/**
 * DJL's {@code NDManager} over panagrad tensors. Arrays belong to the manager that made them (or the one
 * they were attached to); closing a manager closes its arrays and sub-managers, as DJL specifies. A closed
 * array drops its tensor at once; the tensor's bytes go back to panagrad's pool when no other array or
 * graph node still uses them (a view may share them), so nothing is freed while in use and nothing twice.
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager("Panagrad")) {
 *     NDArray x = manager.randomNormal(new Shape(2, 3));
 * }   // x is closed here
 * }</pre>
 */
public class PanagradNDManager extends BaseNDManager {
    /** DJL's NDArrayAdapter sends the operations an engine lacks to this manager, which names them in its refusal. */
    static final PanagradNDManager UNSUPPORTED = new UnsupportedOperations();
    private static final PanagradNDManager SYSTEM = new SystemManager();

    private PanagradNDManager(NDManager parent, Device device) {
        super(parent, checkCpu(device));
        alternativeManager = UNSUPPORTED;
    }

    static PanagradNDManager system() {
        return SYSTEM;
    }

    static Device checkCpu(Device device) {
        if (device != null && !Device.Type.CPU.equals(device.getDeviceType())) {
            throw new IllegalArgumentException("Panagrad: only the CPU is supported; given device " + device);
        }
        return device == null ? Device.cpu() : device;
    }

    /** The panagrad array behind a DJL array of this engine; other engines' arrays are refused. */
    static PanagradNDArray unwrap(String op, NDArray array) {
        if (array instanceof PanagradNDArray p) {
            p.checkOpen(op);
            return p;
        }
        throw new IllegalArgumentException(op + ": expected an NDArray of the Panagrad engine, given "
                + (array == null ? "null" : array.getClass().getName()) + "; copy it with manager.from(array)");
    }

    /** Wraps {@code t} (no copy) as an array of this manager that owns no memory of its own (a view). */
    PanagradNDArray wrap(Tensor t) {
        return new PanagradNDArray(this, t, null, null);
    }

    private PanagradNDArray compute(Supplier<Tensor> body) {
        return Lifetimes.compute(this, body);
    }

    @Override
    public ByteBuffer allocateDirect(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    @Override
    public PanagradNDArray from(NDArray array) {
        if (array == null || array instanceof PanagradNDArray) return (PanagradNDArray) array;
        PanagradNDArray result = create(array.toByteBuffer(), array.getShape(), array.getDataType());
        result.setName(array.getName());
        return result;
    }

    @Override
    public PanagradNDArray create(Shape shape, DataType dataType) {
        checkOpen("create");
        return compute(() -> Tensor.zeros(DataTypes.toDType(dataType), shape.getShape()));
    }

    @Override
    public PanagradNDArray create(Buffer data, Shape shape, DataType dataType) {
        checkOpen("create");
        int size = Math.toIntExact(shape.size());
        BaseNDManager.validateBuffer(data, dataType, size);
        DType dt = DataTypes.toDType(dataType);
        ByteBuffer bytes = allocateDirect(size * dataType.getNumOfBytes());
        copyBuffer(data, bytes);
        return compute(() -> {
            Tensor t = Tensor.empty(dt, shape.getShape());
            t.segment().copyFrom(MemorySegment.ofBuffer(bytes));
            return t;
        });
    }

    @Override
    public NDArray zeros(Shape shape, DataType dataType) {
        return create(shape, dataType);
    }

    @Override
    public NDArray ones(Shape shape, DataType dataType) {
        return full(shape, 1, dataType);
    }

    @Override
    public NDArray full(Shape shape, float value, DataType dataType) {
        checkOpen("full");
        return compute(() -> Tensor.full(DataTypes.toDType(dataType), value, shape.getShape()));
    }

    @Override
    public NDArray arange(int start, int stop, int step, DataType dataType) {
        return arange((float) start, (float) stop, (float) step, dataType);
    }

    @Override
    public NDArray arange(float start, float stop, float step, DataType dataType) {
        checkOpen("arange");
        if (step == 0) throw new IllegalArgumentException("arange: step must not be 0");
        return compute(() -> Tensor.arange(DataTypes.toDType(dataType), start, stop, step));
    }

    @Override
    public NDArray eye(int rows, int cols, int k, DataType dataType) {
        checkOpen("eye");
        if (k != 0) throw new UnsupportedOperationException("eye: Panagrad supports only the main diagonal (k = 0)");
        return compute(() -> Tensor.eye(DataTypes.toDType(dataType), rows, cols));
    }

    @Override
    public NDArray linspace(float start, float stop, int num, boolean endpoint) {
        checkOpen("linspace");
        if (num < 0) throw new IllegalArgumentException("linspace: number of steps must be >= 0, given " + num);
        if (endpoint || num == 0) return compute(() -> Tensor.linspace(start, stop, num));
        float step = (stop - start) / num;
        return compute(() -> Tensor.linspace(start, stop - step, num));
    }

    @Override
    public NDArray randomInteger(long low, long high, Shape shape, DataType dataType) {
        checkOpen("randomInteger");
        DType dt = DataTypes.toDType(dataType);
        return compute(() -> Generator.global().randint(low, high, shape.getShape()).to(dt));
    }

    @Override
    public NDArray randomUniform(float low, float high, Shape shape, DataType dataType) {
        checkOpen("randomUniform");
        DType dt = DataTypes.toDType(dataType);
        return compute(() -> Generator.global().rand(dt, shape.getShape()).mul(high - low).add(low));
    }

    @Override
    public NDArray randomNormal(float loc, float scale, Shape shape, DataType dataType) {
        checkOpen("randomNormal");
        DType dt = DataTypes.toDType(dataType);
        return compute(() -> Generator.global().randn(dt, shape.getShape()).mul(scale).add(loc));
    }

    @Override
    public PanagradNDManager newSubManager(Device device) {
        checkOpen("newSubManager");
        PanagradNDManager manager = new PanagradNDManager(this, device == null ? this.device : device);
        attachUncappedInternal(manager.uid, manager);
        return manager;
    }

    @Override
    public final Engine getEngine() {
        return PanagradEngine.INSTANCE;
    }

    void checkOpen(String op) {
        if (!isOpen()) {
            throw new IllegalStateException(op + ": NDManager " + uid + " has been closed already");
        }
    }

    /** Zeroes the gradients of the open arrays of this manager and its sub-managers. */
    void zeroGradients() {
        for (AutoCloseable r : resources.values()) {
            if (r instanceof PanagradNDArray a && !a.isReleased()) {
                a.zeroGradient();
            } else if (r instanceof PanagradNDManager m) {
                m.zeroGradients();
            }
        }
    }

    /**
     * Refuses to take over an array: DJL's adapter calls {@code from} for an operation panagrad does not
     * implement, and the refusal names that operation (the adapter method on the stack).
     */
    private static final class UnsupportedOperations extends PanagradNDManager {
        UnsupportedOperations() {
            super(null, Device.cpu());
        }

        @Override
        public PanagradNDArray from(NDArray array) {
            String op = StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> f.getClassName().startsWith("ai.djl.ndarray.")
                            && !f.getMethodName().equals("getAlternativeArray"))
                    .map(StackWalker.StackFrame::getMethodName).findFirst().orElse("this operation"));
            throw new UnsupportedOperationException("Panagrad does not support NDArray." + op);
        }

        @Override
        public void close() {}
    }

    /** The root of every Panagrad manager; it is never closed. */
    private static final class SystemManager extends PanagradNDManager implements SystemNDManager {
        SystemManager() {
            super(null, Device.cpu());
        }

        @Override
        public void close() {}
    }
}
