package dev.panagrad.kernels;

import dev.panagrad.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.BYTES_PER_FLOAT;
import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static jdk.incubator.vector.VectorOperators.D2L;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.F2I;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.IS_FINITE;
import static jdk.incubator.vector.VectorOperators.IS_INFINITE;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.L2D;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;
import static jdk.incubator.vector.VectorOperators.NE;

/**
 * Two-operand kernels over contiguous output runs: {@code out[i] = op(a[i], b[i])}, comparisons into bool
 * bytes, and {@code where}. Each input is contiguous or a single value broadcast over the run; a broadcast
 * value is spread over a scratch vector that every iteration reads again (its step is 0), so the loops
 * have no branches. As in {@link VectorUnary}, each op has its own loop method, and the last partial vector
 * is computed in scratch vectors.
 *
 * <p>Lanewise MAX and MIN follow Math.max and Math.min (NaN wins, max(-0, +0) = +0). POW is here only as a
 * square by a broadcast 2 ({@link #isSquare}), computed as a * a, which Math.pow rounds the same way; other
 * powers run as scalar Math.pow calls, since the JDK's vector pow rounds differently interpreted and compiled.
 */
final class VectorBinary {
    private VectorBinary() {}

    /** True when the strides are ones this class handles: output contiguous, each input contiguous or broadcast. */
    static boolean handles(long aStride, long bStride, long outStride) {
        return outStride == 1 && (aStride == 1 || aStride == 0) && (bStride == 1 || bStride == 0);
    }

    /** True when b is a broadcast 2 of dtype dt: a^b is then the square a * a, which these loops compute. */
    static boolean isSquare(DType dt, MemorySegment b, long bOff, long bStride) {
        if (bStride != 0) return false;
        return dt == DType.FLOAT32 ? b.getAtIndex(ValueLayout.JAVA_FLOAT, bOff) == 2
                : dt == DType.FLOAT64 && b.getAtIndex(ValueLayout.JAVA_DOUBLE, bOff) == 2;
    }

    /** Scratch slots (see {@link Lanes#scratch}): broadcast inputs, then the tails of a, b, out and the mask. */
    private static final int A_SPREAD = 0, B_SPREAD = 1, A_TAIL = 2, B_TAIL = 3, OUT_TAIL = 4, MASK_TAIL = 5;

    /**
     * An input run as the loops read it: element e is at byte {@code offset + e * step}, where step is the
     * element size for a contiguous run and 0 for a broadcast one, whose value is spread over a scratch vector.
     */
    private record Run(MemorySegment segment, long offset, long step) {
        static Run floats(MemorySegment s, long off, long stride, int spreadSlot) {
            if (stride != 0) return new Run(s, off * Float.BYTES, Float.BYTES);
            MemorySegment spread = Lanes.scratch(spreadSlot, 1);
            float v = s.getAtIndex(ValueLayout.JAVA_FLOAT, off);
            for (int i = 0; i < FL; i++) spread.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            return new Run(spread, 0, 0);
        }

        static Run doubles(MemorySegment s, long off, long stride, int spreadSlot) {
            if (stride != 0) return new Run(s, off * Double.BYTES, Double.BYTES);
            MemorySegment spread = Lanes.scratch(spreadSlot, 1);
            double v = s.getAtIndex(ValueLayout.JAVA_DOUBLE, off);
            for (int i = 0; i < DL; i++) spread.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            return new Run(spread, 0, 0);
        }

        /** Elements [start, start + count) of this run (count < lanes) at the start of a scratch vector. */
        Run tail(long start, long count, int slot) {
            return step == 0 ? this : new Run(Lanes.tail(segment, offset + start * step, count * step, slot), 0, step);
        }
    }

