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
 * convolution): the output columns of one window row whose input lies inside the image read one contiguous
 * run of an input row, which is copied (or, for col2im, added back) whole; the columns in the padding are
 * zeros (col2im skips them). Where the output is as wide as the image times the vertical stride (a "same"
 * convolution), a tap's rows join into one run over the plane, read or added a vector at a time with the
 * padding columns masked out. Each image element receives its additions in the same order as in
 * {@link ScalarKernels#col2im}, so the results are identical to it.
 *
 * <p>Max pooling for any window: each tap is gathered for a vector of output columns from a heap copy of
 * the plane, and lanes take it where it is larger or NaN, so maxima and their indices are those of
 * {@link ScalarKernels#maxPool2d}; 2x2 windows at stride 2 read whole vectors and split even from odd
 * columns instead.
 */
final class VectorWindows {
    private VectorWindows() {}

    /** {@link Kernels#im2col} for float32; false (nothing written) unless the horizontal stride is 1. */
    static boolean im2colFloats(Window2d w, long channels, MemorySegment x, long xOff, long batch,
                                MemorySegment cols, long colOff, long ldc) {
        if (w.strideW() != 1) return false;
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW(), l = oh * ow;
        TapRuns taps = TapRuns.of(w);
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = xOff + (b * channels + c) * h * wd;
                for (int t = 0; t < taps.count(); t++) {
                    long lo = taps.lo[t], hi = taps.hi[t], y0 = taps.y0[t], y1 = taps.y1[t];
                    long to = colOff + (c * taps.count() + t) * ldc + b * l, from = plane + taps.shift[t];
                    if (y1 == y0 || hi == lo) {
                        zeroRun(cols, to, l);
                    } else if (taps.inside != null) {
                        long p0 = y0 * ow + lo, p1 = (y1 - 1) * ow + hi;
                        if (p1 - p0 >= FL) {
                            zeroOutside(cols, to, p0, p1, l);
                        } else {
                            zeroRun(cols, to, p0);
                            zeroRun(cols, to + p1, l - p1);
                        }
                        copyInside(x, from, cols, to, p0, p1, taps.inside[t]);
                    } else {
                        zeroRun(cols, to, y0 * ow);
                        for (long y = y0; y < y1; y++) {
                            zeroRun(cols, to + y * ow, lo);
                            copyRun(x, from + y * w.strideH() * wd + lo, cols, to + y * ow + lo, hi - lo);
                            zeroRun(cols, to + y * ow + hi, ow - hi);
                        }
                        zeroRun(cols, to + y1 * ow, (oh - y1) * ow);
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
        TapRuns taps = TapRuns.of(w);
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = yOff + (b * channels + c) * h * wd;
                for (int t = 0; t < taps.count(); t++) {
                    long lo = taps.lo[t], hi = taps.hi[t], y0 = taps.y0[t], y1 = taps.y1[t];
                    long from = colOff + (c * taps.count() + t) * rowStride + b * l, to = plane + taps.shift[t];
                    if (y1 == y0 || hi == lo) continue;
                    if (taps.inside != null) {
                        addInside(cols, from, y, to, y0 * ow + lo, (y1 - 1) * ow + hi, taps.inside[t]);
                        continue;
                    }
                    for (long r = y0; r < y1; r++) {
                        addRun(cols, from + r * ow + lo, y, to + r * w.strideH() * wd + lo, hi - lo);
                    }
                }
            }
        }
        return true;
    }

    /**
     * Where each tap {@code t = i * kernelW + j} of a window reads, the same in every plane: its output columns
     * [lo, hi) and rows [y0, y1) that read the image (the others are padding), and the input position of its
     * output (0, 0) relative to the plane's start (outside the plane when that output is padding). For a
     * {@link #wrapping} window, {@code inside[t]} marks the output positions of a plane (row-major, outH x outW)
     * whose column reads the image (shared by the taps of one column j); null otherwise.
     */
    private record TapRuns(long[] lo, long[] hi, long[] y0, long[] y1, long[] shift, boolean[][] inside) {
        static TapRuns of(Window2d w) {
            int kw = (int) w.kernelW(), count = (int) (w.kernelH() * kw);
            long ow = w.outW();
            long[] lo = new long[count], hi = new long[count], y0 = new long[count], y1 = new long[count];
            long[] shift = new long[count];
            for (int t = 0; t < count; t++) {
                long i = t / kw, j = t % kw;
                long first = j * w.dilationW() - w.padW();   // input column of output column 0
                lo[t] = insideFrom(first, ow);
                hi[t] = insideTo(first, w.width(), lo[t], ow);
                y0[t] = firstInsideRow(w, i);
                y1[t] = endInsideRows(w, i, y0[t]);
                shift[t] = first + (i * w.dilationH() - w.padH()) * w.width();
            }
            return new TapRuns(lo, hi, y0, y1, shift, wrapping(w) ? insideColumns(w, lo, hi) : null);
        }

        /** One mask per column j, built for the first row's tap t = j; every later tap t shares tap t - kernelW's. */
        private static boolean[][] insideColumns(Window2d w, long[] lo, long[] hi) {
            int kw = (int) w.kernelW(), ow = (int) w.outW(), l = (int) (w.outH() * ow);
            boolean[][] inside = new boolean[lo.length][];
            for (int t = 0; t < lo.length; t++) {
                if (t < kw) {
                    inside[t] = new boolean[l];
                    for (int row = 0; row < l; row += ow) Arrays.fill(inside[t], row + (int) lo[t], row + (int) hi[t], true);
                } else {
                    inside[t] = inside[t - kw];
                }
            }
            return inside;
        }

        int count() {
            return lo.length;
        }
    }

    /**
     * Whether output row r's taps read image row r * strideH on at the same distance as the output row lies in
     * the columns ({@code strideH * width == outW}, as in a "same" convolution): then a tap's whole plane of
     * columns maps to one run of the image, where the columns in the horizontal padding fall on the
     * neighbouring rows' edges and are masked out.
     */
    private static boolean wrapping(Window2d w) {
        return w.strideH() * w.width() == w.outW();
    }

    /** The first output row whose vertical tap i reads an image row (outH when none does). */
    private static long firstInsideRow(Window2d w, long i) {
        return Math.min(w.outH(), Math.max(0, ceilDiv(w.padH() - i * w.dilationH(), w.strideH())));
    }

    /** One past the last output row (at least y0) whose vertical tap i reads an image row. */
    private static long endInsideRows(Window2d w, long i, long y0) {
        return Math.max(y0, Math.min(w.outH(), ceilDiv(w.height() + w.padH() - i * w.dilationH(), w.strideH())));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** The first output column whose input column {@code first + k} is not in the left padding. */
    private static long insideFrom(long first, long ow) {
        return Math.min(ow, Math.max(0, -first));
    }

    /** One past the last output column (at least lo) whose input column is not in the right padding. */
    private static long insideTo(long first, long width, long lo, long ow) {
        return Math.max(lo, Math.min(ow, width - first));
    }

    // Runs are a few dozen elements: whole vectors, the last one overlapping the one before it where a copy
    // allows, and single elements for what is left. Masked vector stores would be slower than all of it.

    /** {@code to[t + e] = from[f + e]} for e in [0, n). */
    private static void copyRun(MemorySegment from, long f, MemorySegment to, long t, long n) {
        if (n < FL) {
            for (long e = 0; e < n; e++) to.setAtIndex(FLOAT, t + e, from.getAtIndex(FLOAT, f + e));
            return;
        }
        for (long e = 0; e < n; e += FL) {
            long at = Math.min(e, n - FL);
            FloatVector.fromMemorySegment(F, from, (f + at) * Float.BYTES, ORDER).intoMemorySegment(to, (t + at) * Float.BYTES, ORDER);
        }
    }

    /** {@code to[t + e] = 0} for e in [0, n). */
    private static void zeroRun(MemorySegment to, long t, long n) {
        if (n < FL) {
            for (long e = 0; e < n; e++) to.setAtIndex(FLOAT, t + e, 0f);
            return;
        }
        FloatVector zero = FloatVector.zero(F);
        for (long e = 0; e < n; e += FL) zero.intoMemorySegment(to, (t + Math.min(e, n - FL)) * Float.BYTES, ORDER);
    }

    /** {@code to[t + e] += from[f + e]} for e in [0, n), each element once. */
    private static void addRun(MemorySegment from, long f, MemorySegment to, long t, long n) {
        long e = 0;
        for (; e <= n - FL; e += FL) {
            long at = (t + e) * Float.BYTES;
            FloatVector.fromMemorySegment(F, to, at, ORDER)
                    .add(FloatVector.fromMemorySegment(F, from, (f + e) * Float.BYTES, ORDER))
                    .intoMemorySegment(to, at, ORDER);
        }
        for (; e < n; e++) to.setAtIndex(FLOAT, t + e, to.getAtIndex(FLOAT, t + e) + from.getAtIndex(FLOAT, f + e));
    }

    /**
     * {@code to[t + p] = inside[p] ? from[f + p] : 0} for p in [p0, p1). Every element of from in [f + p0, f + p1)
     * lies in the image, so whole vectors are read and the outside lanes dropped.
     */
    private static void copyInside(MemorySegment from, long f, MemorySegment to, long t, long p0, long p1,
                                   boolean[] inside) {
        if (p1 - p0 < FL) {
            for (long p = p0; p < p1; p++) to.setAtIndex(FLOAT, t + p, inside[(int) p] ? from.getAtIndex(FLOAT, f + p) : 0f);
            return;
        }
        for (long e = p0; e < p1; e += FL) {
            long p = Math.min(e, p1 - FL);   // the last vector ends at p1, rewriting a few lanes with the same values
            VectorMask<Float> keep = VectorMask.fromArray(F, inside, (int) p);
            FloatVector.zero(F).blend(FloatVector.fromMemorySegment(F, from, (f + p) * Float.BYTES, ORDER), keep)
                    .intoMemorySegment(to, (t + p) * Float.BYTES, ORDER);
        }
    }

    /**
     * {@code to[t + p] = 0} for p in [0, p0) and [p1, l), in whole vectors that may also cover part of [p0, p1),
     * which the caller writes afterwards. Needs {@code p1 - p0 >= FL} (so l >= FL as well).
     */
    private static void zeroOutside(MemorySegment to, long t, long p0, long p1, long l) {
        FloatVector zero = FloatVector.zero(F);
        for (long p = 0; p < p0; p += FL) zero.intoMemorySegment(to, (t + p) * Float.BYTES, ORDER);
        for (long p = p1; p < l; p += FL) zero.intoMemorySegment(to, (t + Math.min(p, l - FL)) * Float.BYTES, ORDER);
    }

    /**
     * {@code to[t + p] += from[f + p]} where {@code inside[p]}, for p in [p0, p1), each element once. The
     * elements of to in [t + p0, t + p1) all lie in one image plane, which no other thread writes: the
     * outside lanes are stored back unchanged.
     */
    private static void addInside(MemorySegment from, long f, MemorySegment to, long t, long p0, long p1,
                                  boolean[] inside) {
        long p = p0;
        for (; p <= p1 - FL; p += FL) addInside(from, f, to, t, p, VectorMask.fromArray(F, inside, (int) p));
        if (p == p1) return;
        if (p1 - p0 >= FL) {   // the rest as one vector ending at p1, its lanes before p (added already) left out
            long q = p1 - FL;
            addInside(from, f, to, t, q, VectorMask.fromArray(F, inside, (int) q).and(F.indexInRange(q - p, FL)));
            return;
        }
        for (; p < p1; p++) {
            if (inside[(int) p]) to.setAtIndex(FLOAT, t + p, to.getAtIndex(FLOAT, t + p) + from.getAtIndex(FLOAT, f + p));
        }
    }

    /** {@code to[t + p + e] += from[f + p + e]} for the lanes e of {@code keep}; the other lanes are stored back as they were. */
    private static void addInside(MemorySegment from, long f, MemorySegment to, long t, long p, VectorMask<Float> keep) {
        long at = (t + p) * Float.BYTES;
        FloatVector.fromMemorySegment(F, to, at, ORDER)
                .add(FloatVector.fromMemorySegment(F, from, (f + p) * Float.BYTES, ORDER), keep)
                .intoMemorySegment(to, at, ORDER);
    }

    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** {@link Kernels#maxPool2d} for float32 planes. */
    static void maxPoolFloats(Window2d w, MemorySegment x, long xOff, long planes, MemorySegment y, long yOff,
                              MemorySegment indices, long iOff) {
        int h = (int) w.height(), wd = (int) w.width(), oh = (int) w.outH(), ow = (int) w.outW();
        int sw = (int) w.strideW(), pw = (int) w.padW(), dw = (int) w.dilationW();
        // The plane on the heap with -inf in the horizontal padding (it never wins) and room after the last row for
        // the lanes past the output row (computed, never stored): every index read is inside the array.
        int padded = wd + 2 * pw, after = (int) ((w.kernelW() - 1) * dw + (long) (ow + FL) * sw);
        float[] plane = new float[h * padded + after];
        Arrays.fill(plane, Float.NEGATIVE_INFINITY);
        Taps taps = pairs(w) ? null : new Taps(w);
        int[] idx = new int[oh * ow + FL];
        float[] out = new float[oh * ow + FL];
        long[] planeIdx = new long[oh * ow];
        for (long p = 0; p < planes; p++) {
            long from = (xOff + p * h * wd) * Float.BYTES;
            if (pw == 0) {   // the rows lie end to end, in the segment as in the array
                MemorySegment.copy(x, FLOAT, from, plane, 0, h * wd);
            } else {
                for (int r = 0; r < h; r++) {
                    MemorySegment.copy(x, FLOAT, from + (long) r * wd * Float.BYTES, plane, r * padded + pw, wd);
                }
            }
            if (taps == null) {
                maxPairs(plane, wd, oh, ow, out, idx);
            } else {
                taps.max(plane, padded, out, idx);
            }
            MemorySegment.copy(out, 0, y, ValueLayout.JAVA_FLOAT_UNALIGNED, (yOff + p * oh * ow) * Float.BYTES, oh * ow);
            for (int e = 0; e < planeIdx.length; e++) planeIdx[e] = idx[e];
            MemorySegment.copy(planeIdx, 0, indices, ValueLayout.JAVA_LONG_UNALIGNED, (iOff + p * oh * ow) * Long.BYTES,
                    planeIdx.length);
        }
    }

    /** Any window: each tap gathered for a vector of output columns. */
    private static final class Taps {
        private final Window2d w;
        private final int[] strided = new int[FL];   // lane N reads column N * strideW of its run
        private final IntVector columnStep;
        private final int[] firstTap;   // per output column: its first tap inside the input

        Taps(Window2d w) {
            this.w = w;
            int ow = (int) w.outW(), sw = (int) w.strideW();
            for (int n = 0; n < FL; n++) strided[n] = n * sw;
            columnStep = IntVector.fromArray(I, strided, 0);
            firstTap = new int[ow + FL];
            for (int c = 0; c < ow; c++) firstTap[c] = c * sw - (int) w.padW() + w.colTaps().lo()[c] * (int) w.dilationW();
        }

        void max(float[] plane, int padded, float[] out, int[] idx) {
            int wd = (int) w.width(), oh = (int) w.outH(), ow = (int) w.outW();
            int sw = (int) w.strideW(), pw = (int) w.padW(), dw = (int) w.dilationW();
            Window2d.Taps rows = w.rowTaps();
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
                            VectorMask<Float> wins = wins(v, m);
                            m = m.blend(v, wins);
                            at = at.blend(columnStep.add(ih * wd + column - pw), wins.cast(I));
                        }
                    }
                    m.intoArray(out, r * ow + k);   // lanes past the row are overwritten by the next row or unused
                    at.intoArray(idx, r * ow + k);
                }
            }
        }
    }

    /**
     * 2x2 windows at stride 2 that all lie inside the plane (the common pooling): a vector of output columns
     * reads two whole vectors of each of its input rows and splits them into even and odd columns, no gathers.
     * Each row's pair is folded first, then the lower row's winner against the upper's: for "larger or NaN"
     * that is the same maximum and index as folding the four taps in row-major order.
     */
    private static void maxPairs(float[] plane, int wd, int oh, int ow, float[] out, int[] idx) {
        for (int r = 0; r < oh; r++) {
            int upper = 2 * r * wd, lower = upper + wd;
            for (int k = 0; k < ow; k += FL) {
                int c = 2 * k;
                FloatVector a0 = FloatVector.fromArray(F, plane, upper + c), a1 = FloatVector.fromArray(F, plane, upper + c + FL);
                FloatVector b0 = FloatVector.fromArray(F, plane, lower + c), b1 = FloatVector.fromArray(F, plane, lower + c + FL);
                FloatVector ae = EVEN.selectFrom(a0, a1), ao = ODD.selectFrom(a0, a1);
                FloatVector be = EVEN.selectFrom(b0, b1), bo = ODD.selectFrom(b0, b1);
                VectorMask<Float> aOdd = wins(ao, ae), bOdd = wins(bo, be);
                FloatVector am = ae.blend(ao, aOdd), bm = be.blend(bo, bOdd);
                VectorMask<Float> below = wins(bm, am);
                VectorMask<Float> odd = below.and(bOdd).or(below.not().and(aOdd));
                am.blend(bm, below).intoArray(out, r * ow + k);   // lanes past the row: overwritten or unused
                PAIR_COLUMNS.add(upper + c).add(1, odd.cast(I)).add(wd, below.cast(I)).intoArray(idx, r * ow + k);
            }
        }
    }

    /** Lanes where {@code v} replaces the running maximum {@code m}: larger, or NaN. */
    private static VectorMask<Float> wins(FloatVector v, FloatVector m) {
        return v.compare(VectorOperators.GT, m).or(v.compare(VectorOperators.NE, v));
    }

    /** Whether max pooling takes {@link #maxPairs}: 2x2 windows at stride 2, no padding or dilation. */
    private static boolean pairs(Window2d w) {
        return w.kernelH() == 2 && w.kernelW() == 2 && w.strideH() == 2 && w.strideW() == 2 && w.padH() == 0
                && w.padW() == 0 && w.dilationH() == 1 && w.dilationW() == 1
                && 2 * w.outH() <= w.height() && 2 * w.outW() <= w.width();
    }

    private static final FloatVector EVEN = lanes(0), ODD = lanes(1);
    private static final IntVector PAIR_COLUMNS = IntVector.fromArray(I, new int[FL], 0).addIndex(2);

    /** The lane indices {@code 2n + first}, as selectFrom reads them. */
    private static FloatVector lanes(int first) {
        float[] v = new float[FL];
        for (int n = 0; n < FL; n++) v[n] = 2 * n + first;
        return FloatVector.fromArray(F, v, 0);
    }
}
