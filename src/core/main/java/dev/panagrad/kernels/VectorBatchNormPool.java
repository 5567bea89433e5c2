package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.NE;

/**
 * float32 {@link Kernels#batchNormReluMaxPool2x2} and its backward, a plane at a time. Forward, a vector of
 * output columns reads two whole vectors of each of its two input rows, splits them into even and odd
 * columns and applies the affine map and ReLU to them with the same float operations as
 * {@link VectorChannels#affine}, then folds the taps as {@link VectorWindows} pools. Backward spreads each
 * output's gated gradient back to its tap by interleaving four per-tap vectors, and adds it to the affine part
 * with the same fused multiply-add as {@link VectorChannels#affine}. Where a row of windows fills at most half
 * a vector (planes up to 17 wide on 16 float lanes), a forward vector takes two rows of windows: the second of
 * its two source vectors per input row is the next row of windows' input row instead of the same row's
 * continuation, so a plane takes half the vectors; backward then spreads two rows of windows at a time too, over
 * their four input rows one after the other, each input lane taking its window's output lane through a lane
 * permutation ({@code RowSpread}). Evaluation (no center) maps each tap with a product and a
 * sum rounded apart, as {@code x.mul(scale).add(shift)} does, and keeps only the maxima. The lanes past a row
 * are computed and never kept: results go through heap arrays with room after them, copied out a plane at a
 * time, and the last planes of x are read from a copy with room after it.
 */
final class VectorBatchNormPool {
    private VectorBatchNormPool() {}

    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfInt TAP = ValueLayout.JAVA_INT_UNALIGNED;
    private static final FloatVector IOTA = lanes(0, 1);
    /** Lane n of the first (second) half takes lane n / 2 of the first vector or, n odd, the second. */
    private static final FloatVector LOW = interleave(0), HIGH = interleave(FL / 2);

    static void forward(long channels, int h, int w, MemorySegment x, long xOff, long p0, long p1, double[] center,
                        double[] scale, double[] shift, MemorySegment y, MemorySegment xm, MemorySegment tap) {
        int oh = h / 2, ow = w / 2, size = oh * ow;
        boolean fused = center != null, kept = xm != null;
        float[] out = new float[size + FL], from = kept ? new float[size + FL] : null;
        int[] codes = kept ? new int[size + FL] : null;
        boolean paired = paired(ow);
        // a row of windows wider than half a vector takes the whole vector: the even and odd columns of two
        int rowWidth = Math.min(ow, FL / 2);
        FloatVector even = pairedColumns(rowWidth, 0), odd = pairedColumns(rowWidth, 1);
        try (Arena arena = Arena.ofConfined()) {
            Planes planes = new Planes(x, xOff, h * w, arena);
            for (long p = p0; p < p1; p++) {
                int c = (int) (p % channels);
                float m = fused ? (float) center[c] : 0f, s = (float) scale[c], t = (float) shift[c];
                MemorySegment src = planes.at(p);
                long base = planes.start(p);
                // lanes past the row(s): overwritten by the next vector or never copied out
                for (int r = 0; r < oh; r += paired ? 2 : 1) {
                    long upper = base + 2L * r * w, lower = upper + w;
                    if (paired) {
                        long next = r + 1 < oh ? 2L * w : 0;   // the next row of windows, past the last the same one
                        poolWindows(src, upper, upper + next, lower, lower + next, even, odd, out, from, codes, r * ow,
                                fused, m, s, t);
                        continue;
                    }
                    for (int k = 0; k < ow; k += FL) {
                        long u = upper + 2 * k, l = lower + 2 * k;
                        poolWindows(src, u, u + FL, l, l + FL, even, odd, out, from, codes, r * ow + k, fused, m, s,
                                t);
                    }
                }
                long at = p * size;
                MemorySegment.copy(out, 0, y, FLOAT, at * Float.BYTES, size);
                if (!kept) continue;
                MemorySegment.copy(from, 0, xm, FLOAT, at * Float.BYTES, size);
                MemorySegment.copy(codes, 0, tap, TAP, at * Integer.BYTES, size);
            }
        }
    }

