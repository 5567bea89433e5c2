package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.VD;
import static dev.panagrad.kernels.Lanes.VF;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

/**
 * {@code y[i] = op(x[i])} over contiguous float32 and float64 runs. Whole vectors go through the loop of
 * {@code op}; the last partial vector is copied into a scratch vector, computed by the same loop and copied
 * back, so every element gets the same result wherever it sits.
 *
 * <p>Every op and dtype has its own small loop method, with the Vector API calls written in the loop body.
 * This is what lets the JIT compile them to SIMD code: the Vector API only becomes vector instructions when
 * the operator is a compile-time constant and every call is inlined, and C2 refuses to inline a helper that
 * was already compiled on its own (as a shared loop or a small vector helper is, during warm-up), and
 * stops inlining when one method holds many loops or nests calls too deeply.
 */
final class VectorUnary {
    private VectorUnary() {}

    /** PyTorch's softplus threshold: above it softplus(x) = x to float precision. */
    private static final float SOFTPLUS_THRESHOLD = 20f;

    /**
     * Computes a float32 run; false when {@code op} has no vector form (the caller falls back to the scalar
     * loop). sin and cos have none: the JDK's vector routines for them round differently interpreted and
     * compiled, while {@link Math#sin} and {@link Math#cos} call the same code in both.
     */
    static boolean floats(UnaryOp op, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        if (!op.hasVectorForm() || op == UnaryOp.SIN || op == UnaryOp.COS) return false;
        long full = F.loopBound(n);
        floatVectors(op, x, xOff * Float.BYTES, y, yOff * Float.BYTES, full * Float.BYTES);
        if (full < n) {
            MemorySegment t = Lanes.tail(x, (xOff + full) * Float.BYTES, (n - full) * Float.BYTES, 0);
            floatVectors(op, t, 0, t, 0, t.byteSize());
            MemorySegment.copy(t, 0, y, (yOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
        return true;
    }

    /** Computes a float64 run; false when {@code op} has no vector form (the caller falls back), see {@link #hasDoubleForm}. */
    static boolean doubles(UnaryOp op, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        if (!op.hasVectorForm() || !hasDoubleForm(op)) return false;
        long full = D.loopBound(n);
        doubleVectors(op, x, xOff * Double.BYTES, y, yOff * Double.BYTES, full * Double.BYTES);
        if (full < n) {
            MemorySegment t = Lanes.tail(x, (xOff + full) * Double.BYTES, (n - full) * Double.BYTES, 0);
            doubleVectors(op, t, 0, t, 0, t.byteSize());
            MemorySegment.copy(t, 0, y, (yOff + full) * Double.BYTES, (n - full) * Double.BYTES);
        }
        return true;
    }

    /**
     * Whether a float64 op has a vector loop here. log, tanh, softplus (log1p), sin and cos would need the JDK's
     * vector math routines, which round differently interpreted and compiled; the scalar loop's {@link Math}
     * calls do not, so results never depend on how warm the JIT is.
     */
    private static boolean hasDoubleForm(UnaryOp op) {
        return switch (op) {
            case LOG, SIN, COS, TANH, SOFTPLUS, GELU, ERF, LOGICAL_NOT -> false;
            default -> true;
        };
    }

    /** Whole float vectors: {@code bytes} is a multiple of the vector size. */
    private static void floatVectors(UnaryOp op, MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        switch (op) {
            case NEG -> negFloats(x, xb, y, yb, bytes);
            case EXP -> expFloats(x, xb, y, yb, bytes);
            case LOG -> logFloats(x, xb, y, yb, bytes);
            case SQRT -> sqrtFloats(x, xb, y, yb, bytes);
            case RSQRT -> rsqrtFloats(x, xb, y, yb, bytes);
            case ABS -> absFloats(x, xb, y, yb, bytes);
            case SIGN -> signFloats(x, xb, y, yb, bytes);
            case TANH -> tanhFloats(x, xb, y, yb, bytes);
            case SIGMOID -> sigmoidFloats(x, xb, y, yb, bytes);
            case RELU -> reluFloats(x, xb, y, yb, bytes);
            case SOFTPLUS -> softplusFloats(x, xb, y, yb, bytes);
            case RECIPROCAL -> reciprocalFloats(x, xb, y, yb, bytes);
            case GELU -> VectorErf.geluFloats(x, xb, y, yb, bytes);
            case ERF -> VectorErf.erfFloats(x, xb, y, yb, bytes);
            default -> throw new IllegalArgumentException("unary: no vector form of " + op);
        }
    }

    private static void doubleVectors(UnaryOp op, MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        switch (op) {
            case NEG -> negDoubles(x, xb, y, yb, bytes);
            case EXP -> expDoubles(x, xb, y, yb, bytes);
            case SQRT -> sqrtDoubles(x, xb, y, yb, bytes);
            case RSQRT -> rsqrtDoubles(x, xb, y, yb, bytes);
            case ABS -> absDoubles(x, xb, y, yb, bytes);
            case SIGN -> signDoubles(x, xb, y, yb, bytes);
            case SIGMOID -> sigmoidDoubles(x, xb, y, yb, bytes);
            case RELU -> reluDoubles(x, xb, y, yb, bytes);
            case RECIPROCAL -> reciprocalDoubles(x, xb, y, yb, bytes);
            default -> throw new IllegalArgumentException("unary: no vector form of " + op);
        }
    }

    private static void negFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.neg().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void expFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            VectorExp.exp(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void logFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            VectorLog.log(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void sqrtFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.sqrt().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void rsqrtFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.broadcast(1f).div(v.sqrt()).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void absFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.abs().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void signFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            // signum keeps +-0 and NaN: only strictly positive or negative lanes change
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.blend(1f, v.compare(GT, 0f)).blend(-1f, v.compare(LT, 0f)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void tanhFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            VectorTanh.tanh(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void sigmoidFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            // 1/(1+e) for x >= 0 and e/(1+e) for x < 0 with e = exp(-|x|) <= 1: nothing overflows
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            FloatVector e = VectorExp.exp(v.abs().neg()), s = e.broadcast(1f).div(e.add(1f));
            s.blend(e.mul(s), v.compare(LT, 0f)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void reluFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            // NaN <= 0 is false, so NaN stays; negatives and -0 become +0
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.blend(0f, v.compare(LE, 0f)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void softplusFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            // log(1 + e^x), and x itself above the threshold
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            VectorLog.log1p(VectorExp.exp(v)).blend(v, v.compare(GT, SOFTPLUS_THRESHOLD)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void reciprocalFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            v.broadcast(1f).div(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void negDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.neg().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void expDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            VectorExp.exp(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void sqrtDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.sqrt().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void rsqrtDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.broadcast(1).div(v.sqrt()).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void absDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.abs().intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void signDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            // signum keeps +-0 and NaN: only strictly positive or negative lanes change
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.blend(1, v.compare(GT, 0)).blend(-1, v.compare(LT, 0)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void sigmoidDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            // 1/(1+e) for x >= 0 and e/(1+e) for x < 0 with e = exp(-|x|) <= 1: nothing overflows
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            DoubleVector e = VectorExp.exp(v.abs().neg()), s = e.broadcast(1).div(e.add(1));
            s.blend(e.mul(s), v.compare(LT, 0)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void reluDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            // NaN <= 0 is false, so NaN stays; negatives and -0 become +0
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.blend(0, v.compare(LE, 0)).intoMemorySegment(y, yb + i, ORDER);
        }
    }

    private static void reciprocalDoubles(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        for (long i = 0; i < bytes; i += VD) {
            DoubleVector v = DoubleVector.fromMemorySegment(D, x, xb + i, ORDER);
            v.broadcast(1).div(v).intoMemorySegment(y, yb + i, ORDER);
        }
    }
}
