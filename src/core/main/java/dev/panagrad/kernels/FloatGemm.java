package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;

/**
 * Float32 GEMM for {@link GemmBlocks}: an 8 x (2 vectors) micro-kernel. For each depth step it loads two
 * vectors of a B row and broadcasts eight A values, updating 16 accumulators with fused multiply-adds, so
 * the FMA units stay busy while loads are a fraction of the work.
 *
 * <pre>{@code
 * GemmBlocks.run(problem, FloatGemm::new, FloatGemm.MR, FloatGemm.NR);
 * }</pre>
 */
final class FloatGemm extends GemmBlocks {
    static final int MR = 8, NR = 2 * FL;
    /** Blocks: a KC x NR B panel (floats) stays in L1, the MC x KC A block in L2, the KC x NC B block in L3. */
    private static final int KC = 256, MC = 128, NC = 1024;

    private final float[] ap, bp, tile = new float[MR * NR], line;
    private final float alpha, beta;

    FloatGemm(Problem p) {
        super(p, MR, NR, (int) Math.min(KC, p.k()), (int) Math.min(MC, roundUp((int) Math.min(MC, p.m()), MR)),
                (int) Math.min(NC, roundUp((int) Math.min(NC, p.n()), NR)));
        ap = new float[roundUp(mcMax, MR) * kcMax];
        bp = new float[roundUp(ncMax, NR) * kcMax];
        line = new float[Math.max(kcMax, Math.max(mcMax, ncMax))];
        alpha = (float) p.alpha();
        beta = (float) p.beta();
    }

    @Override
    void pack(boolean intoA, long off, long rs, long cs, int rows, int cols, int width) {
        float[] dst = intoA ? ap : bp;
        MemorySegment src = intoA ? p.a() : p.b();
        int panels = (cols + width - 1) / width;
        if (cs == 1) {   // each row of S is contiguous
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, (off + r * rs) * Float.BYTES, line, 0, cols);
                for (int q = 0; q < panels; q++) {
                    int base = (q * rows + r) * width, c0 = q * width, w = Math.min(width, cols - c0);
                    System.arraycopy(line, c0, dst, base, w);
                    for (int c = w; c < width; c++) dst[base + c] = 0;
                }
            }
            return;
        }
        if (rs == 1) {   // each column of S is contiguous
            for (int c = 0; c < cols; c++) {
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT, (off + c * cs) * Float.BYTES, line, 0, rows);
                int base = (c / width) * rows * width + c % width;
                for (int r = 0; r < rows; r++) dst[base + r * width] = line[r];
            }
        } else {
            for (int c = 0; c < cols; c++) {
                int base = (c / width) * rows * width + c % width;
                for (int r = 0; r < rows; r++) {
                    dst[base + r * width] = src.getAtIndex(ValueLayout.JAVA_FLOAT, off + r * rs + c * cs);
                }
            }
        }
        for (int c = cols; c < panels * width; c++) {
            int base = (c / width) * rows * width + c % width;
            for (int r = 0; r < rows; r++) dst[base + r * width] = 0;
        }
    }

    @Override
    void tile(int aPanel, int bPanel, int kc) {
        float[] a = ap, b = bp;
        int ai = aPanel * kc * MR, bi = bPanel * kc * NR;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int d = 0; d < kc; d++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(F, b, bi), b1 = FloatVector.fromArray(F, b, bi + FL);
            FloatVector x = FloatVector.broadcast(F, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, a[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, a[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, a[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, a[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, a[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, a[ai + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, a[ai + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        float[] t = tile;
        c00.intoArray(t, 0);
        c01.intoArray(t, FL);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + FL);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + FL);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + FL);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + FL);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + FL);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + FL);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + FL);
    }

    @Override
    void merge(long i, long j, int rows, int cols, boolean firstDepthBlock) {
        float b = firstDepthBlock ? beta : 1f;
        MemorySegment c = p.c();
        for (int r = 0; r < rows; r++) {
            long at = (p.cOff() + (i + r) * p.ldc() + j) * Float.BYTES;
            for (int v = 0; v < cols; v += FL) {
                FloatVector t = FloatVector.fromArray(F, tile, r * NR + v).mul(alpha);
                long o = at + (long) v * Float.BYTES;
                if (cols - v >= FL) {
                    if (b != 0) t = FloatVector.fromMemorySegment(F, c, o, ORDER).fma(FloatVector.broadcast(F, b), t);
                    t.intoMemorySegment(c, o, ORDER);
                } else {
                    VectorMask<Float> m = F.indexInRange(v, cols);
                    if (b != 0) t = FloatVector.fromMemorySegment(F, c, o, ORDER, m).fma(FloatVector.broadcast(F, b), t);
                    t.intoMemorySegment(c, o, ORDER, m);
                }
            }
        }
    }
}