    static void backward(long channels, int h, int w, MemorySegment x, long xOff, MemorySegment g, long gOff,
                         MemorySegment xm, MemorySegment tap, long p0, long p1, double[] center, double[] a,
                         double[] d, double[] k, ReluGate gate, MemorySegment gx) {
        int oh = h / 2, ow = w / 2, size = oh * ow;
        float[] grad = new float[h * w + 2 * FL], gp = new float[size + FL], xp = new float[size + FL];
        int[] codes = new int[size + FL];
        boolean paired = paired(ow);
        RowSpread two = paired ? new RowSpread(w, ow, 2) : null, one = paired ? new RowSpread(w, ow, 1) : null;
        try (Arena arena = Arena.ofConfined()) {
            Planes planes = new Planes(x, xOff, h * w, arena);
            for (long p = p0; p < p1; p++) {
                int c = (int) (p % channels);
                float m = (float) center[c], sa = (float) a[c], sd = (float) d[c], sk = (float) k[c];
                float gs = (float) gate.scale()[c], gt = (float) gate.shift()[c];
                MemorySegment src = planes.at(p);
                long base = planes.start(p), at = p * size;
                MemorySegment.copy(g, FLOAT, (gOff + at) * Float.BYTES, gp, 0, size);
                MemorySegment.copy(xm, FLOAT, at * Float.BYTES, xp, 0, size);
                MemorySegment.copy(tap, TAP, at * Integer.BYTES, codes, 0, size);
                if (paired) {
                    // two rows of windows at a time: their four input rows follow each other, and the lanes past
                    // them write the affine part alone into the next rows, written after them
                    for (int r = 0; r < oh; r += 2) {
                        spreadRows(src, base, grad, gp, xp, codes, r * ow, 2 * r * w, r + 1 < oh ? two : one, m, sa,
                                sd, sk, gs, gt);
                    }
                } else {
                    for (int r = 0; r < oh; r++) {
                        int upper = 2 * r * w, lower = upper + w;
                        // the last vector first: its lanes past the row write the affine part alone into the next
                        // rows, and only vectors written after it (these rows' full ones, the next windows') come
                        // there
                        for (int j = (ow - 1) / FL * FL; j >= 0; j -= FL) {
                            spreadWindows(src, base, grad, gp, xp, codes, r * ow + j, upper + 2 * j, lower + 2 * j,
                                    ow - j, m, sa, sd, sk, gs, gt);
                        }
                    }
                }
                // what no window covers: an odd last column (rows of windows) and an odd last row
                for (int r = 0; r < h; r++) {
                    for (int col = r < 2 * oh ? 2 * ow : 0; col < w; col++) {
                        float xv = src.getAtIndex(FLOAT, base + (long) r * w + col);
                        grad[r * w + col] = Math.fma(0f, sk, Math.fma(xv - m, sa, sd));
                    }
                }
                MemorySegment.copy(grad, 0, gx, FLOAT, p * h * w * Float.BYTES, h * w);
            }
        }
    }

    /**
     * One vector of outputs, from {@code o}: the maximum, the x it came from and its tap (these two only where
     * {@code from} is given) of the windows whose upper taps the lane indices {@code even} and {@code odd} pick
     * from the vectors at {@code u0} and {@code u1}, and whose lower taps they pick from those at {@code l0} and
     * {@code l1}. A method of its own for the reason {@link #spreadWindows} is.
     */
    private static void poolWindows(MemorySegment x, long u0, long u1, long l0, long l1, FloatVector even,
                                    FloatVector odd, float[] out, float[] from, int[] codes, int o, boolean fused,
                                    float m, float s, float t) {
        FloatVector a0 = load(x, u0), a1 = load(x, u1), b0 = load(x, l0), b1 = load(x, l1);
        FloatVector ae = even.selectFrom(a0, a1), ao = odd.selectFrom(a0, a1);
        FloatVector be = even.selectFrom(b0, b1), bo = odd.selectFrom(b0, b1);
        FloatVector vae = relu(ae, fused, m, s, t), vao = relu(ao, fused, m, s, t);
        FloatVector vbe = relu(be, fused, m, s, t), vbo = relu(bo, fused, m, s, t);
        // as max pooling folds the taps: each row's pair, then the lower row's winner against the upper's
        VectorMask<Float> aOdd = wins(vao, vae), bOdd = wins(vbo, vbe);
        FloatVector am = vae.blend(vao, aOdd), bm = vbe.blend(vbo, bOdd);
        VectorMask<Float> below = wins(bm, am);
        am.blend(bm, below).intoArray(out, o);
        if (from == null) return;
        ae.blend(ao, aOdd).blend(be.blend(bo, bOdd), below).intoArray(from, o);
        VectorMask<Float> right = below.and(bOdd).or(below.not().and(aOdd));
        IntVector code = IntVector.zero(I).add(2, below.cast(I)).add(1, right.cast(I));
        code.intoArray(codes, o);
    }