    static void floats(BinaryOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride,
                       MemorySegment out, long outOff, long n) {
        Run x = Run.floats(a, aOff, aStride, A_SPREAD), y = Run.floats(b, bOff, bStride, B_SPREAD);
        if (op == BinaryOp.POW) {   // only squares come here: a^2 = a * a, exactly as Math.pow rounds it
            op = BinaryOp.MUL;
            y = x;
        }
        long full = F.loopBound(n);
        floatVectors(op, x, y, out, outOff * Float.BYTES, full);
        if (full < n) {
            MemorySegment t = Lanes.scratch(OUT_TAIL, 1);
            floatVectors(op, x.tail(full, n - full, A_TAIL), y.tail(full, n - full, B_TAIL), t, 0, FL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
    }

    static void doubles(BinaryOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff, long bStride,
                        MemorySegment out, long outOff, long n) {
        Run x = Run.doubles(a, aOff, aStride, A_SPREAD), y = Run.doubles(b, bOff, bStride, B_SPREAD);
        if (op == BinaryOp.POW) {   // only squares come here: a^2 = a * a, exactly as Math.pow rounds it
            op = BinaryOp.MUL;
            y = x;
        }
        long full = D.loopBound(n);
        doubleVectors(op, x, y, out, outOff * Double.BYTES, full);
        if (full < n) {
            MemorySegment t = Lanes.scratch(OUT_TAIL, 1);
            doubleVectors(op, x.tail(full, n - full, A_TAIL), y.tail(full, n - full, B_TAIL), t, 0, DL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Double.BYTES, (n - full) * Double.BYTES);
        }
    }

    /** Float32 comparisons into bool bytes; false when the CPU has no byte vector with as many lanes as a float vector. */
    static boolean compareFloats(CompareOp op, MemorySegment a, long aOff, long aStride, MemorySegment b, long bOff,
                                 long bStride, MemorySegment out, long outOff, long n) {
        if (BYTES_PER_FLOAT == null) return false;
        Run x = Run.floats(a, aOff, aStride, A_SPREAD), y = Run.floats(b, bOff, bStride, B_SPREAD);
        long full = F.loopBound(n);
        compareVectors(op, x, y, out, outOff, full);
        if (full < n) {
            MemorySegment t = Lanes.scratch(OUT_TAIL, 1);
            compareVectors(op, x.tail(full, n - full, A_TAIL), y.tail(full, n - full, B_TAIL), t, 0, FL);
            MemorySegment.copy(t, 0, out, outOff + full, n - full);
        }
        return true;
    }

    /** Float32 {@code out[i] = mask[i] != 0 ? a[i] : b[i]} with a contiguous mask; false as for {@link #compareFloats}. */
    static boolean whereFloats(MemorySegment mask, long mOff, MemorySegment a, long aOff, long aStride,
                               MemorySegment b, long bOff, long bStride, MemorySegment out, long outOff, long n) {
        if (BYTES_PER_FLOAT == null) return false;
        Run x = Run.floats(a, aOff, aStride, A_SPREAD), y = Run.floats(b, bOff, bStride, B_SPREAD);
        long full = F.loopBound(n);
        whereVectors(mask, mOff, x.segment, x.offset, x.step, y.segment, y.offset, y.step, out, outOff * Float.BYTES, full);
        if (full < n) {
            MemorySegment m = Lanes.tail(mask, mOff + full, n - full, MASK_TAIL), t = Lanes.scratch(OUT_TAIL, 1);
            Run xt = x.tail(full, n - full, A_TAIL), yt = y.tail(full, n - full, B_TAIL);
            whereVectors(m, 0, xt.segment, xt.offset, xt.step, yt.segment, yt.offset, yt.step, t, 0, FL);
            MemorySegment.copy(t, 0, out, (outOff + full) * Float.BYTES, (n - full) * Float.BYTES);
        }
        return true;
    }

    /** n elements, a multiple of the lane count. */
    private static void floatVectors(BinaryOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case ADD -> addFloats(a, ab, as, b, bb, bs, o, ob, n);
            case SUB -> subFloats(a, ab, as, b, bb, bs, o, ob, n);
            case MUL -> mulFloats(a, ab, as, b, bb, bs, o, ob, n);
            case DIV -> divFloats(a, ab, as, b, bb, bs, o, ob, n);
            case MAX -> maxFloats(a, ab, as, b, bb, bs, o, ob, n);
            case MIN -> minFloats(a, ab, as, b, bb, bs, o, ob, n);
            case RELU_GRAD -> reluGradFloats(a, ab, as, b, bb, bs, o, ob, n);
            default -> throw new IllegalArgumentException("binary: no vector form of " + op);
        }
    }

    private static void doubleVectors(BinaryOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case ADD -> addDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case SUB -> subDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case MUL -> mulDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case DIV -> divDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case MAX -> maxDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case MIN -> minDoubles(a, ab, as, b, bb, bs, o, ob, n);
            case RELU_GRAD -> reluGradDoubles(a, ab, as, b, bb, bs, o, ob, n);
            default -> throw new IllegalArgumentException("binary: no vector form of " + op);
        }
    }

