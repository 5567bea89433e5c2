package dev.panagrad.kernels;

import dev.panagrad.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The short strided runs that the sliding-window kernels move (a row of a window, tens of elements): plain
 * loops with the element type chosen once per run, cheaper than a general kernel call per run.
 */
final class WindowRuns {
    private WindowRuns() {}

    // Tensor storage is aligned; the unaligned layouts spare a per-access alignment check in these short loops.
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** {@code dst[d + k] = src[s + k*stride]} for k in [0, n). */
    static void copy(DType dt, MemorySegment src, long s, long stride, MemorySegment dst, long d, long n) {
        switch (dt) {
            case FLOAT32 -> {
                for (long k = 0; k < n; k++) {
                    dst.setAtIndex(F32, d + k, src.getAtIndex(F32, s + k * stride));
                }
            }
            case FLOAT64 -> {
                for (long k = 0; k < n; k++) {
                    dst.setAtIndex(F64, d + k, src.getAtIndex(F64, s + k * stride));
                }
            }
            default -> {
                for (long k = 0; k < n; k++) Access.store(dt, dst, d + k, Access.load(dt, src, s + k * stride));
            }
        }
    }

    /** {@code dst[d + k*dstStride] += src[s + k*srcStride]} for k in [0, n). */
    static void add(DType dt, MemorySegment src, long s, long srcStride, MemorySegment dst, long d, long dstStride,
                    long n) {
        switch (dt) {
            case FLOAT32 -> {
                for (long k = 0; k < n; k++) {
                    long t = d + k * dstStride;
                    dst.setAtIndex(F32, t, dst.getAtIndex(F32, t)
                            + src.getAtIndex(F32, s + k * srcStride));
                }
            }
            case FLOAT64 -> {
                for (long k = 0; k < n; k++) {
                    long t = d + k * dstStride;
                    dst.setAtIndex(F64, t, dst.getAtIndex(F64, t)
                            + src.getAtIndex(F64, s + k * srcStride));
                }
            }
            default -> {
                for (long k = 0; k < n; k++) {
                    long t = d + k * dstStride;
                    Access.store(dt, dst, t, Access.load(dt, dst, t) + Access.load(dt, src, s + k * srcStride));
                }
            }
        }
    }

    /** {@code dst[d + k] = 0} for k in [0, n). */
    static void zero(DType dt, MemorySegment dst, long d, long n) {
        if (n > 0) dst.asSlice(d * dt.byteSize(), n * dt.byteSize()).fill((byte) 0);
    }

    /**
     * One output row of max pooling: for each output column c, the maximum over {@code rows} window rows starting
     * at {@code rowStart} ({@code dilationH * width} apart) and the inside taps {@code colTaps} of column c, as
     * PyTorch picks it (a larger value or any NaN replaces the current one); writes the value to
     * {@code y[yOff + c]} and its position within the plane to {@code indices[yOff + c]}. The plane and the
     * outputs are heap copies: window taps jump around, and array reads cost less there than segment reads.
     */
    static void maxPoolRow(Window2d w, double[] plane, long rowStart, int rows, Window2d.Taps colTaps,
                           double[] y, long[] indices, int yOff) {
        long rowStep = w.dilationH() * w.width(), sw = w.strideW(), pw = w.padW(), dw = w.dilationW();
        int[] lo = colTaps.lo(), hi = colTaps.hi();
        for (int c = 0; c < lo.length; c++) {
            int first = (int) (rowStart + c * sw - pw + lo[c] * dw), best = first;
            int cols = hi[c] - lo[c];
            double m = plane[first];
            for (int i = 0; i < rows; i++) {
                int at = (int) (first + i * rowStep);
                for (int j = 0; j < cols; j++, at += (int) dw) {
                    double v = plane[at];
                    if (v > m || v != v) {
                        m = v;
                        best = at;
                    }
                }
            }
            y[yOff + c] = m;
            indices[yOff + c] = best;
        }
    }
}