    /**
     * One vector of outputs (from {@code o}, the first {@code valid} lanes real): their gated gradients spread to
     * the taps of the two input rows at {@code upper} and {@code lower}. A method of its own, so that the
     * compiler inlines everything in it (vectors that cross a call not inlined become objects).
     */
    private static void spreadWindows(MemorySegment x, long base, float[] grad, float[] gp, float[] xp, int[] codes,
                                      int o, int upper, int lower, int valid, float m, float a, float d, float k,
                                      float gs, float gt) {
        FloatVector gv = gated(gp, xp, o, valid, m, gs, gt);
        IntVector code = IntVector.fromArray(I, codes, o);
        FloatVector g0 = tapOnly(gv, code, 0), g1 = tapOnly(gv, code, 1);
        FloatVector g2 = tapOnly(gv, code, 2), g3 = tapOnly(gv, code, 3);
        spread(x, base, grad, upper, LOW.selectFrom(g0, g1), m, a, d, k);
        spread(x, base, grad, upper + FL, HIGH.selectFrom(g0, g1), m, a, d, k);
        spread(x, base, grad, lower, LOW.selectFrom(g2, g3), m, a, d, k);
        spread(x, base, grad, lower + FL, HIGH.selectFrom(g2, g3), m, a, d, k);
    }

    /**
     * One or two rows of windows (their outputs from {@code o}, side by side in one vector) spread to their input
     * rows, which follow each other from {@code start}: each input lane takes its window's gated gradient where
     * the window's maximum sits at that lane's tap, through {@code s}'s lane maps. A method of its own for the
     * reason {@link #spreadWindows} is.
     */
    private static void spreadRows(MemorySegment x, long base, float[] grad, float[] gp, float[] xp, int[] codes,
                                   int o, int start, RowSpread s, float m, float a, float d, float k, float gs,
                                   float gt) {
        FloatVector gv = gated(gp, xp, o, s.outputs, m, gs, gt);
        IntVector code = IntVector.fromArray(I, codes, o);
        for (int v = 0; v < s.vectors; v++) {
            int at = v * FL;
            VectorMask<Float> here = IntVector.fromArray(I, s.window, at).selectFrom(code)
                    .compare(VectorOperators.EQ, IntVector.fromArray(I, s.tap, at)).cast(F);
            FloatVector gTap = FloatVector.zero(F).blend(FloatVector.fromArray(F, s.windowLanes, at).selectFrom(gv), here);
            spread(x, base, grad, start + at, gTap, m, a, d, k);
        }
    }

    /**
     * The upstream gradients of the {@code valid} outputs from {@code o} where the ReLU's gate, recomputed from the
     * x at each maximum, lets them through; 0 elsewhere.
     */
    private static FloatVector gated(float[] gp, float[] xp, int o, int valid, float m, float gs, float gt) {
        VectorMask<Float> open = FloatVector.fromArray(F, xp, o).sub(m).fma(gs, gt).compare(GT, 0f)
                .and(IOTA.compare(VectorOperators.LT, valid));
        return FloatVector.zero(F).blend(FloatVector.fromArray(F, gp, o), open);
    }

    /**
     * For {@code rows} rows of {@code ow} windows in one vector, whose {@code 2 * rows} input rows of width
     * {@code w} follow each other: per input lane, the output lane of its window ({@code window}, and as floats
     * for selectFrom) and its tap in the window ({@code tap}: {@code 2 * row + column}, or -1 for a lane that no
     * window covers: an odd last column, or past the rows).
     */
    private static final class RowSpread {
        final int vectors, outputs;
        final int[] window, tap;
        final float[] windowLanes;

        RowSpread(int w, int ow, int rows) {
            outputs = rows * ow;
            vectors = (2 * rows * w + FL - 1) / FL;
            window = new int[vectors * FL];
            tap = new int[vectors * FL];
            windowLanes = new float[vectors * FL];
            for (int e = 0; e < vectors * FL; e++) {
                int row = e / w, col = e % w;
                boolean covered = row < 2 * rows && col < 2 * ow;
                window[e] = covered ? row / 2 * ow + col / 2 : 0;
                tap[e] = covered ? 2 * (row % 2) + col % 2 : -1;
                windowLanes[e] = window[e];
            }
        }
    }

