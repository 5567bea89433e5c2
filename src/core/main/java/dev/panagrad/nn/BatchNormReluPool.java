package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.ChannelBlock;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.ReluGate;
import dev.panagrad.kernels.Window2d;
import dev.panagrad.ops.Pinning;
import dev.panagrad.ops.Pointwise;

/**
 * Batch norm with the batch's statistics, ReLU and 2x2 max pooling at stride 2 as one op on x
 * {@code [N, C, H, W]}: the values of {@code maxPool2d(batchNormRelu(x), 2)}, bit for bit, from one pass over x
 * after the statistics' ({@link Kernels#batchNormReluMaxPool2x2}), without the full-size activation between
 * them. Besides the output it keeps, per window, the x its maximum came from ({@code xm}) and where in the
 * window that was (a tap code).
 *
 * <p>The gradient reaches x only through each window's maximum: batch norm's gradient sums come from g and
 * xm (the pooled size), the ReLU's gate from xm, and the input gradient, {@code (x - mean) * a + d}
 * everywhere plus {@code g * k} at the maxima, is written in one pass. Its sums run over the pooled
 * positions, in another order than the separate ops', so the gradients agree with theirs to rounding. With
 * {@code createGraph} the backward pass is the separate ops' recorded one.
 *
 * <p>{@link #evaluate} is evaluation's form, with the running statistics and nothing recorded: the values of
 * {@code maxPool2d(relu(x * scale + shift), 2)} from one pass that writes only the pooled output.
 */
final class BatchNormReluPool {
    private static final Kernels K = Kernels.active();
    private static final int[] TWO = {2, 2}, ZERO = {0, 0}, ONE = {1, 1};
    private static final String OP = "batchNormReluMaxPool2d";

    private BatchNormReluPool() {}

    /** Whether these pooling settings are the op's: 2x2 windows at stride 2, no padding or dilation. */
    static boolean handles(int[] kernelSize, int[] stride, int[] padding, int[] dilation) {
        return java.util.Arrays.equals(kernelSize, TWO) && java.util.Arrays.equals(stride, TWO)
                && java.util.Arrays.equals(padding, ZERO) && java.util.Arrays.equals(dilation, ONE);
    }

