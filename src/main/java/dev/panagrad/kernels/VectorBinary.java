package dev.panagrad.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static dev.panagrad.kernels.Lanes.BYTES_PER_FLOAT;
import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.loadD;
import static dev.panagrad.kernels.Lanes.loadF;
import static dev.panagrad.kernels.Lanes.put;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_INFINITE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.POW;

/**
 * Two-operand kernels over contiguous output runs: {@code out[i] = op(a[i], b[i])}, comparisons into bool
 * bytes, and {@code where}. Each input is contiguous or a single value broadcast over the run; a broadcast
 * value is spread over a one-vector buffer that every iteration reads again (its step is 0), so the loops
 * have no branches. As in {@link VectorUnary}, each op has its own loop, and the last partial vector is
 * computed in one-vector buffers.
 */
final class VectorBinary {
    private VectorBinary() {}

    /** True when the strides are ones this class handles: output contiguous, each input contiguous or broadcast. */
    static boolean handles(long aStride, long bStride, long outStride) {
        return outStride == 1 && (aStride == 1 || aStride == 0) && (bStride == 1 || bStride == 0);
    }

    /**
     * An input run as the loops read it: element e is at byte {@code offset + e * step}, where step is the
     * element size for a contiguous run and 0 for a broadcast one.
     */
    private record Run(MemorySegment segment, long offset, long step) {
        static Run floats(MemorySegment s, long off, long stride) {
            if (stride != 0) return new Run(s, off * Float.BYTES, Float.BYTES);
            float[] spread = new float[FL];
            Arrays.fill(spread, s.getAtIndex(ValueLayout.JAVA_FLOAT, off));
            return new Run(MemorySegment.ofArray(spread), 0, 0);
        }

        static Run doubles(MemorySegment s, long off, long stride) {
            if (stride != 0) return new Run(s, off * Double.BYTES, Double.BYTES);
            double[] spread = new double[DL];
            Arrays.fill(spread, s.getAtIndex(ValueLayout.JAVA_DOUBLE, off));
            return new Run(MemorySegment.ofArray(spread), 0, 0);
        }

        /** Elements [start, start + count) of this float run (count < lanes) in a one-vector buffer. */
        Run floatTail(long start, long count) {
            return step == 0 ? this : new Run(Lanes.floatTail(segment, offset / Float.BYTES + start, count), 0, Float.BYTES);
        }

        Run doubleTail(long start, long count) {
            return step == 0 ? this : new Run(Lanes.doubleTail(segment, offset / Double.BYTES + start, count), 0, Double.BYTES);
        }
    }