    /** Comparisons writing one byte per element at o[ob + e]. */
    private static void compareVectors(CompareOp op, Run x, Run y, MemorySegment o, long ob, long n) {
        MemorySegment a = x.segment, b = y.segment;
        long ab = x.offset, as = x.step, bb = y.offset, bs = y.step;
        switch (op) {
            case EQ -> eqFloats(a, ab, as, b, bb, bs, o, ob, n);
            case NE -> neFloats(a, ab, as, b, bb, bs, o, ob, n);
            case LT -> ltFloats(a, ab, as, b, bb, bs, o, ob, n);
            case LE -> leFloats(a, ab, as, b, bb, bs, o, ob, n);
            case GT -> gtFloats(a, ab, as, b, bb, bs, o, ob, n);
            case GE -> geFloats(a, ab, as, b, bb, bs, o, ob, n);
        }
    }

    private static void whereVectors(MemorySegment mask, long mb, MemorySegment a, long ab, long as,
                                     MemorySegment b, long bb, long bs, MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            VectorMask<Float> m = ByteVector.fromMemorySegment(BYTES_PER_FLOAT, mask, mb + e, ORDER).compare(NE, 0).cast(F);
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            w.blend(u, m).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void addFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.add(w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void subFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.sub(w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void mulFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.mul(w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void divFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.div(w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void maxFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.lanewise(MAX, w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void minFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                  MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            u.lanewise(MIN, w).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void reluGradFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                       MemorySegment o, long ob, long n) {
        FloatVector zero = FloatVector.zero(F);
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            zero.blend(u, w.compare(GT, 0f)).intoMemorySegment(o, ob + e * Float.BYTES, ORDER);
        }
    }

    private static void addDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.add(w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void subDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.sub(w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void mulDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.mul(w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void divDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.div(w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void maxDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.lanewise(MAX, w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void minDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                   MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            u.lanewise(MIN, w).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void reluGradDoubles(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                        MemorySegment o, long ob, long n) {
        DoubleVector zero = DoubleVector.zero(D);
        for (long e = 0; e < n; e += DL) {
            DoubleVector u = DoubleVector.fromMemorySegment(D, a, ab + e * as, ORDER);
            DoubleVector w = DoubleVector.fromMemorySegment(D, b, bb + e * bs, ORDER);
            zero.blend(u, w.compare(GT, 0d)).intoMemorySegment(o, ob + e * Double.BYTES, ORDER);
        }
    }

    private static void eqFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(EQ, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }

    private static void neFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(NE, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }

    private static void ltFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(LT, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }

    private static void leFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(LE, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }

    private static void gtFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(GT, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }

    private static void geFloats(MemorySegment a, long ab, long as, MemorySegment b, long bb, long bs,
                                 MemorySegment o, long ob, long n) {
        for (long e = 0; e < n; e += FL) {
            FloatVector u = FloatVector.fromMemorySegment(F, a, ab + e * as, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(F, b, bb + e * bs, ORDER);
            VectorMask<Byte> r = u.compare(GE, w).cast(BYTES_PER_FLOAT);
            ByteVector.zero(BYTES_PER_FLOAT).blend((byte) 1, r).intoMemorySegment(o, ob + e, ORDER);
        }
    }
}
