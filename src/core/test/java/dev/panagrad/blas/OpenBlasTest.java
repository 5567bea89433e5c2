package dev.panagrad.blas;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OpenBlasTest {

    private static final Arena ARENA = Arena.ofAuto();

    @BeforeAll
    static void loaded() {
        // The build bundles OpenBLAS, so a default run must find it; say why when it does not.
        String mode = System.getProperty("panagrad.blas", "");
        if (mode.isEmpty() || mode.equals("bundled")) assertTrue(OpenBlas.available(), OpenBlas.status());
        assumeTrue(OpenBlas.available(), OpenBlas.status());
    }

    // ---------------------------------------------------------------------------------------------
    // Loading

    @Test
    void loaderFindsTheBundledLibrary() {
        String mode = System.getProperty("panagrad.blas", "");
        assumeTrue(mode.isEmpty() || mode.equals("bundled"), "runs only with the bundled library");
        String from = OpenBlas.loadedFrom();
        assertTrue(from.startsWith("bundled jar "), from);
        assertTrue(from.contains("openblas-"), from);
        Path lib = Path.of(from.substring(from.lastIndexOf(" via ") + 5).split(" ")[0]);
        assertTrue(Files.isRegularFile(lib), "cached library missing: " + lib);
        for (String dep : NativeLibraries.LOAD_ORDER) {
            assertTrue(Files.isRegularFile(lib.resolveSibling(dep)), "runtime library missing: " + dep);
        }
        assertTrue(OpenBlas.version().startsWith("0.3."), OpenBlas.version());
        assertTrue(OpenBlas.config().startsWith("OpenBLAS " + OpenBlas.version()), OpenBlas.config());
        assertFalse(OpenBlas.coreName().isBlank());
        assertNull(OpenBlas.unavailableReason());
        String status = OpenBlas.status();
        assertTrue(status.contains(OpenBlas.version()) && status.contains(OpenBlas.coreName()), status);
    }

    @Test
    void extractionReusesOneFolderAndSurvivesConcurrentStarts(@org.junit.jupiter.api.io.TempDir Path cache)
            throws Exception {
        String old = System.getProperty("panagrad.blas.cache");
        System.setProperty("panagrad.blas.cache", cache.toString());
        try {
            List<Thread> threads = new ArrayList<>();
            List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 4; i++) {
                Thread t = new Thread(() -> {
                    try {
                        results.add(NativeLibraries.extractBundled());
                    } catch (Exception e) {
                        results.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
            for (Object r : results) assertInstanceOf(NativeLibraries.Extracted.class, r, String.valueOf(r));
            NativeLibraries.Extracted first = (NativeLibraries.Extracted) results.getFirst();
            for (Object r : results) assertEquals(first.folder(), ((NativeLibraries.Extracted) r).folder());
            assertTrue(first.folder().startsWith(cache), first.folder().toString());
            assertEquals(NativeLibraries.OPENBLAS, first.libraries().getLast().getFileName().toString());
            try (var files = Files.list(first.folder())) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(NativeLibraries.LOAD_ORDER.stream().sorted().toList(), names, "no temporary files left");
            }
            // A second start reuses the files as they are.
            long before = Files.getLastModifiedTime(first.libraries().getLast()).toMillis();
            NativeLibraries.Extracted again = NativeLibraries.extractBundled();
            assertEquals(first.libraries(), again.libraries());
            assertEquals(before, Files.getLastModifiedTime(again.libraries().getLast()).toMillis());
        } finally {
            if (old == null) System.clearProperty("panagrad.blas.cache");
            else System.setProperty("panagrad.blas.cache", old);
        }
    }

    @Test
    void threadCountRoundTrips() {
        int original = OpenBlas.threads();
        try {
            OpenBlas.setThreads(1);
            assertEquals(1, OpenBlas.threads());
            OpenBlas.setThreads(2);
            assertEquals(2, OpenBlas.threads());
        } finally {
            OpenBlas.setThreads(original);
        }
        assertEquals(original, OpenBlas.threads());
        assertThrows(IllegalArgumentException.class, () -> OpenBlas.setThreads(0));
    }

    // ---------------------------------------------------------------------------------------------
    // GEMM against a naive loop

    static Stream<Arguments> gemmCases() {
        int[][] sizes = {{1, 1, 1}, {2, 3, 4}, {5, 7, 3}, {17, 33, 65}, {64, 1, 128}, {1, 50, 9}};
        List<Arguments> out = new ArrayList<>();
        for (int[] s : sizes) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    out.add(Arguments.of(ta, tb, s[0], s[1], s[2]));
                }
            }
        }
        return out.stream();
    }

    /** A stored matrix: [rows, cols] with row stride ld, starting at element off of seg. */
    record Mat(MemorySegment seg, long off, int rows, int cols, int ld) {}

    private static Mat mat(boolean dbl, int rows, int cols, int pad, long off, Random rnd) {
        int ld = cols + pad;
        long elems = off + (long) rows * ld;
        MemorySegment seg = ARENA.allocate(elems * (dbl ? 8 : 4), 64);
        for (long i = 0; i < elems; i++) {
            double v = rnd.nextInt(17) - 8 + rnd.nextDouble();
            if (dbl) seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            else seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        }
        return new Mat(seg, off, rows, cols, ld);
    }

    private static double get(Mat x, boolean dbl, long r, long c) {
        long i = x.off + r * x.ld + c;
        return dbl ? x.seg.getAtIndex(ValueLayout.JAVA_DOUBLE, i) : x.seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    /** C = alpha * op(A) op(B) + beta * C in double, as the reference. */
    private static double[] naive(boolean dbl, boolean ta, boolean tb, int m, int n, int k, double alpha,
                                  Mat a, Mat b, double beta, Mat c) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    acc += (ta ? get(a, dbl, p, i) : get(a, dbl, i, p)) * (tb ? get(b, dbl, j, p) : get(b, dbl, p, j));
                }
                out[i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * get(c, dbl, i, j));
            }
        }
        return out;
    }

    private void checkGemm(boolean dbl, boolean ta, boolean tb, int m, int n, int k) {
        Random rnd = new Random(31L * m + 7L * n + k + (ta ? 1000 : 0) + (tb ? 2000 : 0));
        // Odd offsets and padded rows, so that offsets and leading dimensions are really used.
        Mat a = ta ? mat(dbl, k, m, 3, 5, rnd) : mat(dbl, m, k, 3, 5, rnd);
        Mat b = tb ? mat(dbl, n, k, 1, 2, rnd) : mat(dbl, k, n, 1, 2, rnd);
        Mat c = mat(dbl, m, n, 2, 7, rnd);
        double alpha = 1.5, beta = -0.5;
        double[] want = naive(dbl, ta, tb, m, n, k, alpha, a, b, beta, c);
        MemorySegment cBefore = ARENA.allocate(c.seg.byteSize());
        cBefore.copyFrom(c.seg);
        if (dbl) {
            OpenBlas.dgemm(ta, tb, m, n, k, alpha, a.seg, a.off, a.ld, b.seg, b.off, b.ld, beta, c.seg, c.off, c.ld);
        } else {
            OpenBlas.sgemm(ta, tb, m, n, k, (float) alpha, a.seg, a.off, a.ld, b.seg, b.off, b.ld, (float) beta,
                    c.seg, c.off, c.ld);
        }
        double tol = dbl ? 1e-12 : 2e-5;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double w = want[i * n + j], got = get(c, dbl, i, j);
                assertEquals(w, got, tol * Math.max(1, Math.abs(w)) * k, "C[" + i + "," + j + "]");
            }
        }
        // Padding and the elements before the offset are left alone.
        long elem = dbl ? 8 : 4;
        for (long idx = 0; idx < c.seg.byteSize() / elem; idx++) {
            long rel = idx - c.off;
            boolean inside = rel >= 0 && rel / c.ld < m && rel % c.ld < n;
            if (!inside) {
                assertEquals(dbl ? cBefore.getAtIndex(ValueLayout.JAVA_DOUBLE, idx) : cBefore.getAtIndex(ValueLayout.JAVA_FLOAT, idx),
                        dbl ? c.seg.getAtIndex(ValueLayout.JAVA_DOUBLE, idx) : c.seg.getAtIndex(ValueLayout.JAVA_FLOAT, idx),
                        "element " + idx + " outside C changed");
            }
        }
    }

    @ParameterizedTest(name = "sgemm transA={0} transB={1} m={2} n={3} k={4}")
    @MethodSource("gemmCases")
    void sgemmMatchesNaiveLoop(boolean ta, boolean tb, int m, int n, int k) {
        checkGemm(false, ta, tb, m, n, k);
    }

    @ParameterizedTest(name = "dgemm transA={0} transB={1} m={2} n={3} k={4}")
    @MethodSource("gemmCases")
    void dgemmMatchesNaiveLoop(boolean ta, boolean tb, int m, int n, int k) {
        checkGemm(true, ta, tb, m, n, k);
    }

    @Test
    void concurrentCallsFromSeveralThreadsAreCorrect() throws Exception {
        // Batched matmuls may call GEMM from pool threads while OpenBLAS runs its own threads.
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        int size = 20 + 20 * ((seed + i) % 5);
                        checkGemm((seed & 1) == 0, (i & 1) == 0, (i & 2) == 0, size, size + 3, size - 5);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.size() + " threads failed", errors.getFirst());
    }

    @Test
    void betaZeroIgnoresOldC() {
        // C holds NaN; with beta = 0 it must be overwritten, not propagated: [[1, 2]] @ [[3], [4]] = [[11]]
        MemorySegment a = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2);
        MemorySegment b = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 3, 4);
        MemorySegment c = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, Float.NaN);
        OpenBlas.sgemm(false, false, 1, 1, 2, 1f, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
        assertEquals(11f, c.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
    }

    @Test
    void emptyProductsTouchNothing() {
        MemorySegment c = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 5, 6);
        MemorySegment none = ARENA.allocate(0);
        // m = 0: nothing to compute, and the empty segments are fine.
        OpenBlas.dgemm(false, false, 0, 2, 3, 1, none, 0, 3, none, 0, 2, 0, none, 0, 2);
        // k = 0: C = beta * C; A and B are never read.
        OpenBlas.dgemm(false, false, 1, 2, 0, 1, none, 0, 1, none, 0, 2, 2, c, 0, 2);
        assertEquals(10.0, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
        assertEquals(12.0, c.getAtIndex(ValueLayout.JAVA_DOUBLE, 1));
    }

    // ---------------------------------------------------------------------------------------------
    // GEMV, AXPY, DOT

    @Test
    void gemvMatchesNaiveLoopBothWays() {
        // A = [[1, 2, 3], [4, 5, 6]] stored with lda = 4 (one padding column)
        MemorySegment a = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 2, 3, -1, 4, 5, 6, -1);
        MemorySegment x = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 0, 1, 0, 1);   // [1, 1, 1] with incx = 2
        MemorySegment y = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 10, 20);
        OpenBlas.dgemv(false, 2, 3, 1, a, 0, 4, x, 0, 2, 1, y, 0, 1);
        // y = A @ [1, 1, 1] + y = [6 + 10, 15 + 20]
        assertArrayEquals(new double[]{16, 35}, y.toArray(ValueLayout.JAVA_DOUBLE));

        MemorySegment xt = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2);
        MemorySegment af = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
        MemorySegment yt = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, Float.NaN, Float.NaN, Float.NaN);
        OpenBlas.sgemv(true, 2, 3, 2f, af, 0, 3, xt, 0, 1, 0f, yt, 0, 1);
        // y = 2 * A^T @ [1, 2] = 2 * [9, 12, 15]
        assertArrayEquals(new float[]{18, 24, 30}, yt.toArray(ValueLayout.JAVA_FLOAT));

        // x needs n = 3 elements at increment 2: (3 - 1) * 2 + 1 = 5 > 4
        var e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.dgemv(false, 2, 3, 1, a, 0, 4, ARENA.allocate(4 * 8), 0, 2, 1, y, 0, 1));
        assertTrue(e.getMessage().startsWith("dgemv: segment x is too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.dgemv(false, 2, 3, 1, a, 0, 4, x, 0, 0, 1, y, 0, 1));
        assertTrue(e.getMessage().contains("increments must not be 0"), e.getMessage());
    }

    @Test
    void axpyAndDotMatchNaiveLoop() {
        MemorySegment x = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4);
        MemorySegment y = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 10, 20, 30, 40);
        OpenBlas.saxpy(4, 2f, x, 0, 1, y, 0, 1);   // y += 2x
        assertArrayEquals(new float[]{12, 24, 36, 48}, y.toArray(ValueLayout.JAVA_FLOAT));
        // 1*12 + 2*24 + 3*36 + 4*48 = 360
        assertEquals(360f, OpenBlas.sdot(4, x, 0, 1, y, 0, 1));
        // Negative increment walks x backwards: [4, 3] . [12, 24] = 120
        assertEquals(120f, OpenBlas.sdot(2, x, 2, -1, y, 0, 1));

        MemorySegment xd = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 1, 2, 3);
        MemorySegment yd = ARENA.allocateFrom(ValueLayout.JAVA_DOUBLE, 0, 0, 0, 0, 0);
        OpenBlas.daxpy(3, -1, xd, 0, 1, yd, 0, 2);   // every other element of y
        assertArrayEquals(new double[]{-1, 0, -2, 0, -3}, yd.toArray(ValueLayout.JAVA_DOUBLE));
        assertEquals(-14.0, OpenBlas.ddot(3, xd, 0, 1, yd, 0, 2));
        assertEquals(0.0, OpenBlas.ddot(0, xd, 0, 1, yd, 0, 1));

        var e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.ddot(3, xd, 1, 1, yd, 0, 1));
        assertTrue(e.getMessage().startsWith("ddot: segment x is too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.daxpy(3, 1, xd, 0, 1, yd, 0, 3));
        assertTrue(e.getMessage().startsWith("daxpy: segment y is too small"), e.getMessage());
    }
}