    static void floats(BinaryOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride,
                       MemorySegment out, long outOff, long n) {
        Run x = Run.floats(a, aOff, aStride), y = Run.floats(b, bOff, bStride);
        long full = F.loopBound(n);
        floatVectors(op, x, y, out, outOff * Float.BYTES, full);
        if (full < n) {
            MemorySegment t = MemorySegment.ofArray(new float[FL]);
            floatVectors(op, x.floatTail(full, n - full), y.floatTail(full, n - full), t, 0, FL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
    }

    static void doubles(BinaryOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride,
                        MemorySegment out, long outOff, long n) {
        Run x = Run.doubles(a, aOff, aStride), y = Run.doubles(b, bOff, bStride);
        long full = D.loopBound(n);
        doubleVectors(op, x, y, out, outOff * Double.BYTES, full);
        if (full < n) {
            MemorySegment t = MemorySegment.ofArray(new double[DL]);
            doubleVectors(op, x.doubleTail(full, n - full), y.doubleTail(full, n - full), t, 0, DL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Double.BYTES, (n - full) * Double.BYTES);
        }
    }

    /** Float32 comparisons into bool bytes; false when the CPU has no byte vector with as many lanes as a float vector. */
    static boolean compareFloats(CompareOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff,
                                 long bStride, MemorySegment out, long outOff, long n) {
        if (BYTES_PER_FLOAT == null) return false;
        Run x = Run.floats(a, aOff, aStride), y = Run.floats(b, bOff, bStride);
        long full = F.loopBound(n);
        compareVectors(op, x, y, out, outOff, full);
        if (full < n) {
            MemorySegment t = MemorySegment.ofArray(new byte[FL]);
            compareVectors(op, x.floatTail(full, n - full), y.floatTail(full, n - full), t, 0, FL);
            MemorySegment.copy(t, 0, out, outOff + full, n - full);
        }
        return true;
    }

    /** Float32 {@code out[i] = mask[i] != 0 ? a[i] : b[i]} with a contiguous mask; false as for {@link #compareFloats}. */
    static boolean whereFloats(MemorySegment mask, long mOff, MemorySegment a, long aOff, long aStride,
                               MemorySegment b, long bOff, long bStride, MemorySegment out, long outOff, long n) {
        if (BYTES_PER_FLOAT == null) return false;
        Run x = Run.floats(a, aOff, aStride), y = Run.floats(b, bOff, bStride);
        long full = F.loopBound(n);
        whereVectors(mask, mOff, x, y, out, outOff * Float.BYTES, full);
        if (full < n) {
            MemorySegment m = MemorySegment.ofArray(new byte[FL]), t = MemorySegment.ofArray(new float[FL]);
            MemorySegment.copy(mask, mOff + full, m, 0, n - full);
            whereVectors(m, 0, x.floatTail(full, n - full), y.floatTail(full, n - full), t, 0, FL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
        return true;
    }

    /** The loops over n elements, a multiple of the lane count. */
    private static void floatVectors(BinaryOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case ADD -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).add(loadF(b, bb + e * bs))); }
            case SUB -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).sub(loadF(b, bb + e * bs))); }
            case MUL -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).mul(loadF(b, bb + e * bs))); }
            case DIV -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).div(loadF(b, bb + e * bs))); }
            case POW -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, pow(loadF(a, ab + e * as), loadF(b, bb + e * bs))); }
            // lanewise MAX/MIN follow Math.max/min: NaN wins, and max(-0, +0) = +0
            case MAX -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).lanewise(MAX, loadF(b, bb + e * bs))); }
            case MIN -> { for (long e = 0; e < n; e += FL) put(o, ob + e * Float.BYTES, loadF(a, ab + e * as).lanewise(MIN, loadF(b, bb + e * bs))); }
        }
    }

    private static void doubleVectors(BinaryOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case ADD -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).add(loadD(b, bb + e * bs))); }
            case SUB -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).sub(loadD(b, bb + e * bs))); }
            case MUL -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).mul(loadD(b, bb + e * bs))); }
            case DIV -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).div(loadD(b, bb + e * bs))); }
            case POW -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, pow(loadD(a, ab + e * as), loadD(b, bb + e * bs))); }
            case MAX -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).lanewise(MAX, loadD(b, bb + e * bs))); }
            case MIN -> { for (long e = 0; e < n; e += DL) put(o, ob + e * Double.BYTES, loadD(a, ab + e * as).lanewise(MIN, loadD(b, bb + e * bs))); }
        }
    }

    /** Comparison loops writing one byte per element at o[ob + e]. */
    private static void compareVectors(CompareOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case EQ -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(EQ, loadF(b, bb + e * bs))); }
            case NE -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(NE, loadF(b, bb + e * bs))); }
            case LT -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(LT, loadF(b, bb + e * bs))); }
            case LE -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(LE, loadF(b, bb + e * bs))); }
            case GT -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(GT, loadF(b, bb + e * bs))); }
            case GE -> { for (long e = 0; e < n; e += FL) putBool(o, ob + e, loadF(a, ab + e * as).compare(GE, loadF(b, bb + e * bs))); }
        }
    }

    private static void whereVectors(MemorySegment mask, long mb, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        for (long e = 0; e < n; e += FL) {
            VectorMask<Float> m = ByteVector.fromMemorySegment(BYTES_PER_FLOAT, mask, mb + e, ORDER).compare(NE, 0).cast(F);
            put(o, ob + e * Float.BYTES, loadF(b, bb + e * bs).blend(loadF(a, ab + e * as), m));
        }
    }

    /** Writes a float mask as bytes 1 (true) and 0 (false). */
    private static void putBool(MemorySegment o, long byteOffset, VectorMask<Float> m) {
        ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, m.cast(BYTES_PER_FLOAT)).intoMemorySegment(o, byteOffset, ORDER);
    }

    /**
     * a^b with Java's special cases: the vector pow follows C, where pow(1, NaN) = 1 and pow(-1, +-inf) = 1;
     * Math.pow gives NaN for a NaN exponent and for |a| = 1 with an infinite exponent.
     */
    private static FloatVector pow(FloatVector a, FloatVector b) {
        VectorMask<Float> nan = b.test(IS_NAN).or(a.abs().compare(EQ, 1f).and(b.test(IS_INFINITE)));
        return a.lanewise(POW, b).blend(Float.NaN, nan);
    }

    private static DoubleVector pow(DoubleVector a, DoubleVector b) {
        VectorMask<Double> nan = b.test(IS_NAN).or(a.abs().compare(EQ, 1).and(b.test(IS_INFINITE)));
        return a.lanewise(POW, b).blend(Double.NaN, nan);
    }
}
