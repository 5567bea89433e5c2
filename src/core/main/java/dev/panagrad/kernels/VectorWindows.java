package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;

/**
 * float32 sliding-window kernels, a vector of output columns at a time.
 *
 * <p>im2col and col2im for windows moved one column at a time (horizontal stride 1, the common
 * convolution): a run of output columns reads one contiguous run of an input row. Lanes whose input column
 * falls in the padding are masked off: loads give 0 there, and col2im leaves those positions alone. Each
 * image element receives its additions in the same order as in {@link ScalarKernels#col2im}, so the results
 * are identical to it.
 *
 * <p>Max pooling for any window: each tap is gathered for a vector of output columns from a heap copy of
 * the plane, and lanes take it where it is larger or NaN, so maxima and their indices are those of
 * {@link ScalarKernels#maxPool2d}.
 */
final class VectorWindows {
    private VectorWindows() {}

    /** {@link Kernels#im2col} for float32; false (nothing written) unless the horizontal stride is 1. */
    static boolean im2colFloats(Window2d w, long channels, MemorySegment x, long xOff, long batch,
                                MemorySegment cols, long colOff, long ldc) {
        if (w.strideW() != 1) return false;
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW(), l = oh * ow;
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = xOff + (b * channels + c) * h * wd;
                for (long i = 0; i < w.kernelH(); i++) {
                    for (long j = 0; j < w.kernelW(); j++) {
                        long row = (c * w.kernelH() + i) * w.kernelW() + j;
                        long first = j * w.dilationW() - w.padW();   // input column of output column 0
                        for (long k = 0; k < ow; k += FL) {
                            VectorMask<Float> stored = F.indexInRange(k, ow), read = stored.and(inside(first + k, wd));
                            for (long y = 0; y < oh; y++) {
                                long ih = y * w.strideH() - w.padH() + i * w.dilationH();
                                FloatVector v = ih >= 0 && ih < h
                                        ? FloatVector.fromMemorySegment(F, x, (plane + ih * wd + first + k) * Float.BYTES,
                                                ORDER, read)
                                        : FloatVector.zero(F);
                                v.intoMemorySegment(cols, (colOff + row * ldc + b * l + y * ow + k) * Float.BYTES, ORDER,
                                        stored);
                            }
                        }
                    }
                }
            }
        }
        return true;
    }

    /**
     * {@link Kernels#col2im} for float32; false (nothing written) unless the horizontal stride is 1 and the
     * columns are contiguous along a row.
     */
    static boolean col2imFloats(Window2d w, long channels, MemorySegment cols, long colOff, long rowStride,
                                long colStride, long batch, MemorySegment y, long yOff) {
        if (w.strideW() != 1 || colStride != 1) return false;
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW(), l = oh * ow;
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = yOff + (b * channels + c) * h * wd;
                for (long i = 0; i < w.kernelH(); i++) {
                    for (long j = 0; j < w.kernelW(); j++) {
                        long row = (c * w.kernelH() + i) * w.kernelW() + j;
                        long first = j * w.dilationW() - w.padW();
                        for (long k = 0; k < ow; k += FL) {
                            VectorMask<Float> m = F.indexInRange(k, ow).and(inside(first + k, wd));
                            for (long r = 0; r < oh; r++) {
                                long ih = r * w.strideH() - w.padH() + i * w.dilationH();
                                if (ih < 0 || ih >= h) continue;
                                long at = (plane + ih * wd + first + k) * Float.BYTES;
                                long src = colOff + row * rowStride + b * l + r * ow + k;
                                FloatVector.fromMemorySegment(F, y, at, ORDER, m)
                                        .add(FloatVector.fromMemorySegment(F, cols, src * Float.BYTES, ORDER, m))
                                        .intoMemorySegment(y, at, ORDER, m);
                            }
                        }
                    }
                }
            }
        }
        return true;
    }

    /**
     * The lanes N with {@code 0 <= start + N < size}: input columns inside the row. Written with non-negative
     * offsets only, the form the JIT compiles to mask instructions.
     */
    private static VectorMask<Float> inside(long start, long size) {
        return F.indexInRange(0, size - start).andNot(F.indexInRange(0, -start));
    }

    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    /** {@link Kernels#maxPool2d} for float32 planes. */
    static void maxPoolFloats(Window2d w, MemorySegment x, long xOff, long planes, MemorySegment y, long yOff,
                              MemorySegment indices, long iOff) {
        int h = (int) w.height(), wd = (int) w.width(), oh = (int) w.outH(), ow = (int) w.outW();
        int sw = (int) w.strideW(), pw = (int) w.padW(), dw = (int) w.dilationW();
        Window2d.Taps rows = w.rowTaps(), cols = w.colTaps();
        // The plane on the heap with -inf in the horizontal padding (it never wins) and room after the last row for
        // the lanes past the output row (computed, never stored): every gathered index is inside the array.
        int padded = wd + 2 * pw, after = (int) ((w.kernelW() - 1) * dw + (long) (ow + FL) * sw);
        float[] plane = new float[h * padded + after];
        Arrays.fill(plane, Float.NEGATIVE_INFINITY);
        int[] strided = new int[FL];   // lane N reads column N * strideW of its run
        for (int n = 0; n < FL; n++) strided[n] = n * sw;
        IntVector columnStep = IntVector.fromArray(I, strided, 0);
        int[] firstTap = new int[ow + FL];   // per output column: its first tap inside the input
        for (int c = 0; c < ow; c++) firstTap[c] = c * sw - pw + cols.lo()[c] * dw;
        int[] idx = new int[oh * ow + FL];
        long[] planeIdx = new long[oh * ow];
        for (long p = 0; p < planes; p++) {
            for (int r = 0; r < h; r++) {
                MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, (xOff + p * h * wd + (long) r * wd) * Float.BYTES,
                        plane, r * padded + pw, wd);
            }
            for (int r = 0; r < oh; r++) {
                int firstRow = (int) (r * w.strideH() - w.padH()) + rows.lo()[r] * (int) w.dilationH();
                for (int k = 0; k < ow; k += FL) {
                    FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    // before any tap wins: the first tap inside the window, as PyTorch starts
                    IntVector at = IntVector.fromArray(I, firstTap, k).add(firstRow * wd);
                    for (int i = rows.lo()[r]; i < rows.hi()[r]; i++) {
                        int ih = (int) (r * w.strideH() - w.padH()) + i * (int) w.dilationH();
                        for (int j = 0; j < w.kernelW(); j++) {
                            int column = j * dw + k * sw;   // of output column k's tap, in the padded row
                            FloatVector v = FloatVector.fromArray(F, plane, ih * padded + column, strided, 0);
                            VectorMask<Float> wins = v.compare(VectorOperators.GT, m).or(v.compare(VectorOperators.NE, v));
                            m = m.blend(v, wins);
                            at = at.blend(columnStep.add(ih * wd + column - pw), wins.cast(I));
                        }
                    }
                    m.intoMemorySegment(y, (yOff + p * oh * ow + (long) r * ow + k) * Float.BYTES, ORDER,
                            F.indexInRange(k, ow));
                    at.intoArray(idx, r * ow + k);
                }
            }
            for (int e = 0; e < planeIdx.length; e++) planeIdx[e] = idx[e];
            MemorySegment.copy(planeIdx, 0, indices, ValueLayout.JAVA_LONG_UNALIGNED, (iOff + p * oh * ow) * Long.BYTES,
                    planeIdx.length);
        }
    }
}
