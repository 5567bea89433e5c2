package dev.panagrad.kernels;

import dev.panagrad.DType;

import java.lang.foreign.MemorySegment;

/**
 * The compute kernels behind every tensor op. Kernels see memory segments, element offsets, sizes and
 * strides (all counted in elements, not bytes); they know nothing of tensors or autograd and run on the
 * caller's thread over the range they are given (the ops layer splits large work across threads).
 *
 * <p>{@link ScalarKernels} is the reference; {@link VectorKernels} overrides the hot loops with the Vector
 * API; {@link BlasKernels} sends GEMM to OpenBLAS. {@link #active()} is chosen once at start.
 *
 * <pre>{@code
 * Kernels k = Kernels.active();
 * k.unary(UnaryOp.EXP, DType.FLOAT32, x, 0, 1, y, 0, 1, n);   // y[i] = exp(x[i])
 * }</pre>
 */
public interface Kernels {

    /** Short name: scalar, vector or blas. */
    String name();

    /**
     * The implementation every op uses, chosen on first use: one given to {@link #use}, else
     * {@code -Dpanagrad.kernels=scalar|vector|blas|<provider name>}, else the first {@code Kernels} service
     * provider ({@link java.util.ServiceLoader}), else {@code blas} when OpenBLAS loads, else {@code vector}.
     *
     * @return the active kernel set
     * @throws IllegalStateException when the JVM runs without the {@code jdk.incubator.vector} module
     */
    static Kernels active() {
        return KernelSelection.active();
    }

    /**
     * Makes {@code kernels} the implementation of every op. Call it once at start, before the first tensor op
     * (the choice is fixed from then on, so that the JIT can fold it into every op); the set may extend
     * {@link VectorKernels} or {@link BlasKernels} and override only some loops. A library can instead declare
     * its set as a {@code Kernels} service provider ({@code provides dev.panagrad.kernels.Kernels with ...} or a
     * {@code META-INF/services} file), which is used unless {@code -Dpanagrad.kernels} names another.
     *
     * <pre>{@code
     * class Traced extends VectorKernels {
     *     public String name() { return "traced"; }
     * }
     * Kernels.use(new Traced());
     * Kernels.active().name();   // "traced"
     * }</pre>
     *
     * @param kernels the kernel set to use
     * @throws IllegalStateException when an op has already chosen the kernel set
     */
    static void use(Kernels kernels) {
        KernelSelection.requireVectorModule();
        KernelSelection.use(java.util.Objects.requireNonNull(kernels, "kernels"), "installed by Kernels.use");
    }

    /** {@code y[yOff + i*yStride] = op(x[xOff + i*xStride])} for i in [0, n); x and y share the dtype. */
    void unary(UnaryOp op, DType dt, MemorySegment x, long xOff, long xStride,
               MemorySegment y, long yOff, long yStride, long n);

    /** {@code out[i] = op(a[i], b[i])} along strided runs; a stride of 0 broadcasts one value. */
    void binary(BinaryOp op, DType dt, MemorySegment a, long aOff, long aStride,
                MemorySegment b, long bOff, long bStride,
                MemorySegment out, long outOff, long outStride, long n);

    /** {@code out[i] = a[i] op b[i]} as a bool mask (one byte, 0 or 1). */
    void compare(CompareOp op, DType dt, MemorySegment a, long aOff, long aStride,
                 MemorySegment b, long bOff, long bStride,
                 MemorySegment out, long outOff, long outStride, long n);

    /** {@code out[i] = mask[i] != 0 ? a[i] : b[i]}; the mask is bool. */
    void where(DType dt, MemorySegment mask, long mOff, long mStride,
               MemorySegment a, long aOff, long aStride,
               MemorySegment b, long bOff, long bStride,
               MemorySegment out, long outOff, long outStride, long n);

    /** Converts {@code from} to {@code to} element by element; a plain strided copy when they are equal. */
    void convert(DType from, MemorySegment x, long xOff, long xStride,
                 DType to, MemorySegment y, long yOff, long yStride, long n);

    /** Sets n strided elements to {@code value}. */
    void fill(DType dt, MemorySegment y, long yOff, long yStride, long n, double value);

    /**
     * Reduces the middle axis of a contiguous {@code [outer, size, inner]} block at {@code x[xOff]} into the
     * contiguous {@code [outer, inner]} block at {@code y[yOff]}.
     */
    void reduce(ReduceOp op, DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                MemorySegment y, long yOff);

