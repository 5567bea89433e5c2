package dev.panagrad.kernels;

import dev.panagrad.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The reference kernels: one plain loop per method, every element read and written as a double.
 * Other implementations are tested against these.
 *
 * <pre>{@code
 * new ScalarKernels().fill(DType.FLOAT32, seg, 0, 1, 16, 1.0);
 * }</pre>
 */
public class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void unary(UnaryOp op, DType dt, MemorySegment x, long xOff, long xStride,
                      MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            Access.store(dt, y, yOff + i * yStride, op.apply(Access.load(dt, x, xOff + i * xStride)));
        }
    }

    @Override
    public void binary(BinaryOp op, DType dt, MemorySegment a, long aOff, long aStride,
                       MemorySegment b, long bOff, long bStride,
                       MemorySegment out, long outOff, long outStride, long n) {
        for (long i = 0; i < n; i++) {
            double r = op.apply(Access.load(dt, a, aOff + i * aStride), Access.load(dt, b, bOff + i * bStride));
            if (dt.isIntegral() && op == BinaryOp.DIV) r = Math.floor(r);   // integer division floors
            Access.store(dt, out, outOff + i * outStride, r);
        }
    }

    @Override
    public void compare(CompareOp op, DType dt, MemorySegment a, long aOff, long aStride,
                        MemorySegment b, long bOff, long bStride,
                        MemorySegment out, long outOff, long outStride, long n) {
        for (long i = 0; i < n; i++) {
            boolean r = op.test(Access.load(dt, a, aOff + i * aStride), Access.load(dt, b, bOff + i * bStride));
            Access.store(DType.BOOL, out, outOff + i * outStride, r ? 1 : 0);
        }
    }

    @Override
    public void where(DType dt, MemorySegment mask, long mOff, long mStride,
                      MemorySegment a, long aOff, long aStride,
                      MemorySegment b, long bOff, long bStride,
                      MemorySegment out, long outOff, long outStride, long n) {
        for (long i = 0; i < n; i++) {
            boolean m = Access.load(DType.BOOL, mask, mOff + i * mStride) != 0;
            double v = m ? Access.load(dt, a, aOff + i * aStride) : Access.load(dt, b, bOff + i * bStride);
            Access.store(dt, out, outOff + i * outStride, v);
        }
    }

    @Override
    public void convert(DType from, MemorySegment x, long xOff, long xStride,
                        DType to, MemorySegment y, long yOff, long yStride, long n) {
        for (long i = 0; i < n; i++) {
            Access.store(to, y, yOff + i * yStride, Access.load(from, x, xOff + i * xStride));
        }
    }

    @Override
    public void fill(DType dt, MemorySegment y, long yOff, long yStride, long n, double value) {
        for (long i = 0; i < n; i++) Access.store(dt, y, yOff + i * yStride, value);
    }

    @Override
    public void reduce(ReduceOp op, DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                       MemorySegment y, long yOff) {
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                double acc = op.identity();
                long base = xOff + o * size * inner + in;
                for (long s = 0; s < size; s++) acc = op.combine(acc, Access.load(dt, x, base + s * inner));
                Access.store(dt, y, yOff + o * inner + in, acc);
            }
        }
    }

    @Override
    public void argReduce(boolean max, DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                          MemorySegment indices, long iOff) {
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long base = xOff + o * size * inner + in, best = 0;
                double bestValue = Access.load(dt, x, base);
                for (long s = 1; s < size && !Double.isNaN(bestValue); s++) {
                    double v = Access.load(dt, x, base + s * inner);
                    if (Double.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
                        best = s;
                        bestValue = v;
                    }
                }
                Access.store(DType.INT64, indices, iOff + o * inner + in, best);
            }
        }
    }

    @Override
    public void softmax(boolean log, DType dt, MemorySegment x, long xOff, long rows, long cols,
                        MemorySegment y, long yOff) {
        for (long r = 0; r < rows; r++) {
            long xb = xOff + r * cols, yb = yOff + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (long c = 0; c < cols; c++) max = Math.max(max, Access.load(dt, x, xb + c));
            if (max == Double.NEGATIVE_INFINITY) max = 0;   // an all -inf row gives NaN like PyTorch, not -inf - -inf
            double sum = 0;
            for (long c = 0; c < cols; c++) sum += Math.exp(Access.load(dt, x, xb + c) - max);
            double logSum = Math.log(sum);
            for (long c = 0; c < cols; c++) {
                double shifted = Access.load(dt, x, xb + c) - max;
                Access.store(dt, y, yb + c, log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        }
    }

    @Override
    public void gemm(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                     MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                     double beta, MemorySegment c, long cOff, long ldc) {
        for (long i = 0; i < m; i++) {
            for (long j = 0; j < n; j++) {
                double acc = 0;
                for (long p = 0; p < k; p++) {
                    double av = Access.load(dt, a, aOff + (transA ? p * lda + i : i * lda + p));
                    double bv = Access.load(dt, b, bOff + (transB ? j * ldb + p : p * ldb + j));
                    acc += av * bv;
                }
                long ci = cOff + i * ldc + j;
                double old = beta == 0 ? 0 : beta * Access.load(dt, c, ci);
                Access.store(dt, c, ci, alpha * acc + old);
            }
        }
    }

    @Override
    public void gather(DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                       MemorySegment idx, long idxOff, long isize, MemorySegment y, long yOff) {
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < isize; j++) {
                for (long in = 0; in < inner; in++) {
                    long p = (o * isize + j) * inner + in;
                    long s = Access.loadIndex(idx, idxOff + p);
                    Access.store(dt, y, yOff + p, Access.load(dt, x, xOff + (o * size + s) * inner + in));
                }
            }
        }
    }

    @Override
    public void scatterAdd(DType dt, MemorySegment src, long srcOff, long outer, long isize, long inner,
                           MemorySegment idx, long idxOff, long size, MemorySegment y, long yOff) {
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < isize; j++) {
                for (long in = 0; in < inner; in++) {
                    long p = (o * isize + j) * inner + in;
                    long t = yOff + (o * size + Access.loadIndex(idx, idxOff + p)) * inner + in;
                    Access.store(dt, y, t, Access.load(dt, y, t) + Access.load(dt, src, srcOff + p));
                }
            }
        }
    }

    @Override
    public void indexSelect(DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                            MemorySegment idx, long idxOff, long isize, MemorySegment y, long yOff) {
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < isize; j++) {
                long s = Access.loadIndex(idx, idxOff + j);
                convert(dt, x, xOff + (o * size + s) * inner, 1, dt, y, yOff + (o * isize + j) * inner, 1, inner);
            }
        }
    }

    @Override
    public void indexAdd(DType dt, MemorySegment src, long srcOff, long outer, long isize, long inner,
                         MemorySegment idx, long idxOff, long size, MemorySegment y, long yOff) {
        for (long o = 0; o < outer; o++) {
            for (long j = 0; j < isize; j++) {
                long t = yOff + (o * size + Access.loadIndex(idx, idxOff + j)) * inner;
                binary(BinaryOp.ADD, dt, y, t, 1, src, srcOff + (o * isize + j) * inner, 1, y, t, 1, inner);
            }
        }
    }

    // ---------------------------------------------------------------- sliding windows

    @Override
    public void im2col(DType dt, Window2d w, long channels, MemorySegment x, long xOff, long batch,
                       MemorySegment cols, long colOff, long ldc) {
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW(), l = oh * ow, sw = w.strideW();
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = xOff + (b * channels + c) * h * wd;
                for (long i = 0; i < w.kernelH(); i++) {
                    for (long j = 0; j < w.kernelW(); j++) {
                        long row = (c * w.kernelH() + i) * w.kernelW() + j;
                        long lo = w.firstInsideW(j), hi = Math.max(lo, w.endInsideW(j));
                        for (long y = 0; y < oh; y++) {
                            long dst = colOff + row * ldc + b * l + y * ow;
                            long ih = y * w.strideH() - w.padH() + i * w.dilationH();
                            if (ih < 0 || ih >= h) {
                                WindowRuns.zero(dt, cols, dst, ow);
                                continue;
                            }
                            // columns [lo, hi) read the input row with stride strideW; the rest read padding
                            WindowRuns.zero(dt, cols, dst, lo);
                            WindowRuns.copy(dt, x, plane + ih * wd + lo * sw - w.padW() + j * w.dilationW(), sw,
                                    cols, dst + lo, hi - lo);
                            WindowRuns.zero(dt, cols, dst + hi, ow - hi);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(DType dt, Window2d w, long channels, MemorySegment cols, long colOff, long rowStride,
                       long colStride, long batch, MemorySegment y, long yOff) {
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW(), l = oh * ow, sw = w.strideW();
        for (long b = 0; b < batch; b++) {
            for (long c = 0; c < channels; c++) {
                long plane = yOff + (b * channels + c) * h * wd;
                for (long i = 0; i < w.kernelH(); i++) {
                    for (long j = 0; j < w.kernelW(); j++) {
                        long row = (c * w.kernelH() + i) * w.kernelW() + j;
                        long lo = w.firstInsideW(j), hi = w.endInsideW(j);
                        if (hi <= lo) continue;
                        for (long r = 0; r < oh; r++) {
                            long ih = r * w.strideH() - w.padH() + i * w.dilationH();
                            if (ih < 0 || ih >= h) continue;
                            long src = colOff + row * rowStride + (b * l + r * ow + lo) * colStride;
                            long dst = plane + ih * wd + lo * sw - w.padW() + j * w.dilationW();
                            WindowRuns.add(dt, cols, src, colStride, y, dst, sw, hi - lo);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void maxPool2d(DType dt, Window2d w, MemorySegment x, long xOff, long planes,
                          MemorySegment y, long yOff, MemorySegment indices, long iOff) {
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW();
        Window2d.Taps rows = w.rowTaps(), cols = w.colTaps();
        // One plane at a time through heap arrays (planes are images: far below the array limit).
        int planeSize = Math.toIntExact(h * wd), outSize = Math.toIntExact(oh * ow);
        double[] plane = new double[planeSize], yv = new double[outSize];
        long[] iv = new long[outSize];
        for (long p = 0; p < planes; p++) {
            long in = xOff + p * planeSize, out = p * outSize;
            for (int e = 0; e < planeSize; e++) plane[e] = Access.load(dt, x, in + e);
            for (int r = 0; r < oh; r++) {
                long rowStart = (r * w.strideH() - w.padH() + rows.lo()[r] * w.dilationH()) * wd;
                WindowRuns.maxPoolRow(w, plane, rowStart, rows.count(r), cols, yv, iv, r * (int) ow);
            }
            for (int e = 0; e < outSize; e++) Access.store(dt, y, yOff + out + e, yv[e]);
            MemorySegment.copy(iv, 0, indices, ValueLayout.JAVA_LONG_UNALIGNED, (iOff + out) * Long.BYTES, outSize);
        }
    }

    @Override
    public void avgPool2d(DType dt, Window2d w, boolean countPadding, MemorySegment x, long xOff, long planes,
                          MemorySegment y, long yOff) {
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW();
        Window2d.Taps rows = w.rowTaps(), cols = w.colTaps();
        for (long p = 0; p < planes; p++) {
            long in = xOff + p * h * wd, out = yOff + p * oh * ow;
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    double sum = 0;
                    for (int i = rows.lo()[r]; i < rows.hi()[r]; i++) {
                        long ih = r * w.strideH() - w.padH() + i * w.dilationH();
                        for (int j = cols.lo()[c]; j < cols.hi()[c]; j++) {
                            sum += Access.load(dt, x, in + ih * wd + c * w.strideW() - w.padW() + j * w.dilationW());
                        }
                    }
                    Access.store(dt, y, out + r * ow + c, sum / avgDivisor(w, countPadding, rows, cols, r, c));
                }
            }
        }
    }

    @Override
    public void avgPool2dAdjoint(DType dt, Window2d w, boolean countPadding, MemorySegment g, long gOff, long planes,
                                 MemorySegment gx, long gxOff) {
        long h = w.height(), wd = w.width(), oh = w.outH(), ow = w.outW();
        Window2d.Taps rows = w.rowTaps(), cols = w.colTaps();
        for (long p = 0; p < planes; p++) {
            long in = gxOff + p * h * wd, out = gOff + p * oh * ow;
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    double share = Access.load(dt, g, out + r * ow + c) / avgDivisor(w, countPadding, rows, cols, r, c);
                    for (int i = rows.lo()[r]; i < rows.hi()[r]; i++) {
                        long ih = r * w.strideH() - w.padH() + i * w.dilationH();
                        for (int j = cols.lo()[c]; j < cols.hi()[c]; j++) {
                            long t = in + ih * wd + c * w.strideW() - w.padW() + j * w.dilationW();
                            Access.store(dt, gx, t, Access.load(dt, gx, t) + share);
                        }
                    }
                }
            }
        }
    }

    /** What average pooling divides output (r, c)'s sum by: the whole window, or only its taps inside the input. */
    private static long avgDivisor(Window2d w, boolean countPadding, Window2d.Taps rows, Window2d.Taps cols,
                                   int r, int c) {
        return countPadding ? w.kernelH() * w.kernelW() : (long) rows.count(r) * cols.count(c);
    }

    @Override
    public void channelSums(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] sum) {
        for (int c = c0; c < c1; c++) {
            double s = 0;
            for (long b = 0; b < block.batch(); b++) {
                long at = xOff + block.row(b, c);
                for (long i = 0; i < block.inner(); i++) s += Access.load(dt, x, at + i);
            }
            sum[c] = s;
        }
    }

    @Override
    public void channelMoments(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1,
                               double[] center, double[] sum, double[] squares) {
        for (int c = c0; c < c1; c++) {
            double s = 0, q = 0;
            for (long b = 0; b < block.batch(); b++) {
                long at = xOff + block.row(b, c);
                for (long i = 0; i < block.inner(); i++) {
                    double d = Access.load(dt, x, at + i) - center[c];
                    s += d;
                    q += d * d;
                }
            }
            sum[c] = s;
            squares[c] = q;
        }
    }

    @Override
    public void channelGradSums(DType dt, ChannelBlock block, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                int c0, int c1, double[] center, ReluGate gate, double[] sum, double[] dot) {
        for (int c = c0; c < c1; c++) {
            double s = 0, d = 0;
            for (long b = 0; b < block.batch(); b++) {
                long row = block.row(b, c);
                for (long i = 0; i < block.inner(); i++) {
                    double xi = Access.load(dt, x, xOff + row + i);
                    double gi = passes(dt, gate, c, xi - center[c]) ? Access.load(dt, g, gOff + row + i) : 0;
                    s += gi;
                    d += gi * (xi - center[c]);
                }
            }
            sum[c] = s;
            dot[c] = d;
        }
    }

    @Override
    public void channelAffine(DType dt, ChannelBlock block, MemorySegment x, long xOff, MemorySegment g, long gOff,
                              int c0, int c1, double[] center, double[] scale, double[] shift, double[] gScale,
                              ReluGate gate, boolean relu, MemorySegment y, long yOff) {
        for (int c = c0; c < c1; c++) {
            for (long b = 0; b < block.batch(); b++) {
                long row = block.row(b, c);
                for (long i = 0; i < block.inner(); i++) {
                    double xc = Access.load(dt, x, xOff + row + i) - center[c];
                    double v = xc * scale[c] + shift[c];
                    if (g != null && passes(dt, gate, c, xc)) v += Access.load(dt, g, gOff + row + i) * gScale[c];
                    // ReLU of the value as stored: what rounds to 0 or below becomes +0, NaN stays
                    if (relu && round(dt, v) <= 0) v = 0;
                    Access.store(dt, y, yOff + row + i, v);
                }
            }
        }
    }

    @Override
    public void batchNormReluMaxPool2x2(DType dt, long channels, long h, long w, MemorySegment x, long xOff, long p0,
                                        long p1, double[] center, double[] scale, double[] shift, MemorySegment y,
                                        MemorySegment xm, MemorySegment tap) {
        long oh = h / 2, ow = w / 2;
        for (long p = p0; p < p1; p++) {
            int c = (int) (p % channels);
            for (long r = 0; r < oh; r++) {
                for (long j = 0; j < ow; j++) {
                    double best = 0, from = 0;
                    int at = 0;
                    for (int t = 0; t < 4; t++) {
                        double xi = Access.load(dt, x, xOff + p * h * w + (2 * r + t / 2) * w + 2 * j + t % 2);
                        double v = center == null ? round(dt, round(dt, xi * scale[c]) + shift[c])
                                : round(dt, (xi - center[c]) * scale[c] + shift[c]);
                        if (v <= 0) v = 0;   // as channelAffine's ReLU: NaN stays
                        if (t == 0 || v > best || Double.isNaN(v)) {
                            best = v;
                            from = xi;
                            at = t;
                        }
                    }
                    long o = (p * oh + r) * ow + j;
                    Access.store(dt, y, o, best);
                    if (xm == null) continue;
                    Access.store(dt, xm, o, from);
                    tap.setAtIndex(ValueLayout.JAVA_INT, o, at);
                }
            }
        }
    }

    @Override
    public void batchNormReluMaxPool2x2Backward(DType dt, long channels, long h, long w, MemorySegment x, long xOff,
                                                MemorySegment g, long gOff, MemorySegment xm, MemorySegment tap,
                                                long p0, long p1, double[] center, double[] a, double[] d,
                                                double[] k, ReluGate gate, MemorySegment gx) {
        long oh = h / 2, ow = w / 2;
        for (long p = p0; p < p1; p++) {
            int c = (int) (p % channels);
            for (long e = 0; e < h * w; e++) {
                long r = e / w, j = e % w;
                double xc = Access.load(dt, x, xOff + p * h * w + e) - center[c];
                double v = xc * a[c] + d[c];
                if (r < 2 * oh && j < 2 * ow) {
                    long o = (p * oh + r / 2) * ow + j / 2;
                    boolean isTap = tap.getAtIndex(ValueLayout.JAVA_INT, o) == 2 * (r % 2) + j % 2;
                    if (isTap && passes(dt, gate, c, Access.load(dt, xm, o) - center[c])) {
                        v += Access.load(dt, g, gOff + o) * k[c];
                    }
                }
                Access.store(dt, gx, p * h * w + e, v);
            }
        }
    }

    /** Whether the gate (if any) lets channel c's gradient through where x - center is xc. */
    private static boolean passes(DType dt, ReluGate gate, int c, double xc) {
        return gate == null || round(dt, xc * gate.scale()[c] + gate.shift()[c]) > 0;
    }

    /** v as a tensor of the floating dtype dt stores it. */
    private static double round(DType dt, double v) {
        return dt == DType.FLOAT32 ? (float) v : v;
    }
}
