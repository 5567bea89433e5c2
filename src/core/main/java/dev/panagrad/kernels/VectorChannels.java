package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;

/**
 * float32 per-channel passes for batch normalisation, a vector of a channel's run at a time. Each run of
 * {@code inner} values is summed in float lanes, its lanes added in index order, and the runs of a channel
 * added in double, image by image: the order depends on the block's shape alone, and the float part of it
 * covers one run, so the sums stay accurate for large batches.
 */
final class VectorChannels {
    private VectorChannels() {}

    static void moments(ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] mean, double[] var) {
        for (int c = c0; c < c1; c++) {
            double sum = 0, squares = 0;
            for (long b = 0; b < block.batch(); b++) sum += runSum(x, xOff + block.row(b, c), block.inner());
            double m = sum / block.count();
            float center = (float) m;
            for (long b = 0; b < block.batch(); b++) {
                squares += runSquares(x, xOff + block.row(b, c), block.inner(), center);
            }
            mean[c] = m;
            // the squares were taken about the float nearest the mean: sum (x - f)^2 = sum (x - m)^2 + n (m - f)^2
            var[c] = Math.max(0, squares / block.count() - (m - center) * (m - center));
        }
    }

    static void gradSums(ChannelBlock block, MemorySegment g, long gOff, MemorySegment x, long xOff, int c0, int c1,
                         double[] center, double[] sum, double[] dot) {
        long n = block.inner();
        for (int c = c0; c < c1; c++) {
            float m = (float) center[c];
            double s = 0, d = 0;
            for (long b = 0; b < block.batch(); b++) {
                long row = block.row(b, c);
                FloatVector gs = FloatVector.zero(F), ds = FloatVector.zero(F);
                for (long i = 0; i < n; i += FL) {
                    var in = F.indexInRange(i, n);
                    FloatVector gv = FloatVector.fromMemorySegment(F, g, (gOff + row + i) * Float.BYTES, ORDER, in);
                    FloatVector xv = FloatVector.fromMemorySegment(F, x, (xOff + row + i) * Float.BYTES, ORDER, in);
                    gs = gs.add(gv);
                    ds = gv.fma(xv.sub(m), ds);   // g is 0 in the lanes past the run
                }
                s += Lanes.sum(gs);
                d += Lanes.sum(ds);
            }
            sum[c] = s;
            dot[c] = d;
        }
    }

    static void affine(ChannelBlock block, MemorySegment x, long xOff, MemorySegment g, long gOff, int c0, int c1,
                       double[] center, double[] scale, double[] shift, double[] gScale, MemorySegment y, long yOff) {
        long n = block.inner();
        for (int c = c0; c < c1; c++) {
            float m = (float) center[c], s = (float) scale[c], t = (float) shift[c];
            FloatVector k = FloatVector.broadcast(F, g == null ? 0f : (float) gScale[c]);
            for (long b = 0; b < block.batch(); b++) {
                long row = block.row(b, c);
                for (long i = 0; i < n; i += FL) {
                    var in = F.indexInRange(i, n);
                    FloatVector v = FloatVector.fromMemorySegment(F, x, (xOff + row + i) * Float.BYTES, ORDER, in)
                            .sub(m).fma(s, t);
                    if (g != null) {
                        v = FloatVector.fromMemorySegment(F, g, (gOff + row + i) * Float.BYTES, ORDER, in).fma(k, v);
                    }
                    v.intoMemorySegment(y, (yOff + row + i) * Float.BYTES, ORDER, in);
                }
            }
        }
    }

    private static float runSum(MemorySegment x, long at, long n) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = 0; i < n; i += FL) {
            acc = acc.add(FloatVector.fromMemorySegment(F, x, (at + i) * Float.BYTES, ORDER, F.indexInRange(i, n)));
        }
        return Lanes.sum(acc);
    }

    private static float runSquares(MemorySegment x, long at, long n, float center) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = 0; i < n; i += FL) {
            var in = F.indexInRange(i, n);
            FloatVector d = FloatVector.fromMemorySegment(F, x, (at + i) * Float.BYTES, ORDER, in).sub(center)
                    .blend(0f, in.not());
            acc = d.fma(d, acc);
        }
        return Lanes.sum(acc);
    }
}