    /** Like {@link #reduce} with MAX ({@code max=true}) or MIN, writing the int64 index of the first extreme (NaN wins). */
    void argReduce(boolean max, DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                   MemorySegment indices, long iOff);

    /** Softmax (or log-softmax) of each contiguous row of length {@code cols}, from x into y. */
    void softmax(boolean log, DType dt, MemorySegment x, long xOff, long rows, long cols,
                 MemorySegment y, long yOff);

    /**
     * Row-major {@code C = alpha * op(A) @ op(B) + beta * C} with op(A) of shape [m, k] and op(B) [k, n];
     * lda/ldb/ldc are the row strides of A, B, C as stored. With beta == 0 the old C is not read.
     */
    void gemm(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
              MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
              double beta, MemorySegment c, long cOff, long ldc);

    /**
     * {@link #gemm} as one product on the calling thread, never cut into blocks: for callers that split their
     * work over the library's threads themselves (a convolution's images), where blocks would only re-pack the
     * operands. Like gemm's, its result does not depend on the thread count. The default calls gemm.
     */
    default void gemmSerial(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                            MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                            double beta, MemorySegment c, long cOff, long ldc) {
        gemm(dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@code y[o, j, i] = x[o, idx[o, j, i], i]} over contiguous blocks x [outer, size, inner], idx and y
     * [outer, isize, inner] (idx int64, already range-checked by the caller).
     */
    void gather(DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                MemorySegment idx, long idxOff, long isize, MemorySegment y, long yOff);

    /** {@code y[o, idx[o, j, i], i] += src[o, j, i]}: the adjoint of {@link #gather}. */
    void scatterAdd(DType dt, MemorySegment src, long srcOff, long outer, long isize, long inner,
                    MemorySegment idx, long idxOff, long size, MemorySegment y, long yOff);

    /** {@code y[o, j, :] = x[o, idx[j], :]} with x [outer, size, inner], idx [isize] int64, y [outer, isize, inner]. */
    void indexSelect(DType dt, MemorySegment x, long xOff, long outer, long size, long inner,
                     MemorySegment idx, long idxOff, long isize, MemorySegment y, long yOff);

    /** {@code y[o, idx[j], :] += src[o, j, :]}: the adjoint of {@link #indexSelect}. */
    void indexAdd(DType dt, MemorySegment src, long srcOff, long outer, long isize, long inner,
                  MemorySegment idx, long idxOff, long size, MemorySegment y, long yOff);

    // ---------------------------------------------------------------- sliding windows (convolution, pooling)

    /**
     * im2col for images {@code b} in [0, batch) of a contiguous {@code [batch, channels, H, W]} block at
     * {@code x[xOff]}: writes {@code cols[colOff + row*ldc + b*L + oh*OW + ow] = x[b, c, ih, iw]} for
     * {@code row = (c*kernelH + i)*kernelW + j}, {@code L = OH*OW} and the input position of tap (i, j) at
     * output (oh, ow); taps in the padding read 0.
     */
    void im2col(DType dt, Window2d w, long channels, MemorySegment x, long xOff, long batch,
                MemorySegment cols, long colOff, long ldc);

    /**
     * col2im, the adjoint of {@link #im2col}: adds every column entry into the input position it was read
     * from, {@code y[b, c, ih, iw] += cols[colOff + row*rowStride + (b*L + oh*OW + ow)*colStride]}, skipping
     * padding. y is a contiguous {@code [batch, channels, H, W]} block at {@code y[yOff]}.
     */
    void col2im(DType dt, Window2d w, long channels, MemorySegment cols, long colOff, long rowStride,
                long colStride, long batch, MemorySegment y, long yOff);

    /**
     * Max pooling of contiguous planes {@code [planes, H, W]} into {@code [planes, OH, OW]}, also writing the
     * int64 index {@code ih*W + iw} of each maximum within its plane (the first one, or the last NaN; padding never
     * wins).
     */
    void maxPool2d(DType dt, Window2d w, MemorySegment x, long xOff, long planes,
                   MemorySegment y, long yOff, MemorySegment indices, long iOff);

    /**
     * Average pooling of contiguous planes {@code [planes, H, W]} into {@code [planes, OH, OW]}: the window sum
     * divided by {@code kernelH*kernelW} when {@code countPadding}, else by the number of taps inside the input.
     */
    void avgPool2d(DType dt, Window2d w, boolean countPadding, MemorySegment x, long xOff, long planes,
                   MemorySegment y, long yOff);

    /**
     * The adjoint of {@link #avgPool2d}: {@code gx[p, ih, iw] += g[p, oh, ow] / divisor} for every window
     * (oh, ow) containing (ih, iw); gx is accumulated into, not overwritten.
     */
    void avgPool2dAdjoint(DType dt, Window2d w, boolean countPadding, MemorySegment g, long gOff, long planes,
                          MemorySegment gx, long gxOff);

    // ---------------------------------------------------------------- per-channel passes (batch normalisation)

    /**
     * For channels [c0, c1) of the block at {@code x[xOff]}: {@code sum[c]} = the sum of the channel's
     * {@code block.count()} values, in an order fixed by the block's shape.
     */
    void channelSums(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] sum);

