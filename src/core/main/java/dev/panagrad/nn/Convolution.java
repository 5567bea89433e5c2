package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.Window2d;
import dev.panagrad.ops.Pinning;
import dev.panagrad.ops.Pointwise;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched 2-D convolution computed image by image: an image's columns (im2col, {@code [C*kh*kw, OH*OW]}) go
 * to a scratch block small enough to stay in cache, and one GEMM per group multiplies them by the weight,
 * writing that image's output in NCHW order. The batch is cut into chunks fixed by its size, and the chunks
 * run over the library's threads, each with its own scratch. The backward pass works the same way: the
 * input gradient image by image ({@code W^T g}, then col2im), the weight gradient as one partial sum per
 * chunk, added up in chunk order, so the result is the same for every thread count.
 *
 * <p>With {@code createGraph} the backward pass is written with recorded ops (im2col, matrix products,
 * col2im) instead, so it is differentiable again.
 */
final class Convolution {
    private static final Kernels K = Kernels.active();

    /** The most chunks a batch is cut into: enough for 16 threads. */
    private static final int MAX_CHUNKS = 16;

    private final Window2d w;
    private final DType dt;
    private final long n, c, cout, rows, l, outPerGroup;
    private final int groups, chunks;
    /** A 1x1 window with stride 1 and no padding: an image is its own column matrix. */
    private final boolean direct;
    /**
     * One group and columns of their own: the columns can take one more row of ones, so that a product with
     * them carries the bias (forward) or yields its gradient (backward).
     */
    private final boolean onesRow;
    /**
     * The forward and weight-gradient products of one image: one OpenBLAS call when the batch already gives
     * the threads a chunk each (cutting an image's product into blocks would only re-pack its operands), a
     * product split over the threads for a single image. Fixed by the batch size, not the thread count.
     */
    private final ImageGemm imageGemm;

    private Convolution(Window2d w, DType dt, long n, long c, long cout, int groups) {
        this.w = w;
        this.dt = dt;
        this.n = n;
        this.c = c;
        this.cout = cout;
        this.groups = groups;
        this.rows = c / groups * w.kernelH() * w.kernelW();
        this.l = w.outH() * w.outW();
        this.outPerGroup = cout / groups;
        this.chunks = (int) Math.min(n, MAX_CHUNKS);
        this.direct = w.kernelH() == 1 && w.kernelW() == 1 && w.strideH() == 1 && w.strideW() == 1
                && w.padH() == 0 && w.padW() == 0;
        this.onesRow = groups == 1 && !direct;
        this.imageGemm = chunks > 1 ? K::gemmSerial : K::gemm;
    }

    /** {@link Kernels#gemm}'s parameters. */
    @FunctionalInterface
    private interface ImageGemm {
        void run(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha, MemorySegment a,
                 long aOff, long lda, MemorySegment b, long bOff, long ldb, double beta, MemorySegment c, long cOff,
                 long ldc);
    }

