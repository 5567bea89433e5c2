package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.VD;
import static dev.panagrad.kernels.Lanes.VF;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * Sum, max and min along the middle axis of a contiguous {@code [outer, size, inner]} block, and row-wise
 * float32 softmax.
 *
 * <p>Rows ({@code inner == 1}) are folded by four vector accumulators, {@link #BLOCK} elements at a time;
 * block results are combined in double, so a float32 row sum carries the rounding of a short float sum per
 * block rather than of the whole row. The last partial group of four vectors is copied into scratch vectors padded
 * with the identity and folded by the same loop. With {@code inner >= lanes}, each vector of outputs
 * accumulates down the axis; the last one is shifted left to end at the last column (recomputing a few
 * columns) instead of being masked. Smaller {@code inner} and PROD are left to the reference. Each op has
 * its own loop method, for the reasons given in {@link VectorUnary}.
 */
final class VectorReduce {
    private VectorReduce() {}

    /**
     * Elements folded in float before the partial result is added in double; a multiple of four vectors. Each block
     * ends with an in-order sum of the lanes, which costs about as much as folding a thousand elements, so shorter
     * blocks cost streaming speed (1024: sum over 16M float32 at 27 GB/s on one core, 8192: 34-36 GB/s).
     */
    private static final long BLOCK = 8192;

    /** Float32 reduction; false for the cases the caller leaves to the reference. */
    static boolean floats(ReduceOp op, MemorySegment x, long xOff, long outer, long size, long inner,
                          MemorySegment y, long yOff) {
        if (op == ReduceOp.PROD || (inner > 1 && inner < FL)) return false;
        for (long o = 0; o < outer; o++) {
            long base = xOff + o * size * inner;
            if (inner == 1) {
                y.setAtIndex(ValueLayout.JAVA_FLOAT, yOff + o, (float) rowFloats(op, x, base, size));
                continue;
            }
            long i = 0;
            if (op == ReduceOp.SUM) {
                for (; i + 4 * FL <= inner; i += 4 * FL) {
                    sumFourColumnsFloats(x, (base + i) * Float.BYTES, inner * Float.BYTES, size, y,
                            (yOff + o * inner + i) * Float.BYTES);
                }
            }
            for (; i < inner; i += FL) {
                long c = Math.min(i, inner - FL);
                long yb = (yOff + o * inner + c) * Float.BYTES;
                columnFloats(op, x, (base + c) * Float.BYTES, inner * Float.BYTES, size, y, yb);
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
                continue;
            }
            for (long i = 0; i < inner; i += DL) {
                long c = Math.min(i, inner - DL);
                long yb = (yOff + o * inner + c) * Double.BYTES;
                columnDoubles(op, x, (base + c) * Double.BYTES, inner * Double.BYTES, size, y, yb);
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
        int count = (int) (cols - full);
        VectorMask<Float> tail = F.indexInRange(0, count);
        for (long r = 0; r < rows; r++) {
            long xb = xOff + r * cols, yb = yOff + r * cols;
            float max = rowMax(x, xb * Float.BYTES, full, tail);
            if (max == Float.NEGATIVE_INFINITY) max = 0;
            double sum = 0;
            for (long s = 0; s < full; s += BLOCK) {
                long n = Math.min(BLOCK, full - s);
                sum += expSum(x, (xb + s) * Float.BYTES, max, log ? null : y, (yb + s) * Float.BYTES, n * Float.BYTES);
            }
            if (count > 0) {
                // Lanes past the row hold max, which keeps them in exp's fast range (e^0 = 1); the sum leaves them out.
                FloatVector v = FloatVector.fromMemorySegment(F, x, (xb + full) * Float.BYTES, ORDER, tail);
                FloatVector e = VectorExp.exp(FloatVector.broadcast(F, max).blend(v, tail).sub(max));
                sum += Lanes.sum(e, count);
                if (!log) e.intoMemorySegment(y, (yb + full) * Float.BYTES, ORDER, tail);
            }
            if (log) {
                shiftRow(x, xb, y, yb, full, tail, max, (float) Math.log(sum));
            } else {
                scaleRow(y, yb, full, tail, (float) (1 / sum));
            }
        }
    }

    /**
     * The maximum of a row: {@code full} elements from xb in whole vectors (groups of four through
     * {@link #maxFloats}), then the row's last partial vector under {@code tail}. Read in place rather than through
     * padded scratch, which cost a short row (ten classes) more than the rest of its softmax; max is exact, so the
     * grouping does not change the result.
     */
    private static float rowMax(MemorySegment x, long xb, long full, VectorMask<Float> tail) {
        long quads = (full - full % (4 * FL)) * Float.BYTES, end = xb + full * Float.BYTES;
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (long p = xb + quads; p < end; p += VF) acc = acc.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p, ORDER));
        if (tail.anyTrue()) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, end, ORDER, tail);
            acc = acc.lanewise(MAX, FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(v, tail));
        }
        return Math.max(maxFloats(x, xb, quads), acc.reduceLanes(MAX));
    }

    /** op over x[off, off + n), combined in double block by block. */
    private static double rowFloats(ReduceOp op, MemorySegment x, long off, long n) {
        double acc = op.identity();
        long full = n - n % (4 * FL);
        for (long s = 0; s < full; s += BLOCK) {
            acc = op.combine(acc, foldFloats(op, x, (off + s) * Float.BYTES, Math.min(BLOCK, full - s) * Float.BYTES));
        }
        if (full < n) {
            MemorySegment t = padded(x, off + full, n - full, 4, (float) op.identity());
            acc = op.combine(acc, foldFloats(op, t, 0, t.byteSize()));
        }
        return acc;
    }

    private static double rowDoubles(ReduceOp op, MemorySegment x, long off, long n) {
        double acc = op.identity();
        long full = n - n % (4 * DL);
        for (long s = 0; s < full; s += BLOCK) {
            acc = op.combine(acc, foldDoubles(op, x, (off + s) * Double.BYTES, Math.min(BLOCK, full - s) * Double.BYTES));
        }
        if (full < n) {
            MemorySegment t = paddedDoubles(x, off + full, n - full, 4, op.identity());
            acc = op.combine(acc, foldDoubles(op, t, 0, t.byteSize()));
        }
        return acc;
    }

    /** op over {@code bytes} from xb, a multiple of four vectors. */
    private static float foldFloats(ReduceOp op, MemorySegment x, long xb, long bytes) {
        return switch (op) {
            case SUM -> sumFloats(x, xb, bytes);
            case MAX -> maxFloats(x, xb, bytes);
            case MIN -> minFloats(x, xb, bytes);
            case PROD -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        };
    }

    private static double foldDoubles(ReduceOp op, MemorySegment x, long xb, long bytes) {
        return switch (op) {
            case SUM -> sumDoubles(x, xb, bytes);
            case MAX -> maxDoubles(x, xb, bytes);
            case MIN -> minDoubles(x, xb, bytes);
            case PROD -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        };
    }

    /** One vector of columns: y at yb = op over s < size of the vector at xb + s * rowBytes. */
    private static void columnFloats(ReduceOp op, MemorySegment x, long xb, long rowBytes, long size, MemorySegment y, long yb) {
        switch (op) {
            case SUM -> sumColumnFloats(x, xb, rowBytes, size, y, yb);
            case MAX -> maxColumnFloats(x, xb, rowBytes, size, y, yb);
            case MIN -> minColumnFloats(x, xb, rowBytes, size, y, yb);
            case PROD -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
    }

    private static void columnDoubles(ReduceOp op, MemorySegment x, long xb, long rowBytes, long size, MemorySegment y, long yb) {
        switch (op) {
            case SUM -> sumColumnDoubles(x, xb, rowBytes, size, y, yb);
            case MAX -> maxColumnDoubles(x, xb, rowBytes, size, y, yb);
            case MIN -> minColumnDoubles(x, xb, rowBytes, size, y, yb);
            case PROD -> throw new IllegalArgumentException("reduce: no vector form of " + op);
        }
    }

    private static float sumFloats(MemorySegment x, long xb, long bytes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VF) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, x, p, ORDER));
            a1 = a1.add(FloatVector.fromMemorySegment(F, x, p + VF, ORDER));
            a2 = a2.add(FloatVector.fromMemorySegment(F, x, p + 2 * VF, ORDER));
            a3 = a3.add(FloatVector.fromMemorySegment(F, x, p + 3 * VF, ORDER));
        }
        return Lanes.sum(a0.add(a1).add(a2.add(a3)));
    }

    private static void sumColumnFloats(MemorySegment x, long xb, long rowBytes, long size,
                                        MemorySegment y, long yb) {
        FloatVector acc = FloatVector.zero(F);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.add(FloatVector.fromMemorySegment(F, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    /**
     * Four vectors of columns side by side, as {@link #sumColumnFloats} four times: four independent sums per row
     * instead of one chain of dependent adds (a linear layer's bias gradient, sum over 128 x 512: 18-25 -> 3.5-7 us).
     */
    private static void sumFourColumnsFloats(MemorySegment x, long xb, long rowBytes, long size,
                                             MemorySegment y, long yb) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, x, p, ORDER));
            a1 = a1.add(FloatVector.fromMemorySegment(F, x, p + VF, ORDER));
            a2 = a2.add(FloatVector.fromMemorySegment(F, x, p + 2 * VF, ORDER));
            a3 = a3.add(FloatVector.fromMemorySegment(F, x, p + 3 * VF, ORDER));
        }
        a0.intoMemorySegment(y, yb, ORDER);
        a1.intoMemorySegment(y, yb + VF, ORDER);
        a2.intoMemorySegment(y, yb + 2 * VF, ORDER);
        a3.intoMemorySegment(y, yb + 3 * VF, ORDER);
    }

    private static float maxFloats(MemorySegment x, long xb, long bytes) {
        FloatVector a0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VF) {
            a0 = a0.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p, ORDER));
            a1 = a1.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p + VF, ORDER));
            a2 = a2.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p + 2 * VF, ORDER));
            a3 = a3.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p + 3 * VF, ORDER));
        }
        return a0.lanewise(MAX, a1).lanewise(MAX, a2.lanewise(MAX, a3)).reduceLanes(MAX);
    }

    private static void maxColumnFloats(MemorySegment x, long xb, long rowBytes, long size,
                                        MemorySegment y, long yb) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.lanewise(MAX, FloatVector.fromMemorySegment(F, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    private static float minFloats(MemorySegment x, long xb, long bytes) {
        FloatVector a0 = FloatVector.broadcast(F, Float.POSITIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VF) {
            a0 = a0.lanewise(MIN, FloatVector.fromMemorySegment(F, x, p, ORDER));
            a1 = a1.lanewise(MIN, FloatVector.fromMemorySegment(F, x, p + VF, ORDER));
            a2 = a2.lanewise(MIN, FloatVector.fromMemorySegment(F, x, p + 2 * VF, ORDER));
            a3 = a3.lanewise(MIN, FloatVector.fromMemorySegment(F, x, p + 3 * VF, ORDER));
        }
        return a0.lanewise(MIN, a1).lanewise(MIN, a2.lanewise(MIN, a3)).reduceLanes(MIN);
    }

    private static void minColumnFloats(MemorySegment x, long xb, long rowBytes, long size,
                                        MemorySegment y, long yb) {
        FloatVector acc = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.lanewise(MIN, FloatVector.fromMemorySegment(F, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    private static double sumDoubles(MemorySegment x, long xb, long bytes) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VD) {
            a0 = a0.add(DoubleVector.fromMemorySegment(D, x, p, ORDER));
            a1 = a1.add(DoubleVector.fromMemorySegment(D, x, p + VD, ORDER));
            a2 = a2.add(DoubleVector.fromMemorySegment(D, x, p + 2 * VD, ORDER));
            a3 = a3.add(DoubleVector.fromMemorySegment(D, x, p + 3 * VD, ORDER));
        }
        return Lanes.sum(a0.add(a1).add(a2.add(a3)));
    }

    private static void sumColumnDoubles(MemorySegment x, long xb, long rowBytes, long size,
                                         MemorySegment y, long yb) {
        DoubleVector acc = DoubleVector.zero(D);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.add(DoubleVector.fromMemorySegment(D, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    private static double maxDoubles(MemorySegment x, long xb, long bytes) {
        DoubleVector a0 = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VD) {
            a0 = a0.lanewise(MAX, DoubleVector.fromMemorySegment(D, x, p, ORDER));
            a1 = a1.lanewise(MAX, DoubleVector.fromMemorySegment(D, x, p + VD, ORDER));
            a2 = a2.lanewise(MAX, DoubleVector.fromMemorySegment(D, x, p + 2 * VD, ORDER));
            a3 = a3.lanewise(MAX, DoubleVector.fromMemorySegment(D, x, p + 3 * VD, ORDER));
        }
        return a0.lanewise(MAX, a1).lanewise(MAX, a2.lanewise(MAX, a3)).reduceLanes(MAX);
    }

    private static void maxColumnDoubles(MemorySegment x, long xb, long rowBytes, long size,
                                         MemorySegment y, long yb) {
        DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.lanewise(MAX, DoubleVector.fromMemorySegment(D, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    private static double minDoubles(MemorySegment x, long xb, long bytes) {
        DoubleVector a0 = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY), a1 = a0, a2 = a0, a3 = a0;
        for (long p = xb; p < xb + bytes; p += 4 * VD) {
            a0 = a0.lanewise(MIN, DoubleVector.fromMemorySegment(D, x, p, ORDER));
            a1 = a1.lanewise(MIN, DoubleVector.fromMemorySegment(D, x, p + VD, ORDER));
            a2 = a2.lanewise(MIN, DoubleVector.fromMemorySegment(D, x, p + 2 * VD, ORDER));
            a3 = a3.lanewise(MIN, DoubleVector.fromMemorySegment(D, x, p + 3 * VD, ORDER));
        }
        return a0.lanewise(MIN, a1).lanewise(MIN, a2.lanewise(MIN, a3)).reduceLanes(MIN);
    }

    private static void minColumnDoubles(MemorySegment x, long xb, long rowBytes, long size,
                                         MemorySegment y, long yb) {
        DoubleVector acc = DoubleVector.broadcast(D, Double.POSITIVE_INFINITY);
        for (long p = xb; p < xb + size * rowBytes; p += rowBytes) {
            acc = acc.lanewise(MIN, DoubleVector.fromMemorySegment(D, x, p, ORDER));
        }
        acc.intoMemorySegment(y, yb, ORDER);
    }

    /** Writes exp(x - max) over {@code bytes} (whole vectors) to y unless y is null, and returns their sum. */
    private static float expSum(MemorySegment x, long xb, float max, MemorySegment y, long yb, long bytes) {
        FloatVector m = FloatVector.broadcast(F, max), acc = FloatVector.zero(F);
        for (long p = 0; p < bytes; p += VF) {
            FloatVector e = VectorExp.exp(FloatVector.fromMemorySegment(F, x, xb + p, ORDER).sub(m));
            if (y != null) e.intoMemorySegment(y, yb + p, ORDER);
            acc = acc.add(e);
        }
        return Lanes.sum(acc);
    }

    /** y = (x - max) - logSum over a row of {@code full} elements in whole vectors and a partial one under tail. */
    private static void shiftRow(MemorySegment x, long xOff, MemorySegment y, long yOff, long full, VectorMask<Float> tail,
                                 float max, float logSum) {
        FloatVector m = FloatVector.broadcast(F, max), ls = FloatVector.broadcast(F, logSum);
        long xb = xOff * Float.BYTES, yb = yOff * Float.BYTES, end = full * Float.BYTES;
        for (long p = 0; p < end; p += VF) {
            FloatVector.fromMemorySegment(F, x, xb + p, ORDER).sub(m).sub(ls).intoMemorySegment(y, yb + p, ORDER);
        }
        if (tail.anyTrue()) {
            FloatVector.fromMemorySegment(F, x, xb + end, ORDER, tail).sub(m).sub(ls).intoMemorySegment(y, yb + end, ORDER, tail);
        }
    }

    /** y *= scale over a row, as {@link #shiftRow} splits it. */
    private static void scaleRow(MemorySegment y, long yOff, long full, VectorMask<Float> tail, float scale) {
        long yb = yOff * Float.BYTES, end = full * Float.BYTES;
        for (long p = 0; p < end; p += VF) {
            FloatVector.fromMemorySegment(F, y, yb + p, ORDER).mul(scale).intoMemorySegment(y, yb + p, ORDER);
        }
        if (tail.anyTrue()) {
            FloatVector.fromMemorySegment(F, y, yb + end, ORDER, tail).mul(scale).intoMemorySegment(y, yb + end, ORDER, tail);
        }
    }

    /** Scratch vectors 0.. holding x[off, off + count) followed by {@code pad}, {@code vectors} vectors in all. */
    private static MemorySegment padded(MemorySegment x, long off, long count, int vectors, float pad) {
        MemorySegment t = Lanes.scratch(0, vectors);
        for (long i = count; i < vectors * FL; i++) t.setAtIndex(ValueLayout.JAVA_FLOAT, i, pad);
        MemorySegment.copy(x, off * Float.BYTES, t, 0, count * Float.BYTES);
        return t;
    }

    private static MemorySegment paddedDoubles(MemorySegment x, long off, long count, int vectors, double pad) {
        MemorySegment t = Lanes.scratch(0, vectors);
        for (long i = count; i < vectors * DL; i++) t.setAtIndex(ValueLayout.JAVA_DOUBLE, i, pad);
        MemorySegment.copy(x, off * Double.BYTES, t, 0, count * Double.BYTES);
        return t;
    }
}
