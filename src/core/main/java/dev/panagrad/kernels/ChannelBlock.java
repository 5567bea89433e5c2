package dev.panagrad.kernels;

/**
 * A contiguous {@code [batch, channels, inner]} block, as batch normalisation sees its input: channel
 * {@code c} of image {@code b} is the run of {@code inner} elements starting at {@link #row(long, long)}.
 * The per-channel kernels work on a range of channels {@code [c0, c1)}, so that channels can be split
 * over threads while each channel's sums keep one order.
 *
 * <pre>{@code
 * ChannelBlock block = new ChannelBlock(128, 32, 28 * 28);   // x [128, 32, 28, 28]
 * block.count();    // 128 * 784 values per channel
 * block.row(1, 0);  // 32 * 784: where image 1's channel 0 starts
 * }</pre>
 */
public record ChannelBlock(long batch, long channels, long inner) {

    /** The number of values of one channel: {@code batch * inner}. */
    public long count() {
        return batch * inner;
    }

    /** The offset, from the block's start, of image b's run of channel c. */
    public long row(long b, long c) {
        return (b * channels + c) * inner;
    }
}
