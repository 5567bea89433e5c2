package dev.panagrad.kernels;

/**
 * The geometry of a 2-D sliding window over planes of {@code height x width} elements, as convolution and
 * pooling use it: a {@code kernelH x kernelW} window moved by the strides over the input padded by
 * {@code padH}/{@code padW} on each side, with taps {@code dilation} elements apart. Output position
 * {@code (oh, ow)} reads input rows {@code oh*strideH - padH + i*dilationH} and columns
 * {@code ow*strideW - padW + j*dilationW}.
 *
 * <pre>{@code
 * Window2d w = new Window2d(28, 28, 3, 3, 1, 1, 1, 1, 1, 1);
 * w.outH();   // (28 + 2*1 - 1*(3-1) - 1) / 1 + 1 = 28
 * }</pre>
 */
public record Window2d(long height, long width, long kernelH, long kernelW, long strideH, long strideW,
                       long padH, long padW, long dilationH, long dilationW) {

    /** Output rows: {@code floor((H + 2*padH - dilationH*(kernelH-1) - 1) / strideH) + 1}. */
    public long outH() {
        return Math.floorDiv(height + 2 * padH - dilationH * (kernelH - 1) - 1, strideH) + 1;
    }

    /** Output columns: {@code floor((W + 2*padW - dilationW*(kernelW-1) - 1) / strideW) + 1}. */
    public long outW() {
        return Math.floorDiv(width + 2 * padW - dilationW * (kernelW - 1) - 1, strideW) + 1;
    }

    /** For each output position {@code o}, the window taps {@code [lo[o], hi[o])} that land inside the input. */
    record Taps(int[] lo, int[] hi) {
        /** The number of taps of output position {@code o} inside the input. */
        int count(int o) {
            return hi[o] - lo[o];
        }
    }

    /** The window rows inside the input for each output row (the same in every plane). */
    Taps rowTaps() {
        return taps(outH(), strideH, padH, dilationH, kernelH, height);
    }

    /** The window columns inside the input for each output column. */
    Taps colTaps() {
        return taps(outW(), strideW, padW, dilationW, kernelW, width);
    }

    private static Taps taps(long outs, long stride, long pad, long dilation, long kernel, long size) {
        int[] lo = new int[Math.toIntExact(outs)], hi = new int[lo.length];
        for (int o = 0; o < lo.length; o++) {
            long start = o * stride - pad;
            lo[o] = (int) firstInside(start, dilation, kernel);
            hi[o] = (int) Math.max(lo[o], endInside(start, dilation, kernel, size));
        }
        return new Taps(lo, hi);
    }

    /** The first tap of a window starting at {@code start} (taps {@code dilation} apart) at or after 0. */
    private static long firstInside(long start, long dilation, long taps) {
        return start >= 0 ? 0 : Math.min(taps, ceilDiv(-start, dilation));
    }

    /** One past the last tap of a window starting at {@code start} below {@code size}. */
    private static long endInside(long start, long dilation, long taps, long size) {
        return Math.max(0, Math.min(taps, Math.floorDiv(size - 1 - start, dilation) + 1));
    }

    /** The first output column whose tap {@code j} lands inside the input (left of it, the tap reads padding). */
    long firstInsideW(long j) {
        return clampOut(ceilDiv(padW - j * dilationW, strideW), outW());
    }

    /** One past the last output column whose tap {@code j} lands inside the input. */
    long endInsideW(long j) {
        return clampOut(Math.floorDiv(width - 1 + padW - j * dilationW, strideW) + 1, outW());
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static long clampOut(long v, long n) {
        return Math.max(0, Math.min(n, v));
    }
}
