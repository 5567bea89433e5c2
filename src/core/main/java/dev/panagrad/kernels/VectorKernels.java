package dev.panagrad.kernels;

import dev.panagrad.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Vector API kernels for the hot loops of float32 and float64 tensors: elementwise functions, binary ops,
 * comparisons, {@code where}, fills, conversions, reductions, softmax, GEMM, and for float32 im2col/col2im
 * and max pooling. Each method takes the vector path for contiguous runs of off-heap segments (a stride of 0
 * broadcasts one input of a binary op) and leaves every other case, and other dtypes, to {@link ScalarKernels}.
 *
 * <p>Results agree with the reference to float rounding: exactly for add, sub, mul, div, max, min,
 * comparisons and copies; to a few ulps for the transcendental functions, which use the CPU's vector
 * math library; reductions and GEMM add in a different order. Like the reference, every method runs on the
 * caller's thread, except GEMM, which splits large products over the library's threads itself.
 *
 * <p>The Vector API compiles to SIMD instructions only inside loops the JIT has inlined completely, with
 * constant operators; {@link VectorUnary} explains how the kernels are laid out for that, and
 * {@link #offHeap} why they see only off-heap segments.
 *
 * <pre>{@code
 * Kernels k = new VectorKernels();
 * k.unary(UnaryOp.EXP, DType.FLOAT32, x, 0, 1, y, 0, 1, n);         // y[i] = exp(x[i])
 * k.binary(BinaryOp.MUL, DType.FLOAT32, x, 0, 1, s, 0, 0, y, 0, 1, n);  // y[i] = x[i] * s[0]
 * }</pre>
 */
public class VectorKernels extends ScalarKernels {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void unary(UnaryOp op, DType dt, MemorySegment x, long xOff, long xStride,
                      MemorySegment y, long yOff, long yStride, long n) {
        boolean done = xStride == 1 && yStride == 1 && offHeap(x, y) && switch (dt) {
            case FLOAT32 -> VectorUnary.floats(op, x, xOff, y, yOff, n);
            case FLOAT64 -> VectorUnary.doubles(op, x, xOff, y, yOff, n);
            default -> false;
        };
        if (!done) super.unary(op, dt, x, xOff, xStride, y, yOff, yStride, n);
    }

    @Override
    public void binary(BinaryOp op, DType dt, MemorySegment a, long aOff, long aStride,
                       MemorySegment b, long bOff, long bStride,
                       MemorySegment out, long outOff, long outStride, long n) {
        boolean vector = n > 0 && op.hasVectorForm() && VectorBinary.handles(aStride, bStride, outStride) && offHeap(a, b, out)
                && (op != BinaryOp.POW || VectorBinary.isSquare(dt, b, bOff, bStride));
        if (vector && dt == DType.FLOAT32) {
            VectorBinary.floats(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
        } else if (vector && dt == DType.FLOAT64) {
            VectorBinary.doubles(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
        } else {
            super.binary(op, dt, a, aOff, aStride, b, bOff, bStride, out, outOff, outStride, n);
        }
    }

    @Override
    public void compare(CompareOp op, DType dt, MemorySegment a, long aOff, long aStride,
                        MemorySegment b, long bOff, long bStride,
                        MemorySegment out, long outOff, long outStride, long n) {
        boolean done = n > 0 && dt == DType.FLOAT32 && VectorBinary.handles(aStride, bStride, outStride)
                && offHeap(a, b, out) && VectorBinary.compareFloats(op, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
        if (!done) super.compare(op, dt, a, aOff, aStride, b, bOff, bStride, out, outOff, outStride, n);
    }

    @Override
    public void where(DType dt, MemorySegment mask, long mOff, long mStride,
                      MemorySegment a, long aOff, long aStride,
                      MemorySegment b, long bOff, long bStride,
                      MemorySegment out, long outOff, long outStride, long n) {
        boolean done = n > 0 && dt == DType.FLOAT32 && mStride == 1 && VectorBinary.handles(aStride, bStride, outStride)
                && offHeap(mask, a, b, out)
                && VectorBinary.whereFloats(mask, mOff, a, aOff, aStride, b, bOff, bStride, out, outOff, n);
        if (!done) super.where(dt, mask, mOff, mStride, a, aOff, aStride, b, bOff, bStride, out, outOff, outStride, n);
    }

    @Override
    public void convert(DType from, MemorySegment x, long xOff, long xStride,
                        DType to, MemorySegment y, long yOff, long yStride, long n) {
        boolean contiguous = xStride == 1 && yStride == 1 && n > 0;
        if (contiguous && from == to) {
            long size = from.byteSize();
            MemorySegment.copy(x, xOff * size, y, yOff * size, n * size);
        } else if (!contiguous || !offHeap(x, y)) {
            super.convert(from, x, xOff, xStride, to, y, yOff, yStride, n);
        } else if (from == DType.FLOAT32 && to == DType.FLOAT64 && VectorMoves.converts()) {
            VectorMoves.floatsToDoubles(x, xOff, y, yOff, n);
        } else if (from == DType.FLOAT64 && to == DType.FLOAT32 && VectorMoves.converts()) {
            VectorMoves.doublesToFloats(x, xOff, y, yOff, n);
        } else {
            super.convert(from, x, xOff, xStride, to, y, yOff, yStride, n);
        }
    }

    @Override
    public void fill(DType dt, MemorySegment y, long yOff, long yStride, long n, double value) {
        if (yStride != 1 || n <= 0 || !offHeap(y)) {
            super.fill(dt, y, yOff, yStride, n, value);
        } else if (dt == DType.FLOAT32) {
            VectorMoves.fillFloats(y, yOff, n, (float) value);
        } else if (dt == DType.FLOAT64) {
            VectorMoves.fillDoubles(y, yOff, n, value);
        } else {
            super.fill(dt, y, yOff, yStride, n, value);
        }
    }

    @Override
    public void reduce(ReduceOp op, DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                       MemorySegment y, long yOff) {
        boolean done = offHeap(x, y) && switch (dt) {
            case FLOAT32 -> VectorReduce.floats(op, x, xOff, outer, size, inner, y, yOff);
            case FLOAT64 -> VectorReduce.doubles(op, x, xOff, outer, size, inner, y, yOff);
            default -> false;
        };
        if (!done) super.reduce(op, dt, x, xOff, outer, size, inner, y, yOff);
    }

    @Override
    public void softmax(boolean log, DType dt, MemorySegment x, long xOff, long rows, long cols,
                        MemorySegment y, long yOff) {
        if (dt == DType.FLOAT32 && offHeap(x, y)) {
            VectorReduce.softmaxFloats(log, x, xOff, rows, cols, y, yOff);
        } else {
            super.softmax(log, dt, x, xOff, rows, cols, y, yOff);
        }
    }

    /**
     * Blocked, register-tiled GEMM on the Vector API (see {@link GemmBlocks}), or matrix-vector products when
     * C is a single row or column ({@link FloatGemv}); large products run on the library's threads. An empty
     * depth (k == 0, C = beta C) goes to the reference.
     */
    @Override
    public void gemm(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                     MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                     double beta, MemorySegment c, long cOff, long ldc) {
        if (m <= 0 || n <= 0 || k <= 0 || (dt != DType.FLOAT32 && dt != DType.FLOAT64) || !offHeap(a, b, c)) {
            super.gemm(dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        var p = new GemmBlocks.Problem(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        if (m == 1 || n == 1) {   // a matrix times a vector
            if (dt == DType.FLOAT32) {
                FloatGemv.run(p);
            } else {
                DoubleGemv.run(p);
            }
        } else if (dt == DType.FLOAT32) {
            GemmBlocks.run(p, FloatGemm::new, FloatGemm.MR, FloatGemm.NR);
        } else {
            GemmBlocks.run(p, DoubleGemm::new, DoubleGemm.MR, DoubleGemm.NR);
        }
    }

    @Override
    public void im2col(DType dt, Window2d w, long channels, MemorySegment x, long xOff, long batch,
                       MemorySegment cols, long colOff, long ldc) {
        boolean done = dt == DType.FLOAT32 && offHeap(x, cols)
                && VectorWindows.im2colFloats(w, channels, x, xOff, batch, cols, colOff, ldc);
        if (!done) super.im2col(dt, w, channels, x, xOff, batch, cols, colOff, ldc);
    }

    @Override
    public void gather(DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                       MemorySegment idx, long idxOff, long isize, MemorySegment y, long yOff) {
        if (dt != DType.FLOAT32 || inner != 1) {
            super.gather(dt, x, xOff, outer, size, inner, idx, idxOff, isize, y, yOff);
            return;
        }
        // one value per index (a gather along the last dim): a plain float loop, no per-element dispatch
        for (long o = 0; o < outer; o++) {
            long from = xOff + o * size, to = yOff + o * isize, at = idxOff + o * isize;
            for (long j = 0; j < isize; j++) {
                y.setAtIndex(F32, to + j, x.getAtIndex(F32, from + Access.loadIndex(idx, at + j)));
            }
        }
    }

    @Override
    public void scatterAdd(DType dt, MemorySegment src, long srcOff, long outer, long isize, long inner,
                           MemorySegment idx, long idxOff, long size, MemorySegment y, long yOff) {
        if (dt != DType.FLOAT32 || inner != 1) {
            super.scatterAdd(dt, src, srcOff, outer, isize, inner, idx, idxOff, size, y, yOff);
            return;
        }
        // one value per index (as max pooling's backward scatters): a plain float loop, no per-element dispatch
        for (long o = 0; o < outer; o++) {
            long from = srcOff + o * isize, to = yOff + o * size, at = idxOff + o * isize;
            for (long j = 0; j < isize; j++) {
                long t = to + Access.loadIndex(idx, at + j);
                y.setAtIndex(F32, t, y.getAtIndex(F32, t) + src.getAtIndex(F32, from + j));
            }
        }
    }

    @Override
    public void maxPool2d(DType dt, Window2d w, MemorySegment x, long xOff, long planes,
                          MemorySegment y, long yOff, MemorySegment indices, long iOff) {
        // the heap copy of a plane is indexed with ints
        if (dt == DType.FLOAT32 && offHeap(x, y, indices) && w.height() * (w.width() + 2 * w.padW()) < 1 << 28) {
            VectorWindows.maxPoolFloats(w, x, xOff, planes, y, yOff, indices, iOff);
        } else {
            super.maxPool2d(dt, w, x, xOff, planes, y, yOff, indices, iOff);
        }
    }

    @Override
    public void col2im(DType dt, Window2d w, long channels, MemorySegment cols, long colOff, long rowStride,
                       long colStride, long batch, MemorySegment y, long yOff) {
        boolean done = dt == DType.FLOAT32 && offHeap(cols, y)
                && VectorWindows.col2imFloats(w, channels, cols, colOff, rowStride, colStride, batch, y, yOff);
        if (!done) super.col2im(dt, w, channels, cols, colOff, rowStride, colStride, batch, y, yOff);
    }

    /**
     * The vector loops take only off-heap segments (tensor storage): the JIT compiles them for the segment
     * types they have seen, and one heap segment makes them slower for everyone. Heap segments take the
     * reference path.
     */
    @Override
    public void channelSums(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] sum) {
        if (vectorRuns(dt, block) && offHeap(x)) VectorChannels.sums(block, x, xOff, c0, c1, sum);
        else super.channelSums(dt, block, x, xOff, c0, c1, sum);
    }

    @Override
    public void channelMoments(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1,
                               double[] center, double[] sum, double[] squares) {
        if (vectorRuns(dt, block) && offHeap(x)) VectorChannels.moments(block, x, xOff, c0, c1, center, sum, squares);
        else super.channelMoments(dt, block, x, xOff, c0, c1, center, sum, squares);
    }

    @Override
    public void channelGradSums(DType dt, ChannelBlock block, MemorySegment g, long gOff, MemorySegment x, long xOff,
                                int c0, int c1, double[] center, ReluGate gate, double[] sum, double[] dot) {
        if (vectorRuns(dt, block) && offHeap(g, x)) {
            VectorChannels.gradSums(block, g, gOff, x, xOff, c0, c1, center, gate, sum, dot);
        } else {
            super.channelGradSums(dt, block, g, gOff, x, xOff, c0, c1, center, gate, sum, dot);
        }
    }

    @Override
    public void channelAffine(DType dt, ChannelBlock block, MemorySegment x, long xOff, MemorySegment g, long gOff,
                              int c0, int c1, double[] center, double[] scale, double[] shift, double[] gScale,
                              ReluGate gate, boolean relu, MemorySegment y, long yOff) {
        if (vectorRuns(dt, block) && offHeap(x, y) && (g == null || g.isNative())) {
            VectorChannels.affine(block, x, xOff, g, gOff, c0, c1, center, scale, shift, gScale, gate, relu, y, yOff);
        } else {
            super.channelAffine(dt, block, x, xOff, g, gOff, c0, c1, center, scale, shift, gScale, gate, relu, y, yOff);
        }
    }

    @Override
    public void batchNormReluMaxPool2x2(DType dt, long channels, long h, long w, MemorySegment x, long xOff, long p0,
                                        long p1, double[] center, double[] scale, double[] shift, MemorySegment y,
                                        MemorySegment xm, MemorySegment tap) {
        if (vectorPlanes(dt, channels, h, w) && offHeap(x, y, xm, tap)) {
            VectorBatchNormPool.forward(channels, (int) h, (int) w, x, xOff, p0, p1, center, scale, shift, y, xm, tap);
        } else {
            super.batchNormReluMaxPool2x2(dt, channels, h, w, x, xOff, p0, p1, center, scale, shift, y, xm, tap);
        }
    }

    @Override
    public void batchNormReluMaxPool2x2Backward(DType dt, long channels, long h, long w, MemorySegment x, long xOff,
                                                MemorySegment g, long gOff, MemorySegment xm, MemorySegment tap,
                                                long p0, long p1, double[] center, double[] a, double[] d,
                                                double[] k, ReluGate gate, MemorySegment gx) {
        if (vectorPlanes(dt, channels, h, w) && offHeap(x, g, xm, tap, gx)) {
            VectorBatchNormPool.backward(channels, (int) h, (int) w, x, xOff, g, gOff, xm, tap, p0, p1, center, a, d,
                    k, gate, gx);
        } else {
            super.batchNormReluMaxPool2x2Backward(dt, channels, h, w, x, xOff, g, gOff, xm, tap, p0, p1, center, a, d,
                    k, gate, gx);
        }
    }

    @Override
    public void randomUniform(DType dt, MemorySegment y, long yOff, long n, long base, long first) {
        if (dt == DType.FLOAT32 && offHeap(y) && VectorRandom.supported()) {
            VectorRandom.uniformFloats(y, yOff, n, base, first);
        } else {
            super.randomUniform(dt, y, yOff, n, base, first);
        }
    }

    @Override
    public void dropoutMask(DType dt, MemorySegment y, long yOff, long n, long base, long first, double p) {
        if (dt == DType.FLOAT32 && offHeap(y) && VectorRandom.supported()) {
            VectorRandom.maskFloats(y, yOff, n, base, first, (float) p, (float) (1 / (1 - p)));
        } else {
            super.dropoutMask(dt, y, yOff, n, base, first, p);
        }
    }

    @Override
    public void adamStep(DType dt, AdamStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                         MemorySegment m, long mOff, MemorySegment v, long vOff, long n) {
        if (dt == DType.FLOAT32 && offHeap(p, g, m, v)) VectorUpdates.adam(s, p, pOff, g, gOff, m, mOff, v, vOff, n);
        else super.adamStep(dt, s, p, pOff, g, gOff, m, mOff, v, vOff, n);
    }

    @Override
    public void sgdStep(DType dt, SgdStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                        MemorySegment buf, long bufOff, long n) {
        if (dt == DType.FLOAT32 && offHeap(p, g) && (buf == null || buf.isNative())) {
            VectorUpdates.sgd(s, p, pOff, g, gOff, buf, bufOff, n);
        } else {
            super.sgdStep(dt, s, p, pOff, g, gOff, buf, bufOff, n);
        }
    }

    /** Per-channel runs of float32 at least a vector long (shorter ones, as [N, C] has, go element by element). */
    private static boolean vectorRuns(DType dt, ChannelBlock block) {
        return dt == DType.FLOAT32 && block.inner() >= Lanes.FL;
    }

    /**
     * Whether the fused batch-norm pooling kernels take planes of h x w in vectors: as channelAffine takes runs
     * (so that both round alike), and planes whose heap copies an int indexes.
     */
    private static boolean vectorPlanes(DType dt, long channels, long h, long w) {
        return vectorRuns(dt, new ChannelBlock(1, channels, h * w)) && h * w < 1 << 28;
    }

    /** Whether every segment given is off-heap (null ones, not used by the call, do not count). */
    private static boolean offHeap(MemorySegment... segments) {
        for (MemorySegment s : segments) {
            if (s != null && !s.isNative()) return false;
        }
        return true;
    }
}
