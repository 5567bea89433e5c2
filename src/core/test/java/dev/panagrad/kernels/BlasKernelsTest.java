package dev.panagrad.kernels;

import dev.panagrad.DType;
import dev.panagrad.blas.OpenBlas;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BlasKernelsTest {

    private static final Arena ARENA = Arena.ofAuto();
    private final Kernels blas = new BlasKernels();
    private final Kernels ref = new ScalarKernels();

    @BeforeAll
    static void loaded() {
        assumeTrue(BlasKernels.available(), BlasKernels.unavailableReason());
    }

    private static MemorySegment random(DType dt, long elems, long seed) {
        MemorySegment s = ARENA.allocate(Math.max(1, elems) * dt.byteSize(), 64);
        Random rnd = new Random(seed);
        for (long i = 0; i < elems; i++) Access.store(dt, s, i, rnd.nextInt(9) - 4 + rnd.nextDouble());
        return s;
    }

    private static MemorySegment copy(MemorySegment s) {
        MemorySegment c = ARENA.allocate(s.byteSize(), 64);
        c.copyFrom(s);
        return c;
    }

    private void compare(DType dt, boolean ta, boolean tb, long m, long n, long k,
                         MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                         MemorySegment c, long cOff, long ldc, double beta) {
        compare(false, dt, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, beta);
    }

    /**
     * Runs gemm (or gemmSerial) on BLAS and gemm on the reference into copies of the same C and compares every
     * element of C's segment.
     */
    private void compare(boolean serial, DType dt, boolean ta, boolean tb, long m, long n, long k,
                         MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                         MemorySegment c, long cOff, long ldc, double beta) {
        MemorySegment c1 = copy(c), c2 = copy(c);
        if (serial) blas.gemmSerial(dt, ta, tb, m, n, k, 0.75, a, aOff, lda, b, bOff, ldb, beta, c1, cOff, ldc);
        else blas.gemm(dt, ta, tb, m, n, k, 0.75, a, aOff, lda, b, bOff, ldb, beta, c1, cOff, ldc);
        ref.gemm(dt, ta, tb, m, n, k, 0.75, a, aOff, lda, b, bOff, ldb, beta, c2, cOff, ldc);
        double tol = dt == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (long i = 0; i < c.byteSize() / dt.byteSize(); i++) {
            double want = Access.load(dt, c2, i), got = Access.load(dt, c1, i);
            assertEquals(want, got, tol * Math.max(1, Math.abs(want)) * Math.max(1, k),
                    dt + " ta=" + ta + " tb=" + tb + " m=" + m + " n=" + n + " k=" + k + ": element " + i);
        }
    }

    @Test
    void gemmMatchesReferenceForFloatTypesTransposesAndOffsets() {
        long[][] sizes = {{1, 1, 1}, {3, 4, 5}, {16, 17, 15}, {33, 8, 70}, {1, 40, 3}, {40, 1, 3}};
        for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            for (long[] s : sizes) {
                long m = s[0], n = s[1], k = s[2];
                for (boolean ta : new boolean[]{false, true}) {
                    for (boolean tb : new boolean[]{false, true}) {
                        long lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                        MemorySegment a = random(dt, 3 + (ta ? k : m) * lda, m * 7 + k);
                        MemorySegment b = random(dt, 1 + (tb ? n : k) * ldb, n * 5 + k);
                        MemorySegment c = random(dt, 2 + m * ldc, m + n);
                        compare(dt, ta, tb, m, n, k, a, 3, lda, b, 1, ldb, c, 2, ldc, 0.5);
                        compare(dt, ta, tb, m, n, k, a, 3, lda, b, 1, ldb, c, 2, ldc, 0);
                    }
                }
            }
        }
    }

    @Test
    void degenerateLeadingDimensionsOfSingleRowsAreFixedUp() {
        // A is one row [1, 6] passed with lda = 0 (a caller may give any stride for a size-1 dimension);
        // C is one row too. BLAS requires ld >= cols, so the kernel substitutes a valid one.
        DType dt = DType.FLOAT32;
        MemorySegment a = random(dt, 6, 1), b = random(dt, 6 * 4, 2), c = random(dt, 4, 3);
        compare(dt, false, false, 1, 4, 6, a, 0, 0, b, 0, 4, c, 0, 0, 0);
        // Transposed B stored [n, k] = [1, 6] with ldb = 1.
        MemorySegment b1 = random(dt, 6, 4), c1 = random(dt, 5, 5), a5 = random(dt, 30, 6);
        compare(dt, false, true, 5, 1, 6, a5, 0, 6, b1, 0, 1, c1, 0, 1, 0);
    }

    @Test
    void layoutsBlasCannotExpressFallBack() {
        DType dt = DType.FLOAT64;
        // B broadcast over its rows (ldb = 0): every row of B is the same 3 values.
        MemorySegment a = random(dt, 4 * 5, 7), b = random(dt, 3, 8), c = random(dt, 4 * 3, 9);
        compare(dt, false, false, 4, 3, 5, a, 0, 5, b, 0, 0, c, 0, 3, 1);
        // k = 0: C = beta * C.
        compare(dt, false, false, 4, 3, 0, a, 0, 1, b, 0, 3, c, 0, 3, 2);
        // Heap segments cannot go to a plain downcall: the Java loop handles them.
        MemorySegment ha = MemorySegment.ofArray(new double[20]), hc = MemorySegment.ofArray(new double[12]);
        for (int i = 0; i < 20; i++) Access.store(dt, ha, i, i * 0.5);
        MemorySegment hb = random(dt, 15, 10);
        blas.gemm(dt, false, false, 4, 3, 5, 1, ha, 0, 5, hb, 0, 3, 0, hc, 0, 3);
        MemorySegment want = MemorySegment.ofArray(new double[12]);
        ref.gemm(dt, false, false, 4, 3, 5, 1, ha, 0, 5, hb, 0, 3, 0, want, 0, 3);
        // The fallback is the Vector API GEMM, whose summation order differs from the reference loop.
        assertArrayEquals(want.toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE),
                hc.toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE), 1e-12);
    }

    @Test
    void otherDtypesUseTheReferenceLoop() {
        DType dt = DType.INT64;
        MemorySegment a = ARENA.allocate(6 * 8), b = ARENA.allocate(6 * 8), c = ARENA.allocate(4 * 8);
        for (int i = 0; i < 6; i++) {
            Access.store(dt, a, i, i + 1);   // [[1, 2, 3], [4, 5, 6]]
            Access.store(dt, b, i, 1);       // ones [3, 2]
        }
        blas.gemm(dt, false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2);
        assertArrayEquals(new long[]{6, 6, 15, 15}, c.toArray(java.lang.foreign.ValueLayout.JAVA_LONG));
    }

    @Test
    void largeProductsSplitOverTheLibraryThreadsWhileOpenBlasStaysSingleThreaded() {
        int original = Parallel.threads();
        try {
            Parallel.setThreads(2);
            // 2 x 2^21 multiply-adds or more, so both shapes split: by rows (m >= n), then by columns, into
            // blocks that are not multiples of 16 at the end, with transposes, offsets and padded strides.
            long[][] sizes = {{203, 40, 600}, {40, 203, 600}};
            for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
                for (long[] s : sizes) {
                    long m = s[0], n = s[1], k = s[2];
                    for (boolean ta : new boolean[]{false, true}) {
                        for (boolean tb : new boolean[]{false, true}) {
                            long lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1;
                            MemorySegment a = random(dt, 5 + (ta ? k : m) * lda, m + k);
                            MemorySegment b = random(dt, 3 + (tb ? n : k) * ldb, n + 3 * k);
                            MemorySegment c = random(dt, 1 + m * ldc, m * n);
                            compare(dt, ta, tb, m, n, k, a, 5, lda, b, 3, ldb, c, 1, ldc, 0.5);
                        }
                    }
                }
            }
            assertEquals(1, OpenBlas.threads());
        } finally {
            Parallel.setThreads(original);
        }
    }

    @Test
    void gemmSerialComputesWholeProductsAndFallsBackLikeGemm() {
        // 203 x 40 x 600 is a product gemm cuts into blocks; gemmSerial takes it whole, on the calling thread
        for (DType dt : new DType[]{DType.FLOAT32, DType.FLOAT64}) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    long m = 203, n = 40, k = 600, lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1;
                    MemorySegment a = random(dt, 5 + (ta ? k : m) * lda, m + k);
                    MemorySegment b = random(dt, 3 + (tb ? n : k) * ldb, n + 3 * k);
                    MemorySegment c = random(dt, 1 + m * ldc, m * n);
                    compare(true, dt, ta, tb, m, n, k, a, 5, lda, b, 3, ldb, c, 1, ldc, 0.5);
                }
            }
        }
        // what OpenBLAS cannot take goes to the Java kernels: a broadcast B (ldb = 0), k = 0, int64
        DType dt = DType.FLOAT64;
        MemorySegment a = random(dt, 4 * 5, 7), b = random(dt, 3, 8), c = random(dt, 4 * 3, 9);
        compare(true, dt, false, false, 4, 3, 5, a, 0, 5, b, 0, 0, c, 0, 3, 1);
        compare(true, dt, false, false, 4, 3, 0, a, 0, 1, b, 0, 3, c, 0, 3, 2);
        MemorySegment ia = ARENA.allocate(6 * 8), ib = ARENA.allocate(6 * 8), ic = ARENA.allocate(4 * 8);
        for (int i = 0; i < 6; i++) {
            Access.store(DType.INT64, ia, i, i + 1);   // [[1, 2, 3], [4, 5, 6]]
            Access.store(DType.INT64, ib, i, 1);       // ones [3, 2]
        }
        blas.gemmSerial(DType.INT64, false, false, 2, 2, 3, 1, ia, 0, 3, ib, 0, 2, 0, ic, 0, 2);
        assertArrayEquals(new long[]{6, 6, 15, 15}, ic.toArray(java.lang.foreign.ValueLayout.JAVA_LONG));
    }

    @Test
    void blasLdRules() {
        assertEquals(5, BlasKernels.blasLd(5, 3, 4));    // padded rows: kept
        assertEquals(4, BlasKernels.blasLd(0, 1, 4));    // one row: any stride works, use cols
        assertEquals(1, BlasKernels.blasLd(0, 1, 0));    // empty row: BLAS still wants >= 1
        assertEquals(-1, BlasKernels.blasLd(0, 3, 4));   // broadcast rows: not expressible
        assertEquals(-1, BlasKernels.blasLd(2, 3, 4));   // overlapping rows
    }
}
