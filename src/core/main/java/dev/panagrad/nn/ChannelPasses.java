package dev.panagrad.nn;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.ChannelBlock;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.ReluGate;
import dev.panagrad.ops.Pinning;

/**
 * Batch normalisation's passes over contiguous {@code [N, C, L]} tensors, channels split over the library's
 * threads. A channel is never split, so its sums come out the same whatever the thread count.
 */
final class ChannelPasses {
    private ChannelPasses() {}

    /** Per-channel mean and biased variance of x. */
    static void moments(String op, Tensor x, ChannelBlock block, double[] mean, double[] var) {
        Pinning.run(op, () -> overChannels(block, (c0, c1) -> Kernels.active().channelMoments(x.dtype(), block,
                x.segment(), x.offset(), c0, c1, mean, var)), x);
    }

    /** Per-channel {@code sum(g)} and {@code sum(g * (x - center))}, g gated when a gate is given. */
    static void gradSums(String op, Tensor g, Tensor x, ChannelBlock block, double[] center, ReluGate gate,
                         double[] sum, double[] dot) {
        Pinning.run(op, () -> overChannels(block, (c0, c1) -> Kernels.active().channelGradSums(x.dtype(), block,
                g.segment(), g.offset(), x.segment(), x.offset(), c0, c1, center, gate, sum, dot)), g, x);
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
}
