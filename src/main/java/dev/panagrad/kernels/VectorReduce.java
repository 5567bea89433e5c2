package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.loadD;
import static dev.panagrad.kernels.Lanes.loadF;
import static dev.panagrad.kernels.Lanes.put;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * Sum, max and min along the middle axis of a contiguous {@code [outer, size, inner]} block, and row-wise
 * float32 softmax.
 *
 * <p>Rows ({@code inner == 1}) are folded by four vector accumulators, {@link #BLOCK} elements at a time;
 * block results are combined in double, so a float32 row sum carries the rounding of a
 * {@code BLOCK / (4 lanes)}-term float sum rather than of the whole row. The last partial group of four
 * vectors is copied into a buffer padded with the identity and folded by the same loop. With
 * {@code inner >= lanes}, each vector of outputs accumulates down the axis; the last vector is shifted left
 * to end at the last column (recomputing a few columns) instead of being masked. Smaller {@code inner} and
 * PROD are left to the reference. Each op has its own loop, as explained in {@link VectorUnary}.
 */
final class VectorReduce {
    private VectorReduce() {}

    /** Elements folded in float before the partial result is added in double; a multiple of four vectors. */
    private static final long BLOCK = 1024;

    /** Float32 reduction; false for the cases the caller leaves to the reference. */
    static boolean floats(ReduceOp op, MemorySegment x, long xOff, long outer, long size, long inner,
                          MemorySegment y, long yOff) {
        if (op == ReduceOp.PROD || (inner > 1 && inner < FL)) return false;
        for (long o = 0; o < outer; o++) {
            long base = xOff + o * size * inner;
            if (inner == 1) {
                y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + o, (float) rowFloats(op, x, base, size));
            } else {
                for (long i = 0; i < inner; i += FL) {
                    long c = Math.min(i, inner - FL);
                    columnFloats(op, x, (base + c) * Float.BYTES, inner * Float.BYTES, size, y, (yOff + o * inner + c) * Float.BYTES);
                }
            }
        }
        return true;
    }

    /** Float64 reduction; false for the cases the caller leaves to the reference. */
    static boolean doubles(ReduceOp op, MemorySegment x, long xOff, long outer, long size, long inner,
                           MemorySegment y, long yOff) {
        if (op == ReduceOp.PROD || (inner > 1 && inner < DL)) return false;
        for (long o = 0; o < outer; o++) {
            long base = xOff + o * size * inner;
            if (inner == 1) {
                y.setAtIndex(ValueLayout.JAVA_DOUBLE, yOff + o, rowDoubles(op, x, base, size));
            } else {
                for (long i = 0; i < inner; i += DL) {
                    long c = Math.min(i, inner - DL);
                    columnDoubles(op, x, (base + c) * Double.BYTES, inner * Double.BYTES, size, y, (yOff + o * inner + c) * Double.BYTES);
                }
            }
        }
        return true;
    }

    /**
     * Softmax of float32 rows: m = max(row) (0 for an all -inf row), s = sum exp(x - m), then
     * y = exp(x - m) / s, or y = (x - m) - log(s) for log-softmax.
     */
    static void softmaxFloats(boolean log, MemorySegment x, long xOff, long rows, long cols, MemorySegment y, long yOff) {
        long full = F.loopBound(cols);
        for (long r = 0; r < rows; r++) {
            long xb = xOff + r * cols, yb = yOff + r * cols;
            float max = (float) rowFloats(ReduceOp.MAX, x, xb, cols);
            if (max == Float.NEGATIVE_INFINITY) max = 0;
            double sum = 0;
            for (long s = 0; s < full; s += BLOCK) {
                sum += expSum(x, (xb + s) * Float.BYTES, max, log ? null : y, (yb + s) * Float.BYTES, Math.min(BLOCK, full - s));
            }
            if (full < cols) {
                // padding with -inf adds exp(-inf) = 0 to the sum
                MemorySegment t = tail(x, xb + full, cols - full, FL, Float.NEGATIVE_INFINITY);
                sum += expSum(t, 0, max, t, 0, FL);
                if (!log) MemorySegment.copy(t, 0, y, (yb + full) * Float.BYTES, (cols - full) * Float.BYTES);
            }
            if (log) {
                shiftRow(x, xb, y, yb, cols, max, (float) Math.log(sum));
            } else {
                scaleRow(y, yb, cols, (float) (1 / sum));
            }
        }
    }

    /** op over x[off, off + n), combined in double block by block. */
    private static double rowFloats(ReduceOp op, MemorySegment x, long off, long n) {
        double acc = op.identity();
        long full = n - n % (4 * FL);
        for (long s = 0; s < full; s += BLOCK) {
            acc = op.combine(acc, foldFloats(op, x, (off + s) * Float.BYTES, Math.min(BLOCK, full - s)));
        }
        if (full < n) acc = op.combine(acc, foldFloats(op, tail(x, off + full, n - full, 4 * FL, (float) op.identity()), 0, 4 * FL));
        return acc;
    }

    private static double rowDoubles(ReduceOp op, MemorySegment x, long off, long n) {
        double acc = op.identity();
        long full = n - n % (4 * DL);
        for (long s = 0; s < full; s += BLOCK) {
            acc = op.combine(acc, foldDoubles(op, x, (off + s) * Double.BYTES, Math.min(BLOCK, full - s)));
        }
        if (full < n) acc = op.combine(acc, foldDoubles(op, tailDoubles(x, off + full, n - full, op.identity()), 0, 4 * DL));
        return acc;
    }

    /** op over n elements from byte xb, n a multiple of four vectors, with four independent accumulators. */
    private static float foldFloats(ReduceOp op, MemorySegment x, long xb, long n) {
        FloatVector a0 = FloatVector.broadcast(F, (float) op.identity()), a1 = a0, a2 = a0, a3 = a0;
        long v = F.vectorByteSize(), end = xb + n * Float.BYTES;
        switch (op) {
            case SUM -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.add(loadF(x, p)); a1 = a1.add(loadF(x, p + v)); a2 = a2.add(loadF(x, p + 2 * v)); a3 = a3.add(loadF(x, p + 3 * v));
                }
                return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
            }
            case MAX -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.lanewise(MAX, loadF(x, p)); a1 = a1.lanewise(MAX, loadF(x, p + v));
                    a2 = a2.lanewise(MAX, loadF(x, p + 2 * v)); a3 = a3.lanewise(MAX, loadF(x, p + 3 * v));
                }
                return a0.lanewise(MAX, a1).lanewise(MAX, a2.lanewise(MAX, a3)).reduceLanes(MAX);
            }
            case MIN -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.lanewise(MIN, loadF(x, p)); a1 = a1.lanewise(MIN, loadF(x, p + v));
                    a2 = a2.lanewise(MIN, loadF(x, p + 2 * v)); a3 = a3.lanewise(MIN, loadF(x, p + 3 * v));
                }
                return a0.lanewise(MIN, a1).lanewise(MIN, a2.lanewise(MIN, a3)).reduceLanes(MIN);
            }
            default -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
    }

    private static double foldDoubles(ReduceOp op, MemorySegment x, long xb, long n) {
        DoubleVector a0 = DoubleVector.broadcast(D, op.identity()), a1 = a0, a2 = a0, a3 = a0;
        long v = D.vectorByteSize(), end = xb + n * Double.BYTES;
        switch (op) {
            case SUM -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.add(loadD(x, p)); a1 = a1.add(loadD(x, p + v)); a2 = a2.add(loadD(x, p + 2 * v)); a3 = a3.add(loadD(x, p + 3 * v));
                }
                return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
            }
            case MAX -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.lanewise(MAX, loadD(x, p)); a1 = a1.lanewise(MAX, loadD(x, p + v));
                    a2 = a2.lanewise(MAX, loadD(x, p + 2 * v)); a3 = a3.lanewise(MAX, loadD(x, p + 3 * v));
                }
                return a0.lanewise(MAX, a1).lanewise(MAX, a2.lanewise(MAX, a3)).reduceLanes(MAX);
            }
            case MIN -> {
                for (long p = xb; p < end; p += 4 * v) {
                    a0 = a0.lanewise(MIN, loadD(x, p)); a1 = a1.lanewise(MIN, loadD(x, p + v));
                    a2 = a2.lanewise(MIN, loadD(x, p + 2 * v)); a3 = a3.lanewise(MIN, loadD(x, p + 3 * v));
                }
                return a0.lanewise(MIN, a1).lanewise(MIN, a2.lanewise(MIN, a3)).reduceLanes(MIN);
            }
            default -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
    }

    /** One vector of columns: y = op over s < size of the vector at byte xb + s * rowBytes. */
    private static void columnFloats(ReduceOp op, MemorySegment x, long xb, long rowBytes, long size, MemorySegment y, long yb) {
        FloatVector acc = FloatVector.broadcast(F, (float) op.identity());
        long end = xb + size * rowBytes;
        switch (op) {
            case SUM -> { for (long p = xb; p < end; p += rowBytes) acc = acc.add(loadF(x, p)); }
            case MAX -> { for (long p = xb; p < end; p += rowBytes) acc = acc.lanewise(MAX, loadF(x, p)); }
            case MIN -> { for (long p = xb; p < end; p += rowBytes) acc = acc.lanewise(MIN, loadF(x, p)); }
            default -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
        put(y, yb, acc);
    }

    private static void columnDoubles(ReduceOp op, MemorySegment x, long xb, long rowBytes, long size, MemorySegment y, long yb) {
        DoubleVector acc = DoubleVector.broadcast(D, op.identity());
        long end = xb + size * rowBytes;
        switch (op) {
            case SUM -> { for (long p = xb; p < end; p += rowBytes) acc = acc.add(loadD(x, p)); }
            case MAX -> { for (long p = xb; p < end; p += rowBytes) acc = acc.lanewise(MAX, loadD(x, p)); }
            case MIN -> { for (long p = xb; p < end; p += rowBytes) acc = acc.lanewise(MIN, loadD(x, p)); }
            default -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
        put(y, yb, acc);
    }

    /** Writes exp(x - max) for n elements (a multiple of the lanes) to y unless y is null, and returns their sum. */
    private static float expSum(MemorySegment x, long xb, float max, MemorySegment y, long yb, long n) {
        FloatVector m = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
        long v = F.vectorByteSize(), bytes = n * Float.BYTES;
        for (long p = 0; p < bytes; p += v) {
            FloatVector e = loadF(x, xb + p).sub(m).lanewise(EXP);
            if (y != null) put(y, yb + p, e);
            acc = acc.add(e);
        }
        return acc.reduceLanes(ADD);
    }

    /** y = (x - max) - logSum over a row. */
    private static void shiftRow(MemorySegment x, long xOff, MemorySegment y, long yOff, long n, float max, float logSum) {
        FloatVector m = FloatVector.broadcast(F, max), ls = FloatVector.broadcast(F, logSum);
        long full = F.loopBound(n), v = F.vectorByteSize();
        long xb = xOff * Float.BYTES, yb = yOff * Float.BYTES;
        for (long p = 0; p < full * Float.BYTES; p += v) put(y, yb + p, loadF(x, xb + p).sub(m).sub(ls));
        for (long i = full; i < n; i++) {
            y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + i, x.getAtIndex(ValueLayout.JAVA_FLOAT, xOff + i) - max - logSum);
        }
    }

    /** y *= scale over a row. */
    private static void scaleRow(MemorySegment y, long yOff, long n, float scale) {
        long full = F.loopBound(n), v = F.vectorByteSize(), yb = yOff * Float.BYTES;
        for (long p = 0; p < full * Float.BYTES; p += v) put(y, yb + p, loadF(y, yb + p).mul(scale));
        for (long i = full; i < n; i++) y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + i, y.getAtIndex(ValueLayout.JAVA_FLOAT, yOff + i) * scale);
    }

    /** A buffer of {@code length} floats: x[off, off + count) followed by {@code pad}. */
    private static MemorySegment tail(MemorySegment x, long off, long count, int length, float pad) {
        float[] t = new float[length];
        Arrays.fill(t, pad);
        MemorySegment s = MemorySegment.ofArray(t);
        MemorySegment.copy(x, off * Float.BYTES, s, 0, count * Float.BYTES);
        return s;
    }

    private static MemorySegment tailDoubles(MemorySegment x, long off, long count, double pad) {
        double[] t = new double[4 * DL];
        Arrays.fill(t, pad);
        MemorySegment s = MemorySegment.ofArray(t);
        MemorySegment.copy(x, off * Double.BYTES, s, 0, count * Double.BYTES);
        return s;
    }
}
