package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;

/**
 * float32 per-channel passes for batch normalisation, a vector of a channel's run at a time. Each run of
 * {@code inner} values is summed in float lanes, its lanes added in index order, then its last partial
 * vector's values one by one, and the runs of a channel added in double, image by image: the order depends
 * on the block's shape alone, and the float part of it covers one run, so the sums stay accurate for large
 * batches. The passes go image by image, through each image's channels [c0, c1) in memory order (one long
 * stream rather than a short run per image and channel), keeping a sum per channel. The partial vector goes
 * element by element because masked vector stores and loads are far slower than plain ones.
 */
final class VectorChannels {
    private VectorChannels() {}

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static void sums(ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] sum) {
        double[] s = new double[c1 - c0];
        for (long b = 0; b < block.batch(); b++) {
            for (int c = c0; c < c1; c++) s[c - c0] += runSum(x, xOff + block.row(b, c), block.inner());
        }
        System.arraycopy(s, 0, sum, c0, c1 - c0);
    }

    /** Sums of {@code x - center} and its squares, the differences taken in float32 about a center it holds. */
    static void moments(ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] center,
                        double[] sum, double[] squares) {
        long n = block.inner(), full = n - n % FL;
        FloatVector zero = FloatVector.zero(F);
        double[] s = new double[c1 - c0], q = new double[c1 - c0];
        for (long b = 0; b < block.batch(); b++) {
            for (int c = c0; c < c1; c++) {
                float f = (float) center[c];
                long at = xOff + block.row(b, c);
                FloatVector sv = zero, qv = zero;
                for (long i = 0; i < full; i += FL) {
                    FloatVector d = FloatVector.fromMemorySegment(F, x, (at + i) * Float.BYTES, ORDER).sub(f);
                    sv = sv.add(d);
                    qv = d.fma(d, qv);
                }
                float sRun = Lanes.sum(sv), qRun = Lanes.sum(qv);
                for (long i = full; i < n; i++) {
                    float d = x.getAtIndex(FLOAT, at + i) - f;
                    sRun += d;
                    qRun = Math.fma(d, d, qRun);
                }
                s[c - c0] += sRun;
                q[c - c0] += qRun;
            }
        }
        System.arraycopy(s, 0, sum, c0, c1 - c0);
        System.arraycopy(q, 0, squares, c0, c1 - c0);
    }

    static void gradSums(ChannelBlock block, MemorySegment g, long gOff, MemorySegment x, long xOff, int c0, int c1,
                         double[] center, ReluGate gate, double[] sum, double[] dot) {
        long n = block.inner(), full = n - n % FL;
        FloatVector zero = FloatVector.zero(F);
        double[] s = new double[c1 - c0], d = new double[c1 - c0];
        for (long b = 0; b < block.batch(); b++) {
            for (int c = c0; c < c1; c++) {
                float m = (float) center[c], gs = gateScale(gate, c), gt = gateShift(gate, c);
                long gAt = gOff + block.row(b, c), xAt = xOff + block.row(b, c);
                FloatVector gSum = zero, dSum = zero;
                for (long i = 0; i < full; i += FL) {
                    FloatVector gv = FloatVector.fromMemorySegment(F, g, (gAt + i) * Float.BYTES, ORDER);
                    FloatVector xm = FloatVector.fromMemorySegment(F, x, (xAt + i) * Float.BYTES, ORDER).sub(m);
                    if (gate != null) gv = zero.blend(gv, xm.fma(gs, gt).compare(GT, 0f));
                    gSum = gSum.add(gv);
                    dSum = gv.fma(xm, dSum);
                }
                float gRun = Lanes.sum(gSum), dRun = Lanes.sum(dSum);
                for (long i = full; i < n; i++) {
                    float xm = x.getAtIndex(FLOAT, xAt + i) - m;
                    float gi = gate == null || Math.fma(xm, gs, gt) > 0 ? g.getAtIndex(FLOAT, gAt + i) : 0f;
                    gRun += gi;
                    dRun = Math.fma(gi, xm, dRun);
                }
                s[c - c0] += gRun;
                d[c - c0] += dRun;
            }
        }
        for (int c = c0; c < c1; c++) {
            sum[c] = s[c - c0];
            dot[c] = d[c - c0];
        }
    }

    static void affine(ChannelBlock block, MemorySegment x, long xOff, MemorySegment g, long gOff, int c0, int c1,
                       double[] center, double[] scale, double[] shift, double[] gScale, ReluGate gate, boolean relu,
                       MemorySegment y, long yOff) {
        long n = block.inner(), full = n - n % FL;
        FloatVector zero = FloatVector.zero(F);
        for (long b = 0; b < block.batch(); b++) {
            for (int c = c0; c < c1; c++) {
                float m = (float) center[c], s = (float) scale[c], t = (float) shift[c];
                float k = g == null ? 0f : (float) gScale[c], gs = gateScale(gate, c), gt = gateShift(gate, c);
                long row = block.row(b, c);
                for (long i = 0; i < full; i += FL) {
                    FloatVector xm = FloatVector.fromMemorySegment(F, x, (xOff + row + i) * Float.BYTES, ORDER).sub(m);
                    FloatVector v = xm.fma(s, t);
                    if (g != null) {
                        FloatVector gv = FloatVector.fromMemorySegment(F, g, (gOff + row + i) * Float.BYTES, ORDER);
                        if (gate != null) gv = zero.blend(gv, xm.fma(gs, gt).compare(GT, 0f));
                        v = gv.fma(FloatVector.broadcast(F, k), v);
                    }
                    // as the ReLU kernel: NaN <= 0 is false, so NaN stays; negatives and -0 become +0
                    if (relu) v = v.blend(0f, v.compare(LE, 0f));
                    v.intoMemorySegment(y, (yOff + row + i) * Float.BYTES, ORDER);
                }
                for (long i = full; i < n; i++) {
                    float xm = x.getAtIndex(FLOAT, xOff + row + i) - m;
                    float v = Math.fma(xm, s, t);
                    if (g != null && (gate == null || Math.fma(xm, gs, gt) > 0)) {
                        v = Math.fma(g.getAtIndex(FLOAT, gOff + row + i), k, v);
                    }
                    if (relu && v <= 0) v = 0f;
                    y.setAtIndex(FLOAT, yOff + row + i, v);
                }
            }
        }
    }

    private static float gateScale(ReluGate gate, int c) {
        return gate == null ? 0f : (float) gate.scale()[c];
    }

    private static float gateShift(ReluGate gate, int c) {
        return gate == null ? 0f : (float) gate.shift()[c];
    }

    private static float runSum(MemorySegment x, long at, long n) {
        long full = n - n % FL;
        FloatVector acc = FloatVector.zero(F);
        for (long i = 0; i < full; i += FL) acc = acc.add(FloatVector.fromMemorySegment(F, x, (at + i) * Float.BYTES, ORDER));
        float s = Lanes.sum(acc);
        for (long i = full; i < n; i++) s += x.getAtIndex(FLOAT, at + i);
        return s;
    }
}