    /**
     * For channels [c0, c1) of the block at {@code x[xOff]}: {@code sum[c] = sum(x - center[c])} and
     * {@code squares[c] = sum((x - center[c])^2)} over the channel's values, in one pass, in an order fixed by the
     * block's shape. The caller picks a center the dtype holds, near the mean, so that the mean and variance
     * follow from the two sums without losing digits.
     */
    void channelMoments(DType dt, ChannelBlock block, MemorySegment x, long xOff, int c0, int c1, double[] center,
                        double[] sum, double[] squares);

    /**
     * For channels [c0, c1): {@code sum[c] = sum(g)} and {@code dot[c] = sum(g * (x - center[c]))} over the
     * channel's values of the blocks at {@code g[gOff]} and {@code x[xOff]}, in an order fixed by the shape;
     * with a gate, g counts only where the gate lets it through.
     */
    void channelGradSums(DType dt, ChannelBlock block, MemorySegment g, long gOff, MemorySegment x, long xOff,
                         int c0, int c1, double[] center, ReluGate gate, double[] sum, double[] dot);

    /**
     * For channels [c0, c1): {@code y = (x - center[c]) * scale[c] + shift[c]}, plus {@code g * gScale[c]}
     * when g is not null (then gScale is read; with a gate, g counts only where the gate lets it through),
     * then ReLU'd when {@code relu}, element by element over blocks at the given offsets; y may be x or g.
     */
    void channelAffine(DType dt, ChannelBlock block, MemorySegment x, long xOff, MemorySegment g, long gOff,
                       int c0, int c1, double[] center, double[] scale, double[] shift, double[] gScale,
                       ReluGate gate, boolean relu, MemorySegment y, long yOff);

    /**
     * Batch norm's affine map, ReLU and 2x2 max pooling at stride 2, for planes [p0, p1) of a contiguous
     * {@code [planes, H, W]} block at {@code x[xOff]} (plane p holds channel {@code p % channels}; H, W at least
     * 2, an odd last row or column is in no window), into {@code [planes, H/2, W/2]} blocks at index 0:
     * each tap's {@code v = max(0, (x - center[c]) * scale[c] + shift[c])}, rounded as {@link #channelAffine}
     * rounds it; {@code y} the window's largest v (the first in row-major order, or the last NaN), {@code xm}
     * the x it came from, {@code tap} (int32) where that is in the window: {@code 2 * row + column}. Evaluation
     * passes {@code center}, {@code xm} and {@code tap} null: then {@code v = max(0, x * scale[c] + shift[c])}
     * with the product and the sum each rounded, as {@code x.mul(scale).add(shift).relu()} rounds them, and only
     * y is written.
     */
    void batchNormReluMaxPool2x2(DType dt, long channels, long h, long w, MemorySegment x, long xOff, long p0,
                                 long p1, double[] center, double[] scale, double[] shift, MemorySegment y,
                                 MemorySegment xm, MemorySegment tap);

    /**
     * The input gradient of {@link #batchNormReluMaxPool2x2} for planes [p0, p1), into {@code [planes, H, W]} at
     * index 0: {@code gx = (x - center[c]) * a[c] + d[c]} everywhere, plus {@code g * k[c]} at each window's
     * tap where the gate, recomputed from xm, lets g through, rounded as {@link #channelAffine} rounds the
     * same terms. g, xm and tap are the forward's pooled blocks (g at {@code g[gOff]}).
     */
    void batchNormReluMaxPool2x2Backward(DType dt, long channels, long h, long w, MemorySegment x, long xOff,
                                         MemorySegment g, long gOff, MemorySegment xm, MemorySegment tap, long p0,
                                         long p1, double[] center, double[] a, double[] d, double[] k,
                                         ReluGate gate, MemorySegment gx);

