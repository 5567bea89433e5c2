package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.ChannelBlock;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.ReluGate;
import dev.panagrad.ops.Pinning;

/**
 * Batch normalisation's passes over contiguous {@code [N, C, L]} tensors, over the library's threads.
 *
 * <p>The sums (moments, gradient sums) go over units fixed by the shape: the batch in up to {@link #CHUNKS}
 * chunks of whole images, each cut into ranges of channels when there are fewer chunks than that. Each unit
 * writes its chunk's partial sums of its channels, and the chunks' partials are added in image order, so the
 * sums come out the same whatever the thread count. Threads take consecutive units, so a thread reads the
 * images that an op split over the batch before it (a convolution) wrote on its own core: read from the other
 * core, the same pass ran no faster on two threads than on one. The affine pass splits channels.
 */
final class ChannelPasses {
    private ChannelPasses() {}

    private static final int CHUNKS = 16;

    /**
     * Per-channel mean and biased variance of x, in one pass: the sums of {@code x - center} and of its squares,
     * about a center near the mean (the mean of the first image's values, which float32 holds after rounding),
     * give {@code mean = center + s / n} and {@code var = q / n - (s / n)^2} with little cancellation. The
     * center comes from the first image alone, so it too is fixed by the data, not the thread count.
     */
    static void moments(String op, Tensor x, ChannelBlock block, double[] mean, double[] var) {
        DType dt = x.dtype();
        int c = (int) block.channels();
        double[] center = new double[c];
        if (block.batch() > 0) {
            ChannelBlock first = new ChannelBlock(1, c, block.inner());
            Pinning.run(op, () -> Kernels.active().channelSums(dt, first, x.segment(), x.offset(), 0, c, center), x);
            for (int i = 0; i < c; i++) {
                double m = center[i] / first.count();
                center[i] = dt == DType.FLOAT32 ? (float) m : m;
            }
        }
        double[][] sums = new double[chunks(block)][c], squares = new double[chunks(block)][c];
        Pinning.run(op, () -> overUnits(block, (images, off, c0, c1, chunk) -> Kernels.active().channelMoments(dt,
                images, x.segment(), x.offset() + off, c0, c1, center, sums[chunk], squares[chunk])), x);
        for (int i = 0; i < c; i++) {
            double shift = total(sums, i) / block.count();
            mean[i] = center[i] + shift;
            var[i] = Math.max(0, total(squares, i) / block.count() - shift * shift);
        }
    }

    /** Per-channel {@code sum(g)} and {@code sum(g * (x - center))}, g gated when a gate is given. */
    static void gradSums(String op, Tensor g, Tensor x, ChannelBlock block, double[] center, ReluGate gate,
                         double[] sum, double[] dot) {
        int c = (int) block.channels(), chunks = chunks(block);
        double[][] sums = new double[chunks][c], dots = new double[chunks][c];
        Pinning.run(op, () -> overUnits(block, (images, off, c0, c1, chunk) -> Kernels.active().channelGradSums(
                x.dtype(), images, g.segment(), g.offset() + off, x.segment(), x.offset() + off, c0, c1, center,
                gate, sums[chunk], dots[chunk])), g, x);
        for (int i = 0; i < c; i++) {
            sum[i] = total(sums, i);
            dot[i] = total(dots, i);
        }
    }

    /**
     * A new tensor shaped like x: {@code (x - center) * scale + shift}, plus {@code g * gScale} when g is not
     * null (g gated when a gate is given), per channel, then ReLU'd when {@code relu}.
     */
    static Tensor affine(String op, Tensor x, Tensor g, ChannelBlock block, double[] center, double[] scale,
                         double[] shift, double[] gScale, ReluGate gate, boolean relu) {
        Tensor y = Tensor.empty(x.dtype(), x.shape());
        Tensor[] pinned = g == null ? new Tensor[] {x, y} : new Tensor[] {x, g, y};
        Pinning.run(op, () -> overChannels(block, (c0, c1) -> Kernels.active().channelAffine(x.dtype(), block,
                x.segment(), x.offset(), g == null ? null : g.segment(), g == null ? 0 : g.offset(), c0, c1,
                center, scale, shift, gScale, gate, relu, y.segment(), 0)), pinned);
        return y;
    }

    private interface ChannelRange {
        void run(int c0, int c1);
    }

    /** Runs body over chunks of whole channels, on as many threads as the work has grains for. */
    private static void overChannels(ChannelBlock block, ChannelRange body) {
        long grain = Math.max(1, Windows.GRAIN / Math.max(1, block.count()));
        Parallel.forRange(block.channels(), grain, (lo, hi) -> body.run((int) lo, (int) hi));
    }

    /** A unit of the sums: channels [c0, c1) of the images of {@code chunk}, a block at offset {@code off}. */
    private interface Unit {
        void run(ChannelBlock images, long off, int c0, int c1, int chunk);
    }

    private static int chunks(ChannelBlock block) {
        return (int) Math.min(block.batch(), CHUNKS);
    }

    /** Runs body over the units of the block, chunk by chunk, on as many threads as the work has grains for. */
    private static void overUnits(ChannelBlock block, Unit body) {
        int chunks = chunks(block);
        if (chunks == 0) return;
        int ranges = (int) Math.min(block.channels(), (CHUNKS + chunks - 1) / chunks);
        long units = (long) chunks * ranges, n = block.batch(), c = block.channels();
        long grain = Math.max(1, Windows.GRAIN * units / Math.max(1, n * c * block.inner()));
        Parallel.forRange(units, grain, (lo, hi) -> {
            for (long u = lo; u < hi; u++) {
                int chunk = (int) (u / ranges), range = (int) (u % ranges);
                long b0 = n * chunk / chunks, b1 = n * (chunk + 1) / chunks;
                body.run(new ChannelBlock(b1 - b0, c, block.inner()), block.row(b0, 0), (int) (c * range / ranges),
                        (int) (c * (range + 1) / ranges), chunk);
            }
        });
    }

    /** Channel i's partial sums added in chunk order. */
    private static double total(double[][] partials, int i) {
        double t = 0;
        for (double[] p : partials) t += p[i];
        return t;
    }
}