    static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, double momentum,
                        double eps) {
        BatchNorm.checkInput(OP, x, true, runningMean, runningVar, weight, bias);
        Window2d w = window(x);
        DType dt = x.dtype();
        long n = x.size(0), c = x.size(1), h = w.height(), wd = w.width(), planes = n * c;
        Tensor xc, y, xm, tap;
        BatchStatistics stats;
        try (var off = GradMode.noGrad()) {
            xc = Pointwise.convertRaw(x.detach(), dt);
            stats = BatchStatistics.of(OP, xc, runningMean, runningVar, weight, bias, momentum, eps);
            y = Tensor.empty(dt, n, c, w.outH(), w.outW());
            xm = Tensor.empty(dt, n, c, w.outH(), w.outW());
            tap = Tensor.empty(DType.INT32, n, c, w.outH(), w.outW());
        }
        Pinning.run(OP, () -> overPlanes(planes, h * wd, (p0, p1) -> K.batchNormReluMaxPool2x2(dt, c, h, wd,
                xc.segment(), xc.offset(), p0, p1, stats.mean(), stats.scale(), stats.shift(), y.segment(),
                xm.segment(), tap.segment())), xc, y, xm, tap);
        return Graph.record("BatchNormReluMaxPool2DBackward0", y, Graph.of(x, weight, bias), Graph.of(x, weight),
                (g, s) -> {
                    if (GradMode.isEnabled()) {
                        Tensor full = MaxPool2d.scatterToMaxima(g, planeIndices(tap, wd), planes, h * wd, x.shape());
                        return BatchNorm.recordedBackward(BatchNorm.gate(full, s[0], stats), s[0], s[1], bias,
                                stats.block(), eps);
                    }
                    return backward(g, s[0], s[1], bias, xm, tap, stats);
                });
    }

    /** {gx, gw, gb} from the kernels, each only where needed. */
    private static Tensor[] backward(Tensor g, Tensor x, Tensor weight, Tensor bias, Tensor xm, Tensor tap,
                                     BatchStatistics stats) {
        String op = OP + "Backward";
        DType dt = x.dtype();
        long n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        Tensor xc = Pointwise.convertRaw(x, dt), gc = Pointwise.convertRaw(g, dt);
        ReluGate gate = stats.reluGate();
        double[] sum = new double[(int) c], dot = new double[(int) c];
        ChannelPasses.gradSums(op, gc, xm, new ChannelBlock(n, c, xm.size(2) * xm.size(3)), stats.mean(), gate, sum,
                dot);
        Tensor gx = null;
        if (x.requiresGrad()) {
            double[][] kad = stats.inputGradient(weight, sum, dot);
            Tensor out = Tensor.empty(dt, x.shape());
            Pinning.run(op, () -> overPlanes(n * c, h * wd, (p0, p1) -> K.batchNormReluMaxPool2x2Backward(dt, c, h, wd,
                    xc.segment(), xc.offset(), gc.segment(), gc.offset(), xm.segment(), tap.segment(), p0, p1,
                    stats.mean(), kad[1], kad[2], kad[0], gate, out.segment())), xc, gc, xm, tap, out);
            gx = out;
        }
        Tensor gw = weight != null && weight.requiresGrad() ? Tensor.of(dt, stats.weightGradient(dot), c) : null;
        return Graph.of(gx, gw, bias != null && bias.requiresGrad() ? Tensor.of(dt, sum, c) : null);
    }

    /**
     * Evaluation with the running statistics, where no gradient is wanted: the same values as {@code x * scale +
     * shift} ({@link BatchNorm#evaluationMap}), ReLU and 2x2 max pooling one after the other, in one pass that
     * writes only the pooled output.
     */
    static Tensor evaluate(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, double eps) {
        BatchNorm.checkInput(OP, x, false, runningMean, runningVar, weight, bias);
        Window2d w = window(x);
        DType dt = x.dtype();
        long n = x.size(0), c = x.size(1), h = w.height(), wd = w.width();
        Tensor xc = Pointwise.convertRaw(x.detach(), dt), y = Tensor.empty(dt, n, c, w.outH(), w.outW());
        Tensor[] map = BatchNorm.evaluationMap(runningMean, runningVar, weight, bias, eps);
        double[] scale = map[0].toDoubleArray(), shift = map[1].toDoubleArray();
        Pinning.run(OP, () -> overPlanes(n * c, h * wd, (p0, p1) -> K.batchNormReluMaxPool2x2(dt, c, h, wd,
                xc.segment(), xc.offset(), p0, p1, null, scale, shift, y.segment(), null, null)), xc, y);
        return y;
    }

    /** The op's window over x, after checking that x is a 4-D input it fits. */
    private static Window2d window(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(OP + ": expected a 4-D input [N, C, H, W]; given " + x.describe());
        }
        return MaxPool2d.window(OP, x, TWO, TWO, ZERO, ONE);
    }

    /** Each window's maximum as max pooling's int64 index in its plane, {@code ih * W + iw}, from the tap codes. */
    private static Tensor planeIndices(Tensor tap, long wd) {
        long oh = tap.size(2), ow = tap.size(3);
        long[] codes = tap.toLongArray(), idx = new long[codes.length];
        for (int e = 0; e < codes.length; e++) {
            long r = e / ow % oh, j = e % ow;
            idx[e] = (2 * r + codes[e] / 2) * wd + 2 * j + codes[e] % 2;
        }
        return Tensor.of(idx, tap.shape());
    }

    private interface PlaneRange {
        void run(long p0, long p1);
    }

    /** Runs body over ranges of planes, on as many threads as the work has grains for. */
    private static void overPlanes(long planes, long plane, PlaneRange body) {
        Parallel.forRange(planes, Math.max(1, Windows.GRAIN / Math.max(1, plane)), body::run);
    }
}