    // ---------------------------------------------------------------- random fills

    /**
     * Uniform values in [0, 1) into n contiguous elements of y (float32 or float64): element i gets
     * {@link SplitMix} draw {@code first + i} after the state {@code base}, so a range split anywhere gives the
     * same values. This default is the reference.
     */
    default void randomUniform(DType dt, MemorySegment y, long yOff, long n, long base, long first) {
        for (long i = 0; i < n; i++) Access.store(dt, y, yOff + i, uniform(dt, SplitMix.state(base, first + i)));
    }

    /**
     * Dropout's mask into n contiguous elements of y: {@code 1 / (1 - p)} where the value {@link #randomUniform}
     * would write is at least p, else 0 (p, the value and the comparison in dtype dt). This default is the
     * reference.
     */
    default void dropoutMask(DType dt, MemorySegment y, long yOff, long n, long base, long first, double p) {
        boolean single = dt == DType.FLOAT32;
        double below = single ? (float) p : p, keep = single ? (float) (1 / (1 - p)) : 1 / (1 - p);
        for (long i = 0; i < n; i++) {
            Access.store(dt, y, yOff + i, uniform(dt, SplitMix.state(base, first + i)) >= below ? keep : 0);
        }
    }

    /** The uniform value in [0, 1) of dtype dt (float32 or float64) that a SplitMix state gives. */
    private static double uniform(DType dt, long state) {
        return dt == DType.FLOAT32 ? SplitMix.uniformFloat(state) : SplitMix.uniformDouble(state);
    }

    // ---------------------------------------------------------------- optimizer updates

    /**
     * One Adam or AdamW update ({@link AdamStep}) of n elements in place: parameter {@code p}, first moment
     * {@code m} and second moment {@code v} from gradient {@code g}, all of dtype dt at unit stride. Each
     * element's result depends on that element alone, never on where a range starts or ends. This default is
     * the reference: every element in double.
     */
    default void adamStep(DType dt, AdamStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                          MemorySegment m, long mOff, MemorySegment v, long vOff, long n) {
        double shrink = s.shrink(), decay = s.gradientDecay(), stepSize = s.stepSize(), bc2 = s.biasCorrection2Sqrt();
        for (long i = 0; i < n; i++) {
            double pi = Access.load(dt, p, pOff + i), d = Access.load(dt, g, gOff + i);
            if (shrink != 1) pi *= shrink;
            if (decay != 0) d += decay * pi;
            double mi = s.beta1() * Access.load(dt, m, mOff + i) + (1 - s.beta1()) * d;
            double vi = s.beta2() * Access.load(dt, v, vOff + i) + (1 - s.beta2()) * d * d;
            Access.store(dt, m, mOff + i, mi);
            Access.store(dt, v, vOff + i, vi);
            Access.store(dt, p, pOff + i, pi - mi / (Math.sqrt(vi) / bc2 + s.eps()) * stepSize);
        }
    }

    /**
     * One SGD update ({@link SgdStep}) of n elements in place: parameter {@code p} and momentum buffer
     * {@code buf} (null without momentum) from gradient {@code g}, all of dtype dt at unit stride; element by
     * element, as {@link #adamStep}. This default is the reference: every element in double.
     */
    default void sgdStep(DType dt, SgdStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                         MemorySegment buf, long bufOff, long n) {
        for (long i = 0; i < n; i++) {
            double pi = Access.load(dt, p, pOff + i), d = Access.load(dt, g, gOff + i);
            if (s.weightDecay() != 0) d += s.weightDecay() * pi;
            if (s.momentum() != 0) {
                double b = s.first() ? d : s.momentum() * Access.load(dt, buf, bufOff + i) + (1 - s.dampening()) * d;
                Access.store(dt, buf, bufOff + i, b);
                d = s.nesterov() ? d + s.momentum() * b : b;
            }
            Access.store(dt, p, pOff + i, pi - s.lr() * d);
        }
    }
}
