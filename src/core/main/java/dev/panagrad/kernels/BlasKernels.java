package dev.panagrad.kernels;

import dev.panagrad.DType;
import dev.panagrad.blas.OpenBlas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Sends float32 and float64 GEMM to OpenBLAS; everything else (other dtypes, layouts BLAS cannot express,
 * heap segments, sizes beyond {@code int}) runs as in {@link VectorKernels}.
 *
 * <p>OpenBLAS runs single-threaded inside each call; a large product is split into a grid of blocks of C fixed
 * by its shape ({@link GemmBlocks#split}), or, when C is small and the depth long, into parts of the depth
 * ({@link GemmBlocks#depthParts}), one OpenBLAS call per block or part, run on the library's own threads
 * ({@link Parallel}), so the result does not depend on the thread count. Two thread pools on the same cores
 * would fight: OpenBLAS's workers spin for a while after each call, stealing the cores the library's next
 * (elementwise) op wants.
 *
 * <pre>{@code
 * Kernels k = new BlasKernels();
 * // c[2x4] = a[2x3] @ b[3x4], all row-major and contiguous
 * k.gemm(DType.FLOAT32, false, false, 2, 4, 3, 1.0, a, 0, 3, b, 0, 4, 0.0, c, 0, 4);
 * }</pre>
 */
public class BlasKernels extends VectorKernels {
    @Override
    public String name() {
        return "blas";
    }

    private static final class Loaded {
        static final boolean AVAILABLE = init();

        private static boolean init() {
            if (!OpenBlas.available()) return false;
            OpenBlas.setThreads(1);
            return true;
        }
    }

    /** True when OpenBLAS loaded (the first call loads it and makes each of its calls single-threaded). */
    static boolean available() {
        return Loaded.AVAILABLE;
    }

    static String unavailableReason() {
        String why = OpenBlas.unavailableReason();
        return why == null ? "available" : why;
    }

    /** Blocks of C handed to one OpenBLAS call are a multiple of this many rows and columns (its register tiles divide it). */
    private static final int SPLIT_UNIT = 16;

    /**
     * OpenBLAS blocks may be as small as 64 x 64 and 2^19 multiply-adds: with the library's spinning workers a
     * region costs a few microseconds, so a 128^3 product gains from four blocks on two cores (36 -> 15 us),
     * while finer limits lose to re-packing.
     */
    static final GemmBlocks.GridLimits BLAS_GRID = new GemmBlocks.GridLimits(64, 1L << 19);

    @Override
    public void gemm(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                     MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                     double beta, MemorySegment c, long cOff, long ldc) {
        if (!blas(true, dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
            super.gemm(dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    @Override
    public void gemmSerial(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                           MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                           double beta, MemorySegment c, long cOff, long ldc) {
        if (!blas(false, dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
            super.gemmSerial(dt, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * The product through OpenBLAS, split over the threads (into blocks of C, or into parts of the depth when
     * C is small and the depth long: {@link GemmBlocks#depthParts}) or as one call; false (nothing done) when
     * OpenBLAS cannot take it.
     */
    private boolean blas(boolean split, DType dt, boolean transA, boolean transB, long m, long n, long k,
                         double alpha, MemorySegment a, long aOff, long lda, MemorySegment b, long bOff,
                         long ldb, double beta, MemorySegment c, long cOff, long ldc) {
        // k == 0 (C = beta * C) and empty outputs are left to the reference loop: nothing to gain from BLAS.
        if ((dt != DType.FLOAT32 && dt != DType.FLOAT64) || m <= 0 || n <= 0 || k <= 0
                || !a.isNative() || !b.isNative() || !c.isNative() || !available()) {
            return false;
        }
        long la = blasLd(lda, transA ? k : m, transA ? m : k);
        long lb = blasLd(ldb, transB ? n : k, transB ? k : n);
        long lc = blasLd(ldc, m, n);
        if (la <= 0 || lb <= 0 || lc <= 0 || !fitsInt(m, n, k, la, lb, lc)) return false;
        int parts = split ? GemmBlocks.depthParts(m, n, k, BLAS_GRID) : 1;
        if (parts > 1) {
            depthSplit(parts, dt, transA, transB, m, n, k, alpha, a, aOff, la, b, bOff, lb, beta, c, cOff, lc);
            return true;
        }
        GemmBlocks.BlockBody block = (i0, i1, j0, j1) -> call(dt, transA, transB, i1 - i0, j1 - j0, k, alpha, a,
                aOff + (transA ? i0 : i0 * la), la, b, bOff + (transB ? j0 * lb : j0), lb, beta, c, cOff + i0 * lc + j0,
                lc);
        if (split) GemmBlocks.split(m, n, k, SPLIT_UNIT, SPLIT_UNIT, BLAS_GRID, block);
        else block.run(0, m, 0, n);
        return true;
    }

    /**
     * C = alpha op(A) op(B) + beta C with the depth cut into {@code parts}: the first part's product goes into C
     * (with beta), each other part's into its own partial C, and the partials are then added into C in part
     * order, so the result does not depend on which thread ran which part.
     */
    private void depthSplit(int parts, DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                            MemorySegment a, long aOff, long la, MemorySegment b, long bOff, long lb, double beta,
                            MemorySegment c, long cOff, long lc) {
        long size = m * n;
        MemorySegment partials = partials((parts - 1) * size * dt.byteSize());
        Parallel.forRange(parts, 1, (lo, hi) -> {
            for (long q = lo; q < hi; q++) {
                long p0 = k * q / parts, depth = k * (q + 1) / parts - p0;
                long ao = aOff + (transA ? p0 * la : p0), bo = bOff + (transB ? p0 : p0 * lb);
                if (q == 0) call(dt, transA, transB, m, n, depth, alpha, a, ao, la, b, bo, lb, beta, c, cOff, lc);
                else call(dt, transA, transB, m, n, depth, alpha, a, ao, la, b, bo, lb, 0, partials, (q - 1) * size, n);
            }
        });
        for (long q = 1; q < parts; q++) {
            for (long i = 0; i < m; i++) {
                long row = cOff + i * lc;
                binary(BinaryOp.ADD, dt, c, row, 1, partials, (q - 1) * size + i * n, 1, c, row, 1, n);
            }
        }
    }

    /**
     * This thread's buffer for the partial products of a depth split, at least {@code bytes} long; kept for the
     * thread's life (C is under 256 x 256, so at most the grid's cap less one such products of doubles).
     */
    private static MemorySegment partials(long bytes) {
        MemorySegment held = PARTIALS.get();
        if (held.byteSize() < bytes) {
            held = Arena.ofAuto().allocate(Math.max(bytes, 2 * held.byteSize()), 64);
            PARTIALS.set(held);
        }
        return held;
    }

    private static final ThreadLocal<MemorySegment> PARTIALS = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /** One OpenBLAS call, on this thread. */
    private static void call(DType dt, boolean transA, boolean transB, long m, long n, long k, double alpha,
                             MemorySegment a, long aOff, long la, MemorySegment b, long bOff, long lb, double beta,
                             MemorySegment c, long cOff, long lc) {
        if (dt == DType.FLOAT32) {
            OpenBlas.sgemm(transA, transB, (int) m, (int) n, (int) k, (float) alpha, a, aOff, (int) la, b, bOff,
                    (int) lb, (float) beta, c, cOff, (int) lc);
        } else {
            OpenBlas.dgemm(transA, transB, (int) m, (int) n, (int) k, alpha, a, aOff, (int) la, b, bOff, (int) lb,
                    beta, c, cOff, (int) lc);
        }
    }

    /**
     * A row stride BLAS accepts for a matrix stored as [rows, cols], or -1 when there is none. BLAS wants
     * {@code ld >= max(1, cols)}; a single row never uses its stride, so any given value is replaced.
     * Overlapping rows (e.g. a broadcast with stride 0) cannot be expressed.
     */
    static long blasLd(long ld, long rows, long cols) {
        long min = Math.max(1, cols);
        if (rows <= 1) return min;
        return ld >= min ? ld : -1;
    }

    private static boolean fitsInt(long... values) {
        for (long v : values) if (v > Integer.MAX_VALUE) return false;
        return true;
    }
}
