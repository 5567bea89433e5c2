package dev.panagrad.bench.torch;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtDeviceType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * PyTorch (libtorch 2.7.1 CPU) as the benchmarks drive it: DJL 0.36 loads the native library from
 * the {@code pytorch-native-cpu} jar on the class path (offline), and the hot loops call DJL's JNI
 * entry points ({@code ai.djl.pytorch.jni.PyTorchLibrary}) directly on raw tensor handles.
 *
 * <p>Why the raw JNI level: each call here is one JNI transition into the same ATen function that
 * {@code torch.add}/{@code torch.matmul} reach from Python, plus one {@code torchDeleteTensor} for
 * the result. DJL's NDArray API adds a {@code PtNDArray} wrapper per result, registration in its
 * {@code NDManager} and, for scalar operands, a fresh 0-dim tensor per call. {@link TorchDjlOverhead}
 * measures the difference; on this machine (Zen 5, 1 thread, other work on the second core) a
 * 1-element add cost 0.95 us through raw JNI against 2.0 us through the NDArray API, and
 * {@code a.mul(1.0001f)} through the NDArray API 25 us (the scalar becomes a new tensor through a
 * direct buffer), while a bare JNI round trip costs 11 ns. So the raw path measures PyTorch's own
 * per-op cost (dispatcher, allocation, autograd recording), not DJL's.
 *
 * <p>Tensors for inputs and parameters are created once with the NDArray API in {@code @Setup}
 * (convenient, outside the measurement) and their handles used in the hot loops. Every handle a
 * raw call returns is owned by the caller and must be released with {@link #free(long)}; the
 * autograd graph keeps whatever it still needs alive on the native side.
 */
public final class Torch {
    private Torch() {}

    private static final Object LIB;
    private static final MethodHandle ADD, ADDI, SUB, MUL, SUBI, EXP, TANH, SIGMOID, NEG, SUM, SUM_DIMS, MEAN,
            SOFTMAX, LOG_SOFTMAX, MATMUL, CONV, BATCH_NORM, MAX_POOL, RELU, LINEAR, RESHAPE, GATHER,
            BACKWARD, GRAD, ATTACH_GRAD, ZERO_GRAD, DELETE, SET_GRAD_MODE, NUM_THREADS, EMPTY,
            MULI, DIV, DIVI, SQRT, DROPOUT, ARGMAX, EQ, FULL, ZEROS, UNIFORM, RANDPERM, SLICE, INDEX_INIT,
            INDEX_APPEND_ARRAY, INDEX_ADV_GET, INDEX_DELETE, DATA, MANUAL_SEED, SIZES;

    private static volatile NDManager manager;

    static {
        // Loading the engine loads libtorch and libdjl_torch (extracting them from the jars on the
        // class path into the DJL cache the first time); only then is PyTorchLibrary usable.
        Engine engine = Engine.getEngine("PyTorch");
        if (engine == null) {
            throw new IllegalStateException("DJL: PyTorch engine not found on the class path");
        }
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field f = lib.getDeclaredField("LIB");
            f.setAccessible(true);
            LIB = f.get(null);
            ADD = bind(lib, "torchAdd", long.class, long.class, long.class);
            ADDI = bind(lib, "torchAddi", void.class, long.class, long.class);
            SUB = bind(lib, "torchSub", long.class, long.class, long.class);
            MUL = bind(lib, "torchMul", long.class, long.class, long.class);
            SUBI = bind(lib, "torchSubi", void.class, long.class, long.class);
            EXP = bind(lib, "torchExp", long.class, long.class);
            TANH = bind(lib, "torchTanh", long.class, long.class);
            SIGMOID = bind(lib, "torchSigmoid", long.class, long.class);
            NEG = bind(lib, "torchNeg", long.class, long.class);
            SUM = bind(lib, "torchSum", long.class, long.class);
            SUM_DIMS = bind(lib, "torchSum", long.class, long.class, long[].class, boolean.class);
            MEAN = bind(lib, "torchMean", long.class, long.class);
            SOFTMAX = bind(lib, "torchSoftmax", long.class, long.class, long.class, int.class);
            LOG_SOFTMAX = bind(lib, "torchLogSoftmax", long.class, long.class, long.class, int.class);
            MATMUL = bind(lib, "torchMatmul", long.class, long.class, long.class);
            CONV = bind(lib, "torchNNConvNd", long.class, long.class, long.class, long.class,
                    long[].class, long[].class, long[].class, int.class);
            BATCH_NORM = bind(lib, "torchNNBatchNorm", long.class, long.class, long.class, long.class,
                    long.class, long.class, boolean.class, double.class, double.class);
            MAX_POOL = bind(lib, "torchNNMaxPool", long.class, long.class, long[].class, long[].class,
                    long[].class, boolean.class);
            RELU = bind(lib, "torchNNRelu", long.class, long.class);
            LINEAR = bind(lib, "torchNNLinear", long.class, long.class, long.class, long.class);
            RESHAPE = bind(lib, "torchReshape", long.class, long.class, long[].class);
            GATHER = bind(lib, "torchGather", long.class, long.class, long.class, long.class, boolean.class);
            BACKWARD = bind(lib, "torchBackward", void.class, long.class, long.class, boolean.class, boolean.class);
            GRAD = bind(lib, "torchGrad", long.class, long.class);
            ATTACH_GRAD = bind(lib, "torchAttachGrad", void.class, long.class, boolean.class);
            ZERO_GRAD = bind(lib, "zeroGrad", void.class, long.class);
            DELETE = bind(lib, "torchDeleteTensor", void.class, long.class);
            SET_GRAD_MODE = bind(lib, "torchSetGradMode", void.class, boolean.class);
            NUM_THREADS = bind(lib, "torchGetNumThreads", int.class);
            EMPTY = bind(lib, "torchEmpty", long.class, long[].class, int.class, int.class, int[].class, boolean.class);
            MULI = bind(lib, "torchMuli", void.class, long.class, long.class);
            DIV = bind(lib, "torchTrueDivide", long.class, long.class, long.class);
            DIVI = bind(lib, "torchTrueDividei", void.class, long.class, long.class);
            SQRT = bind(lib, "torchSqrt", long.class, long.class);
            DROPOUT = bind(lib, "torchNNDropout", long.class, long.class, double.class, boolean.class);
            ARGMAX = bind(lib, "torchArgMax", long.class, long.class, long.class, boolean.class);
            EQ = bind(lib, "torchEq", long.class, long.class, long.class);
            FULL = bind(lib, "torchFull", long.class, long[].class, double.class, int.class, int.class, int[].class,
                    boolean.class);
            ZEROS = bind(lib, "torchZeros", long.class, long[].class, int.class, int.class, int[].class, boolean.class);
            UNIFORM = bind(lib, "tensorUniform", long.class, double.class, double.class, long[].class, int.class,
                    int.class, int[].class, boolean.class);
            RANDPERM = bind(lib, "torchRandPerm", long.class, long.class, int.class, int.class, int[].class,
                    boolean.class);
            SLICE = bind(lib, "torchSlice", long.class, long.class, long.class, long.class, long.class, long.class);
            INDEX_INIT = bind(lib, "torchIndexInit", long.class, int.class);
            INDEX_APPEND_ARRAY = bind(lib, "torchIndexAppendArray", void.class, long.class, long.class);
            INDEX_ADV_GET = bind(lib, "torchIndexAdvGet", long.class, long.class, long.class);
            INDEX_DELETE = bind(lib, "torchDeleteIndex", void.class, long.class);
            DATA = bind(lib, "torchDataPtr", byte[].class, long.class);
            MANUAL_SEED = bind(lib, "torchManualSeed", void.class, long.class);
            SIZES = bind(lib, "torchSizes", long[].class, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MethodHandle bind(Class<?> lib, String name, Class<?> ret, Class<?>... args)
            throws ReflectiveOperationException {
        Method m = lib.getDeclaredMethod(name, args);
        m.setAccessible(true);
        MethodHandle h = MethodHandles.lookup().unreflect(m).bindTo(LIB);
        return h.asType(MethodType.methodType(ret, args));
    }

    /**
     * Sets libtorch's intra-op threads (OpenMP) and inter-op threads for this JVM. Each JMH fork runs
     * one parameter combination, so the inter-op setting (allowed once per process) is made here
     * once, before any parallel work.
     */
    public static void threads(int n) {
        JniUtils.setNumThreads(n);
        try {
            JniUtils.setNumInteropThreads(n);
        } catch (RuntimeException alreadySet) {
            // libtorch refuses a second call after parallel work started; intra-op threads decide
            // the kernels' parallelism anyway.
        }
        if (JniUtils.getNumThreads() != n) {
            throw new IllegalStateException("libtorch threads: asked for " + n + ", got " + JniUtils.getNumThreads());
        }
    }

    public static int threads() {
        try {
            return (int) NUM_THREADS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The NDManager that owns every tensor made in {@code @Setup}; never closed while the JVM runs. */
    public static NDManager manager() {
        NDManager m = manager;
        if (m == null) {
            synchronized (Torch.class) {
                if (manager == null) {
                    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                }
                m = manager;
            }
        }
        return m;
    }

    public static String version() {
        return Engine.getEngine("PyTorch").getVersion();
    }

    // ---- creating tensors in @Setup (NDArray API) -------------------------------------------

    /** float32 tensor with elements drawn from N(0, 1), deterministic per seed. */
    public static NDArray randn(long seed, long... shape) {
        return randn(seed, DataType.FLOAT32, shape);
    }

    /** Tensor of the given type with elements drawn from N(0, 1), deterministic per seed. */
    public static NDArray randn(long seed, DataType type, long... shape) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return manager().randomNormal(new Shape(shape), type);
    }

    /** float32 tensor with elements uniform in [lo, hi). */
    public static NDArray uniform(long seed, float lo, float hi, long... shape) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        return manager().randomUniform(lo, hi, new Shape(shape), DataType.FLOAT32);
    }

    public static NDArray zeros(long... shape) {
        return manager().zeros(new Shape(shape), DataType.FLOAT32);
    }

    public static NDArray ones(long... shape) {
        return manager().ones(new Shape(shape), DataType.FLOAT32);
    }

    /** A 0-dim float32 tensor holding v. */
    public static NDArray scalar(float v) {
        return manager().create(v);
    }

    /** int64 class labels in [0, classes), as a column [n, 1] ready for gather along dim 1. */
    public static NDArray labels(long seed, int n, int classes) {
        java.util.Random r = new java.util.Random(seed);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
        }
        return manager().create(y, new Shape(n, 1));
    }

    /** The raw handle of a tensor made by the NDArray API (still owned by that NDArray). */
    public static long handle(NDArray a) {
        return ((PtNDArray) a).getHandle();
    }

    /** Wraps a raw handle as an NDArray owned by {@link #manager()} (for reading values back). */
    public static NDArray wrap(long handle) {
        return new PtNDArray((ai.djl.pytorch.engine.PtNDManager) manager(), handle);
    }

    /** Marks a leaf tensor as requiring grad (PyTorch's {@code requires_grad_()}). */
    public static void requiresGrad(long t) {
        try {
            ATTACH_GRAD.invokeExact(t, true);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public static void gradMode(boolean on) {
        try {
            SET_GRAD_MODE.invokeExact(on);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    // ---- raw ops: each returns a new handle the caller frees -----------------------------------

    public static long add(long a, long b) {
        try { return (long) ADD.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** In place {@code a += b} (no result handle, no allocation). */
    public static void addInPlace(long a, long b) {
        try { ADDI.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long sub(long a, long b) {
        try { return (long) SUB.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long mul(long a, long b) {
        try { return (long) MUL.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** In place {@code a -= b} (no result handle). */
    public static void subInPlace(long a, long b) {
        try { SUBI.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long exp(long a) {
        try { return (long) EXP.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long tanh(long a) {
        try { return (long) TANH.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long sigmoid(long a) {
        try { return (long) SIGMOID.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long neg(long a) {
        try { return (long) NEG.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Sum of all elements, a 0-dim tensor. */
    public static long sum(long a) {
        try { return (long) SUM.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long sum(long a, long[] dims, boolean keepDim) {
        try { return (long) SUM_DIMS.invokeExact(a, dims, keepDim); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Mean of all elements, a 0-dim tensor. */
    public static long mean(long a) {
        try { return (long) MEAN.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    private static final int F32 = DataType.FLOAT32.ordinal();

    public static long softmax(long a, long dim) {
        try { return (long) SOFTMAX.invokeExact(a, dim, F32); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long logSoftmax(long a, long dim) {
        try { return (long) LOG_SOFTMAX.invokeExact(a, dim, F32); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long matmul(long a, long b) {
        try { return (long) MATMUL.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Strided (dense) layout, and the CPU as DJL names it: what {@code NDManager.create(shape)} passes. */
    private static final int STRIDED = 0;
    private static final int[] CPU = {PtDeviceType.toDeviceType(Device.cpu()), Device.cpu().getDeviceId()};

    /** {@code torch.empty(shape)}: float32, uninitialised, not requiring grad. */
    public static long empty(long[] shape) {
        try { return (long) EMPTY.invokeExact(shape, F32, STRIDED, CPU, false); } catch (Throwable e) { throw rethrow(e); }
    }

    private static final long[] ONE_1 = {1, 1};

    /** 2-d convolution, stride 1, dilation 1, the given padding, groups 1; bias may be 0 (none). */
    public static long conv2d(long x, long w, long bias, long pad) {
        try {
            return (long) CONV.invokeExact(x, w, bias, ONE_1, new long[] {pad, pad}, ONE_1, 1);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Batch norm in training mode (batch statistics; running stats updated with momentum 0.1). */
    public static long batchNormTrain(long x, long runMean, long runVar, long gamma, long beta) {
        try {
            return (long) BATCH_NORM.invokeExact(x, runMean, runVar, gamma, beta, true, 0.1, 1e-5);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static final long[] TWO_2 = {2, 2};
    private static final long[] ZERO_2 = {0, 0};

    public static long maxPool2(long x) {
        try { return (long) MAX_POOL.invokeExact(x, TWO_2, TWO_2, ZERO_2, false); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long relu(long a) {
        try { return (long) RELU.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code x @ w.T + b} with w of shape [out, in] (torch.nn.functional.linear). */
    public static long linear(long x, long w, long b) {
        try { return (long) LINEAR.invokeExact(x, w, b); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long reshape(long a, long... shape) {
        try { return (long) RESHAPE.invokeExact(a, shape); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long gather(long a, long index, long dim) {
        try { return (long) GATHER.invokeExact(a, index, dim, false); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code loss.backward(grad)}: the graph is freed afterwards (retain_graph=False). */
    public static void backward(long loss, long grad) {
        try { BACKWARD.invokeExact(loss, grad, false, false); } catch (Throwable e) { throw rethrow(e); }
    }

    /** The .grad of a leaf, as a new handle (free it), or 0 when there is none. */
    public static long grad(long leaf) {
        try { return (long) GRAD.invokeExact(leaf); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code leaf.grad.zero_()} if the grad exists. */
    public static void zeroGrad(long leaf) {
        try { ZERO_GRAD.invokeExact(leaf); } catch (Throwable e) { throw rethrow(e); }
    }

    /** In place {@code a *= b} (no result handle). */
    public static void mulInPlace(long a, long b) {
        try { MULI.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code a / b} (true division). */
    public static long div(long a, long b) {
        try { return (long) DIV.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** In place {@code a /= b} (no result handle). */
    public static void divInPlace(long a, long b) {
        try { DIVI.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    public static long sqrt(long a) {
        try { return (long) SQRT.invokeExact(a); } catch (Throwable e) { throw rethrow(e); }
    }

    /**
     * {@code F.dropout(x, p, training)}: when training, zeroes each element with probability p (drawn from
     * libtorch's default generator, see {@link #manualSeed}) and scales the rest by 1/(1-p); else returns x.
     */
    public static long dropout(long x, double p, boolean training) {
        try { return (long) DROPOUT.invokeExact(x, p, training); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Index of the largest element along {@code dim}, int64. */
    public static long argmax(long a, long dim, boolean keepDim) {
        try { return (long) ARGMAX.invokeExact(a, dim, keepDim); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Elementwise {@code a == b}, bool. */
    public static long eq(long a, long b) {
        try { return (long) EQ.invokeExact(a, b); } catch (Throwable e) { throw rethrow(e); }
    }

    /** float32 tensor of the shape filled with v ({@code new long[0]}: a 0-dim scalar). */
    public static long full(double v, long... shape) {
        try { return (long) FULL.invokeExact(shape, v, F32, STRIDED, CPU, false); } catch (Throwable e) { throw rethrow(e); }
    }

    /** float32 zeros, not requiring grad. */
    public static long zerosRaw(long... shape) {
        try { return (long) ZEROS.invokeExact(shape, F32, STRIDED, CPU, false); } catch (Throwable e) { throw rethrow(e); }
    }

    /** float32 uniform in [lo, hi) from libtorch's default generator ({@code torch.empty(shape).uniform_(lo, hi)}). */
    public static long uniform(double lo, double hi, long... shape) {
        try { return (long) UNIFORM.invokeExact(lo, hi, shape, F32, STRIDED, CPU, false); } catch (Throwable e) { throw rethrow(e); }
    }

    private static final int I64 = DataType.INT64.ordinal();

    /** {@code torch.randperm(n)}: int64, from libtorch's default generator. */
    public static long randperm(long n) {
        try { return (long) RANDPERM.invokeExact(n, I64, STRIDED, CPU, false); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code a[start:end]} along {@code dim}: a view, no copy. */
    public static long slice(long a, long dim, long start, long end) {
        try { return (long) SLICE.invokeExact(a, dim, start, end, 1L); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code a[index]} for an int64 index tensor: the rows of a in that order (a copy). */
    public static long take0(long a, long index) {
        try {
            long ix = (long) INDEX_INIT.invokeExact(1);
            try {
                INDEX_APPEND_ARRAY.invokeExact(ix, index);
                return (long) INDEX_ADV_GET.invokeExact(a, ix);
            } finally {
                INDEX_DELETE.invokeExact(ix);
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The value of a one-element float32 tensor ({@code t.item()}). */
    public static float floatValue(long t) {
        byte[] b = data(t);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getFloat();
    }

    /** The value of a one-element int64 tensor ({@code t.item()}). */
    public static long longValue(long t) {
        byte[] b = data(t);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getLong();
    }

    private static byte[] data(long t) {
        try { return (byte[]) DATA.invokeExact(t); } catch (Throwable e) { throw rethrow(e); }
    }

    /** The shape of a tensor ({@code t.shape}). */
    public static long[] shape(long t) {
        try { return (long[]) SIZES.invokeExact(t); } catch (Throwable e) { throw rethrow(e); }
    }

    /** {@code torch.manual_seed(seed)}: seeds libtorch's default CPU generator (init, dropout, randperm). */
    public static void manualSeed(long seed) {
        try { MANUAL_SEED.invokeExact(seed); } catch (Throwable e) { throw rethrow(e); }
    }

    /** Batch norm with the running statistics (evaluation mode); nothing is updated. */
    public static long batchNormEval(long x, long runMean, long runVar, long gamma, long beta) {
        try {
            return (long) BATCH_NORM.invokeExact(x, runMean, runVar, gamma, beta, false, 0.1, 1e-5);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Releases a handle returned by a raw op (decrements the tensor's reference count). */
    public static void free(long t) {
        try { DELETE.invokeExact(t); } catch (Throwable e) { throw rethrow(e); }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }
}