    private static FloatVector load(MemorySegment x, long at) {
        return FloatVector.fromMemorySegment(F, x, at * Float.BYTES, ORDER);
    }

    /**
     * Where each plane is read from: in place, or, for the last planes of the segment (whose lanes past the last
     * row would read past its end), from a copy with room after it.
     */
    private static final class Planes {
        private final MemorySegment x, spare;
        private final long xOff, plane;

        Planes(MemorySegment x, long xOff, long plane, Arena arena) {
            this.x = x;
            this.xOff = xOff;
            this.plane = plane;
            this.spare = arena.allocate((plane + 2 * FL) * Float.BYTES, 64);
        }

        /** The segment plane p is read from; a copy is made here when it is needed. */
        MemorySegment at(long p) {
            if (inPlace(p)) return x;
            MemorySegment.copy(x, (xOff + p * plane) * Float.BYTES, spare, 0, plane * Float.BYTES);
            return spare;
        }

        /** The element index of plane p's start in {@link #at}'s segment. */
        long start(long p) {
            return inPlace(p) ? xOff + p * plane : 0;
        }

        private boolean inPlace(long p) {
            return (xOff + (p + 1) * plane + 2 * FL) * Float.BYTES <= x.byteSize();
        }
    }

    /**
     * {@code max(0, (x - m) * s + t)} as {@link VectorChannels#affine} computes it, or, not {@code fused},
     * {@code max(0, x * s + t)} as a multiply and then an add round it.
     */
    private static FloatVector relu(FloatVector x, boolean fused, float m, float s, float t) {
        FloatVector v = fused ? x.sub(m).fma(s, t) : x.mul(s).add(t);
        return v.blend(0f, v.compare(LE, 0f));
    }

    /** Lanes where {@code v} replaces the running maximum {@code mx}: larger, or NaN. */
    private static VectorMask<Float> wins(FloatVector v, FloatVector mx) {
        return v.compare(GT, mx).or(v.compare(NE, v));
    }

    /** g in the lanes whose maximum sits at the given tap, else 0. */
    private static FloatVector tapOnly(FloatVector g, IntVector code, int tap) {
        return FloatVector.zero(F).blend(g, code.compare(VectorOperators.EQ, tap).cast(F));
    }

    /** {@code grad = (x - m) * a + d + gTap * k} over one vector of a plane, at {@code at} (x at base + at). */
    private static void spread(MemorySegment x, long base, float[] grad, int at, FloatVector gTap, float m, float a,
                               float d, float k) {
        FloatVector v = load(x, base + at).sub(m).fma(a, d);
        gTap.fma(FloatVector.broadcast(F, k), v).intoArray(grad, at);
    }

    /** The lane indices {@code step * n + first}, as selectFrom reads them. */
    private static FloatVector lanes(int first, int step) {
        float[] v = new float[FL];
        for (int n = 0; n < FL; n++) v[n] = step * n + first;
        return FloatVector.fromArray(F, v, 0);
    }

    /** Whether a row of {@code ow} windows fills at most half a vector, so that a vector takes two rows. */
    private static boolean paired(int ow) {
        return ow > 0 && 2 * ow <= FL;
    }

    /**
     * Two rows of {@code ow} windows in one vector: lane n < ow reads column {@code 2n + parity} of the first
     * source vector, lane n in [ow, 2 ow) column {@code 2(n - ow) + parity} of the second (index + FL); the lanes
     * after those read lane 0. With {@code ow = FL / 2}: the even (or odd) columns of the two vectors together.
     */
    private static FloatVector pairedColumns(int ow, int parity) {
        float[] v = new float[FL];
        for (int n = 0; n < 2 * ow; n++) v[n] = n < ow ? 2 * n + parity : FL + 2 * (n - ow) + parity;
        return FloatVector.fromArray(F, v, 0);
    }

    /** Lane n reads lane {@code from + n / 2} of the first vector (n even) or of the second (n odd, index + FL). */
    private static FloatVector interleave(int from) {
        float[] v = new float[FL];
        for (int n = 0; n < FL; n++) v[n] = from + n / 2 + (n % 2 == 0 ? 0 : FL);
        return FloatVector.fromArray(F, v, 0);
    }
}