    /** x {@code [N, C, H, W]} convolved with weight {@code [out, C/groups, kh, kw]}, both checked by the caller. */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Window2d w, int groups) {
        Convolution conv = new Convolution(w, x.dtype(), x.size(0), x.size(1), weight.size(0), groups);
        Tensor y = conv.forward(x, weight, bias);
        boolean biasGrad = bias != null && bias.requiresGrad();
        return Graph.record("ConvolutionBackward0", y, Graph.of(x, weight, bias), Graph.of(x, weight),
                (g, s) -> GradMode.isEnabled() ? conv.recordedBackward(g, s[0], s[1], biasGrad)
                        : conv.backward(g, s[0], s[1], biasGrad));
    }

    /**
     * Where the columns take a row of ones, the bias joins the product: the weight gets it as one more
     * column and the columns one more row of ones, so that each image's output is written once, by its GEMM.
     */
    private Tensor forward(Tensor x, Tensor weight, Tensor bias) {
        Tensor xc = Pointwise.convertRaw(x.detach(), dt), wc = Pointwise.convertRaw(weight.detach(), dt);
        boolean biasInProduct = bias != null && onesRow;
        long kRows = biasInProduct ? rows + 1 : rows;   // the product's depth
        Tensor wk = biasInProduct
                ? Tensor.cat(List.of(wc.reshape(cout, rows), Pointwise.convertRaw(bias.detach(), dt).reshape(cout, 1)), 1)
                : wc;
        Tensor y = Tensor.empty(dt, n, cout, w.outH(), w.outW()), scratch = scratch(direct ? 0 : groups * kRows);
        double[] b = bias == null || biasInProduct ? null : bias.toDoubleArray();
        Pinning.run("conv2d", () -> forEachImage((chunk, i) -> {
            long yOff = i * cout * l, colOff = chunk * groups * kRows * l;
            if (biasInProduct && i == chunkStart(chunk)) K.fill(dt, scratch.segment(), colOff + rows * l, 1, l, 1.0);
            if (b != null) {
                for (int o = 0; o < cout; o++) K.fill(dt, y.segment(), yOff + o * l, 1, l, b[o]);
            }
            Columns cols = columns(xc, i, scratch, colOff);
            for (int g = 0; g < groups; g++) {
                imageGemm.run(dt, false, false, outPerGroup, l, kRows, 1.0, wk.segment(),
                        wk.offset() + g * outPerGroup * kRows, kRows, cols.seg, cols.off + g * rows * l, l,
                        b == null ? 0.0 : 1.0, y.segment(), yOff + g * outPerGroup * l, l);
            }
        }), xc, wk, y, scratch);
        return y;
    }

    /**
     * {gx, gw, gb} from the kernels, each only where needed. The weight gradient is computed transposed,
     * {@code [C*kh*kw, out]} (columns times g^T: OpenBLAS runs this shape faster, measured). Where it can, the
     * bias gradient comes out of that product: the columns get one more row of ones, so the product's last row
     * is each output channel's sum of g, and g is not read again for it.
     */
    private Tensor[] backward(Tensor g, Tensor x, Tensor weight, boolean biasGrad) {
        boolean needX = x.requiresGrad(), needW = weight.requiresGrad();
        boolean biasInProduct = biasGrad && needW && onesRow;
        long wRows = biasInProduct ? rows + 1 : rows;
        Tensor gc = Pointwise.convertRaw(g, dt), xc = Pointwise.convertRaw(x.detach(), dt);
        Tensor wc = Pointwise.convertRaw(weight.detach(), dt);
        Tensor gx = Tensor.zeros(dt, needX ? n : 0, c, w.height(), w.width());
        // per chunk: the transposed weight gradient's partial sum, summed over chunks in their order below
        Tensor partial = Tensor.empty(dt, needW ? chunks : 0, wRows, cout);
        Tensor cols = scratch(needW && !direct ? groups * wRows : 0), dcols = scratch(needX ? groups * rows : 0);
        long wSize = cout * wRows;
        Pinning.run("conv2dBackward", () -> forEachImage((chunk, i) -> {
            long gOff = gc.offset() + i * cout * l;
            boolean first = i == chunkStart(chunk);
            if (biasInProduct && first) K.fill(dt, cols.segment(), (chunk * wRows + rows) * l, 1, l, 1.0);
            Columns xcols = needW ? columns(xc, i, cols, chunk * groups * wRows * l) : null;
            for (int grp = 0; grp < groups; grp++) {
                long gg = gOff + grp * outPerGroup * l, wg = grp * outPerGroup * rows;
                if (needW) {   // partial[chunk, :, group] (+)= x_cols_i g_i^T
                    imageGemm.run(dt, false, true, wRows, outPerGroup, l, 1.0, xcols.seg, xcols.off + grp * rows * l,
                            l, gc.segment(), gg, l, first ? 0.0 : 1.0, partial.segment(),
                            chunk * wSize + grp * outPerGroup, cout);
                }
                if (needX) {   // dcols_i = W^T g_i, then added back into the image (in blocks: faster for it, measured)
                    K.gemm(dt, true, false, rows, l, outPerGroup, 1.0, wc.segment(), wc.offset() + wg, rows,
                            gc.segment(), gg, l, 0.0, dcols.segment(), (chunk * groups + grp) * rows * l, l);
                }
            }
            if (needX) {
                K.col2im(dt, w, c, dcols.segment(), chunk * groups * rows * l, l, 1, 1, gx.segment(),
                        i * c * w.height() * w.width());
            }
        }), gc, xc, wc, partial, cols, dcols, gx);
        Tensor sums = needW ? partial.sum(0) : null;   // [wRows, out]
        Tensor gw = needW ? sums.narrow(0, 0, rows).t().contiguous().view(weight.shape()) : null;
        Tensor gb = biasInProduct ? sums.select(0, rows).contiguous() : biasGrad ? channelSum(gc) : null;
        return Graph.of(needX ? gx : null, gw, gb);
    }

    /**
     * {gx, gw, gb} written with recorded ops on the whole batch's columns {@code [C*kh*kw, N*OH*OW]}, so that
     * the result is differentiable again (createGraph).
     */
    private Tensor[] recordedBackward(Tensor g, Tensor x, Tensor weight, boolean biasGrad) {
        Tensor g2 = g.reshape(n, cout, l).transpose(0, 1).reshape(cout, n * l);   // [out, N*L]
        Tensor w2 = weight.reshape(cout, rows);
        Tensor xcols = weight.requiresGrad() ? Im2col.columns(x, w) : null;
        List<Tensor> gws = new ArrayList<>(groups), dcols = new ArrayList<>(groups);
        for (int gi = 0; gi < groups; gi++) {
            Tensor gPart = g2.narrow(0, gi * outPerGroup, outPerGroup);
            Tensor wPart = w2.narrow(0, gi * outPerGroup, outPerGroup);
            if (xcols != null) gws.add(gPart.mm(xcols.narrow(0, gi * rows, rows).t()));
            if (x.requiresGrad()) dcols.add(wPart.t().mm(gPart));
        }
        Tensor gx = x.requiresGrad() ? Im2col.image(Tensor.cat(dcols, 0), w, new long[] {n, c, w.height(), w.width()}) : null;
        Tensor gw = xcols != null ? Tensor.cat(gws, 0).view(weight.shape()) : null;
        return Graph.of(gx, gw, biasGrad ? channelSum(g) : null);
    }

    /** Sum of g {@code [N, out, OH, OW]} over all but the channels. */
    private Tensor channelSum(Tensor g) {
        return g.reshape(n, cout, l).sum(2, false).sum(0, false);
    }

    /** Work on image i, which belongs to the given chunk. */
    @FunctionalInterface
    private interface ImageBody {
        void run(long chunk, long i);
    }

    /** Runs body on every image, chunk by chunk, the chunks over the library's threads. */
    private void forEachImage(ImageBody body) {
        Parallel.forRange(chunks, 1, (lo, hi) -> {
            for (long chunk = lo; chunk < hi; chunk++) {
                for (long i = chunkStart(chunk); i < chunkStart(chunk + 1); i++) body.run(chunk, i);
            }
        });
    }

    private long chunkStart(long chunk) {
        return n * chunk / chunks;
    }

    /** One column matrix {@code [matrixRows, L]} per chunk (none for 0 rows). */
    private Tensor scratch(long matrixRows) {
        return Tensor.empty(dt, chunks * matrixRows * l);
    }

    /** Where a column matrix lies: a segment and the element offset of its first row. */
    private record Columns(MemorySegment seg, long off) {}

    /** Image i's columns: written to scratch from element {@code off} on, or the image itself when direct. */
    private Columns columns(Tensor xc, long i, Tensor scratch, long off) {
        long xOff = xc.offset() + i * c * w.height() * w.width();
        if (direct) return new Columns(xc.segment(), xOff);
        K.im2col(dt, w, c, xc.segment(), xOff, 1, scratch.segment(), off, l);
        return new Columns(scratch.segment(), off);
    }
}
