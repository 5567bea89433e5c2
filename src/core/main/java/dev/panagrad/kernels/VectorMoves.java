package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.F_HALF;
import static dev.panagrad.kernels.Lanes.ORDER;
import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.F2D;

/** Contiguous fills and float32/float64 conversions. */
final class VectorMoves {
    private VectorMoves() {}

    static void fillFloats(MemorySegment y, long yOff, long n, float value) {
        FloatVector v = FloatVector.broadcast(F, value);
        long b = yOff * Float.BYTES, i = 0;
        for (long end = F.loopBound(n); i < end; i += FL) v.intoMemorySegment(y, b + i * Float.BYTES, ORDER);
        if (i < n) v.intoMemorySegment(y, b + i * Float.BYTES, ORDER, F.indexInRange(i, n));
    }

    static void fillDoubles(MemorySegment y, long yOff, long n, double value) {
        DoubleVector v = DoubleVector.broadcast(D, value);
        long b = yOff * Double.BYTES, i = 0;
        for (long end = D.loopBound(n); i < end; i += DL) v.intoMemorySegment(y, b + i * Double.BYTES, ORDER);
        if (i < n) v.intoMemorySegment(y, b + i * Double.BYTES, ORDER, D.indexInRange(i, n));
    }

    /** True when {@link #floatsToDoubles} and {@link #doublesToFloats} can run on this CPU's vector shapes. */
    static boolean converts() {
        return F_HALF != null;
    }

    /** y[i] = (double) x[i], half a float vector at a time (as many floats as a double vector has lanes). */
    static void floatsToDoubles(MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        long xb = xOff * Float.BYTES, yb = yOff * Double.BYTES, i = 0;
        for (long end = D.loopBound(n); i < end; i += DL) {
            FloatVector.fromMemorySegment(F_HALF, x, xb + i * Float.BYTES, ORDER).convertShape(F2D, D, 0)
                    .intoMemorySegment(y, yb + i * Double.BYTES, ORDER);
        }
        if (i < n) {
            VectorMask<Float> m = F_HALF.indexInRange(i, n);
            FloatVector.fromMemorySegment(F_HALF, x, xb + i * Float.BYTES, ORDER, m).convertShape(F2D, D, 0)
                    .intoMemorySegment(y, yb + i * Double.BYTES, ORDER, m.cast(D));
        }
    }

    /** y[i] = (float) x[i], rounding to nearest. */
    static void doublesToFloats(MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        long xb = xOff * Double.BYTES, yb = yOff * Float.BYTES, i = 0;
        for (long end = D.loopBound(n); i < end; i += DL) {
            DoubleVector.fromMemorySegment(D, x, xb + i * Double.BYTES, ORDER).convertShape(D2F, F_HALF, 0)
                    .intoMemorySegment(y, yb + i * Float.BYTES, ORDER);
        }
        if (i < n) {
            VectorMask<Double> m = D.indexInRange(i, n);
            DoubleVector.fromMemorySegment(D, x, xb + i * Double.BYTES, ORDER, m).convertShape(D2F, F_HALF, 0)
                    .intoMemorySegment(y, yb + i * Float.BYTES, ORDER, m.cast(F_HALF));
        }
    }
}
