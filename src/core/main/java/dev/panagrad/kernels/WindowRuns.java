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
     * One window tap of max pooling over a run of output columns: for c in [c0, c1), the input at
     * {@code plane[base + c*stride]} replaces {@code y[yOff + c]} (and its position {@code indices[yOff + c]})
     * when larger or NaN, as PyTorch picks maxima. Visiting the taps one by one, each over every column, keeps the
     * inner loop long; the plane and the outputs are heap copies, as taps jump around.
     */
    static void maxPoolTap(double[] plane, int base, int stride, int c0, int c1, double[] y, long[] indices, int yOff) {
        for (int c = c0; c < c1; c++) {
            int at = base + c * stride;
            double v = plane[at], m = y[yOff + c];
            // selects rather than a branch: which tap wins is data-dependent and mispredicts often
            boolean wins = v > m | v != v;
            y[yOff + c] = wins ? v : m;
            indices[yOff + c] = wins ? at : indices[yOff + c];
        }
    }
}
