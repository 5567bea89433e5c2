package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.loadD;
import static dev.panagrad.kernels.Lanes.loadF;
import static dev.panagrad.kernels.Lanes.put;
import static jdk.incubator.vector.VectorOperators.COS;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.LOG1P;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.SIN;
import static jdk.incubator.vector.VectorOperators.TANH;

/**
 * {@code y[i] = op(x[i])} over contiguous float32 and float64 runs. Whole vectors go through the loop of
 * {@code op}; the last partial vector is copied into a one-vector buffer, computed the same way and copied
 * back, so every element gets the same result wherever it sits.
 *
 * <p>Every op has its own loop on purpose: the Vector API only becomes SIMD code when the operator is a
 * compile-time constant, and a loop shared by all ops through a lambda is compiled once with an unknown one.
 */
final class VectorUnary {
    private VectorUnary() {}

    /** PyTorch's softplus threshold: above it softplus(x) = x to float precision. */
    private static final float SOFTPLUS_THRESHOLD = 20f;

    /** Computes a float32 run; false when {@code op} has no vector form (the caller falls back). */
    static boolean floats(UnaryOp op, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        if (op == UnaryOp.LOGICAL_NOT) return false;
        long full = F.loopBound(n);
        floatVectors(op, x, xOff * Float.BYTES, y, yOff * Float.BYTES, full * Float.BYTES);
        if (full < n) {
            MemorySegment t = Lanes.floatTail(x, xOff + full, n - full);
            floatVectors(op, t, 0, t, 0, t.byteSize());
            MemorySegment.copy(t, 0, y, (yOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
        return true;
    }

    /** Computes a float64 run; false when {@code op} has no vector form (GELU, ERF: the caller falls back). */
    static boolean doubles(UnaryOp op, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        if (op == UnaryOp.LOGICAL_NOT || op == UnaryOp.GELU || op == UnaryOp.ERF) return false;
        long full = D.loopBound(n);
        doubleVectors(op, x, xOff * Double.BYTES, y, yOff * Double.BYTES, full * Double.BYTES);
        if (full < n) {
            MemorySegment t = Lanes.doubleTail(x, xOff + full, n - full);
            doubleVectors(op, t, 0, t, 0, t.byteSize());
            MemorySegment.copy(t, 0, y, (yOff + full) * Double.BYTES, (n - full) * Double.BYTES);
        }
        return true;
    }

    /** The loops over whole float vectors: {@code bytes} is a multiple of the vector size. */
    private static void floatVectors(UnaryOp op, MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        long step = F.vectorByteSize();
        switch (op) {
            case NEG -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).neg()); }
            case EXP -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).lanewise(EXP)); }
            case LOG -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).lanewise(LOG)); }
            case SQRT -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).sqrt()); }
            case RSQRT -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, rsqrt(loadF(x, xb + i))); }
            case ABS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).abs()); }
            case SIGN -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, sign(loadF(x, xb + i))); }
            case SIN -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).lanewise(SIN)); }
            case COS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).lanewise(COS)); }
            case TANH -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadF(x, xb + i).lanewise(TANH)); }
            case SIGMOID -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, sigmoid(loadF(x, xb + i))); }
            case RELU -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, relu(loadF(x, xb + i))); }
            case GELU -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, VectorErf.gelu(loadF(x, xb + i))); }
            case SOFTPLUS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, softplus(loadF(x, xb + i))); }
            case ERF -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, VectorErf.erf(loadF(x, xb + i))); }
            case RECIPROCAL -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, reciprocal(loadF(x, xb + i))); }
            case LOGICAL_NOT -> throw new IllegalArgumentException("unary: no vector form of " + op);
        }
    }

    private static void doubleVectors(UnaryOp op, MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        long step = D.vectorByteSize();
        switch (op) {
            case NEG -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).neg()); }
            case EXP -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).lanewise(EXP)); }
            case LOG -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).lanewise(LOG)); }
            case SQRT -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).sqrt()); }
            case RSQRT -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, rsqrt(loadD(x, xb + i))); }
            case ABS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).abs()); }
            case SIGN -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, sign(loadD(x, xb + i))); }
            case SIN -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).lanewise(SIN)); }
            case COS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).lanewise(COS)); }
            case TANH -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, loadD(x, xb + i).lanewise(TANH)); }
            case SIGMOID -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, sigmoid(loadD(x, xb + i))); }
            case RELU -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, relu(loadD(x, xb + i))); }
            case SOFTPLUS -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, softplus(loadD(x, xb + i))); }
            case RECIPROCAL -> { for (long i = 0; i < bytes; i += step) put(y, yb + i, reciprocal(loadD(x, xb + i))); }
            case GELU, ERF, LOGICAL_NOT -> throw new IllegalArgumentException("unary: no vector form of " + op);
        }
    }

    private static FloatVector rsqrt(FloatVector x) {
        return x.broadcast(1f).div(x.sqrt());
    }

    private static DoubleVector rsqrt(DoubleVector x) {
        return x.broadcast(1).div(x.sqrt());
    }

    private static FloatVector reciprocal(FloatVector x) {
        return x.broadcast(1f).div(x);
    }

    private static DoubleVector reciprocal(DoubleVector x) {
        return x.broadcast(1).div(x);
    }

    /** signum keeps +-0 and NaN: only strictly positive or negative lanes change. */
    private static FloatVector sign(FloatVector x) {
        return x.blend(1f, x.compare(GT, 0f)).blend(-1f, x.compare(LT, 0f));
    }

    private static DoubleVector sign(DoubleVector x) {
        return x.blend(1, x.compare(GT, 0)).blend(-1, x.compare(LT, 0));
    }

    /** NaN <= 0 is false, so NaN stays; negatives and -0 become +0. */
    private static FloatVector relu(FloatVector x) {
        return x.blend(0f, x.compare(LE, 0f));
    }

    private static DoubleVector relu(DoubleVector x) {
        return x.blend(0, x.compare(LE, 0));
    }

    /** softplus(x) = log(1 + e^x), and x itself above the threshold. */
    private static FloatVector softplus(FloatVector x) {
        return x.lanewise(EXP).lanewise(LOG1P).blend(x, x.compare(GT, SOFTPLUS_THRESHOLD));
    }

    private static DoubleVector softplus(DoubleVector x) {
        return x.lanewise(EXP).lanewise(LOG1P).blend(x, x.compare(GT, SOFTPLUS_THRESHOLD));
    }

    /** sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with e = exp(-|x|) <= 1, so nothing overflows. */
    private static FloatVector sigmoid(FloatVector x) {
        FloatVector e = x.abs().neg().lanewise(EXP);
        FloatVector s = e.broadcast(1f).div(e.add(1f));
        return s.blend(e.mul(s), x.compare(LT, 0f));
    }

    private static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = x.abs().neg().lanewise(EXP);
        DoubleVector s = e.broadcast(1).div(e.add(1));
        return s.blend(e.mul(s), x.compare(LT, 0));
    }
}
