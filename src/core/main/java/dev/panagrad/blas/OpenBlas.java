package dev.panagrad.blas;

import dev.panagrad.blas.cblas.cblas_h;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenBLAS through the jextract-generated bindings: loads the library once, reports where it came from, and
 * offers row-major GEMM, GEMV, AXPY and DOT wrappers that check every index against the segments before the
 * native call, so that a wrong size throws {@link IllegalArgumentException} instead of corrupting memory.
 *
 * <p>Where the library comes from is chosen with {@code -Dpanagrad.blas}:
 * <ul>
 *   <li>unset or {@code bundled}: the copy inside the {@code org.bytedeco:openblas} jar (class path or module
 *       path), copied once into a private cache folder ({@code -Dpanagrad.blas.cache}, else
 *       {@code ~/.cache/panagrad}) and loaded by absolute path with its runtime libraries;</li>
 *   <li>{@code system}: whatever {@code libopenblas.so.0} the dynamic linker finds;</li>
 *   <li>a path such as {@code /opt/openblas/lib/libopenblas.so.0}: that file (its soname must be
 *       {@code libopenblas.so.0});</li>
 *   <li>{@code none}: OpenBLAS is not used.</li>
 * </ul>
 * Nothing is downloaded. When loading fails, {@link #available()} is false, {@link #status()} says why, and
 * one warning is logged to the {@link System.Logger} {@code dev.panagrad.blas} (by default a
 * {@code java.util.logging} logger of that name).
 *
 * <p>Offsets and leading dimensions are counted in elements; all matrices are row-major.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment a = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4);   // [[1, 2], [3, 4]]
 *     MemorySegment b = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 5, 6, 7, 8);   // [[5, 6], [7, 8]]
 *     MemorySegment c = arena.allocate(ValueLayout.JAVA_FLOAT, 4);
 *     if (OpenBlas.available()) {
 *         OpenBlas.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
 *         // c = a @ b = [[19, 22], [43, 50]]
 *     }
 *     System.out.println(OpenBlas.status());
 * }
 * }</pre>
 */
public final class OpenBlas {
    private OpenBlas() {}

    private static final System.Logger LOG = System.getLogger("dev.panagrad.blas");
    private static final Object THREAD_LOCK = new Object();

    /** The outcome of loading, fixed at first use. */
    private record State(String problem, String loadedFrom, String config, String coreName, String version) {
        boolean available() {
            return problem == null;
        }
    }

    private static final class Holder {
        static final State STATE = load();
    }

    // ---------------------------------------------------------------------------------------------
    // Loading

    private static State load() {
        String wanted = System.getProperty("panagrad.blas", "").trim();
        State state;
        try {
            state = loadFrom(wanted);
        } catch (Exception | LinkageError e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof ExceptionInInitializerError && e.getCause() != null) msg = e.getCause().toString();
            state = new State(msg, null, null, null, null);
        }
        if (state.available()) {
            State loaded = state;
            LOG.log(System.Logger.Level.DEBUG, () -> "panagrad: " + describe(loaded));
        } else {
            // the kernel selection's single INFO line carries this reason; no second line by default
            LOG.log(System.Logger.Level.DEBUG, "panagrad: OpenBLAS unavailable: " + state.problem);
        }
        return state;
    }

    private static State loadFrom(String wanted) throws IOException {
        SymbolLookup lookup;
        String from;
        switch (wanted) {
            case "none" -> {
                return new State("disabled by -Dpanagrad.blas=none", null, null, null, null);
            }
            case "", "bundled" -> {
                NativeLibraries.Extracted libs;
                try {
                    libs = NativeLibraries.extractBundled();
                } catch (IOException e) {
                    return new State("bundled OpenBLAS not found: " + e.getMessage(), null, null, null, null);
                }
                // Runtime libraries first, so that libopenblas's dependencies resolve to these copies.
                lookup = null;
                for (Path lib : libs.libraries()) {
                    try {
                        lookup = SymbolLookup.libraryLookup(lib, Arena.global());
                    } catch (IllegalArgumentException e) {
                        return new State("cannot load " + lib + " (copied from the bundled jar " + libs.jar()
                                + "): " + e.getMessage() + "; if its folder is on a noexec file system, choose"
                                + " another with -Dpanagrad.blas.cache; if the copy is damaged, delete " + libs.folder(),
                                null, null, null, null);
                    }
                }
                from = "bundled jar " + libs.jar() + " via " + libs.libraries().getLast();
            }
            case "system" -> {
                try {
                    lookup = SymbolLookup.libraryLookup(NativeLibraries.OPENBLAS, Arena.global());
                } catch (IllegalArgumentException e) {
                    return new State("-Dpanagrad.blas=system: the dynamic linker finds no " + NativeLibraries.OPENBLAS
                            + " (install Debian's libopenblas0, or set LD_LIBRARY_PATH)", null, null, null, null);
                }
                from = "system";
            }
            default -> {
                if (!wanted.contains("/")) {
                    return new State("-Dpanagrad.blas: unknown value '" + wanted
                            + "'; expected bundled, system, none or a path to libopenblas.so.0", null, null, null, null);
                }
                Path file = Path.of(wanted).toAbsolutePath();
                if (!Files.isRegularFile(file)) {
                    return new State("-Dpanagrad.blas=" + wanted + ": no such file " + file, null, null, null, null);
                }
                try {
                    lookup = SymbolLookup.libraryLookup(file, Arena.global());
                } catch (IllegalArgumentException e) {
                    return new State("-Dpanagrad.blas=" + wanted + ": " + e.getMessage(), null, null, null, null);
                }
                from = "-Dpanagrad.blas=" + file;
            }
        }

        // The bindings open "libopenblas.so.0" by name; the dynamic linker answers with the library loaded
        // above (it matches the soname). Check that they really agree before trusting any call.
        MemorySegment ours = lookup.find("cblas_sgemm").orElse(null);
        if (ours == null) return new State(from + ": the library has no cblas_sgemm", null, null, null, null);
        long bound;
        try {
            bound = cblas_h.cblas_sgemm$address().address();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new State("the bindings cannot open " + NativeLibraries.OPENBLAS + " by name after loading " + from
                    + " (" + cause.getMessage() + "); the library's soname must be " + NativeLibraries.OPENBLAS,
                    null, null, null, null);
        }
        String file = mappedFile(ours.address());
        if (bound != ours.address()) {
            return new State("the bindings found " + NativeLibraries.OPENBLAS + " at " + mappedFile(bound)
                    + ", not the library loaded from " + from + " (" + file + "); its soname must be "
                    + NativeLibraries.OPENBLAS, null, null, null, null);
        }
        if (from.equals("system")) from = "system library " + (file != null ? file : NativeLibraries.OPENBLAS);
        else if (file != null && !from.contains(file)) from += " (" + file + ")";
        String config = cString(cblas_h.openblas_get_config());
        String core = cString(cblas_h.openblas_get_corename());
        Matcher m = Pattern.compile("OpenBLAS\\s+(\\d+\\.\\d+(?:\\.\\d+)?\\S*)").matcher(config);
        String version = m.find() ? m.group(1) : "unknown";
        return new State(null, from, config, core, version);
    }

    private static String cString(MemorySegment p) {
        if (p == null || p.address() == 0) return "";
        return p.reinterpret(Long.MAX_VALUE).getString(0).trim();
    }

    /** The file mapped at {@code address} according to /proc/self/maps, or null when unknown. */
    private static String mappedFile(long address) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return null;
        try {
            List<String> lines = Files.readAllLines(maps);
            for (String line : lines) {
                int dash = line.indexOf('-'), space = line.indexOf(' ');
                if (dash < 0 || space < dash) continue;
                long lo = Long.parseUnsignedLong(line, 0, dash, 16);
                long hi = Long.parseUnsignedLong(line, dash + 1, space, 16);
                if (Long.compareUnsigned(address, lo) >= 0 && Long.compareUnsigned(address, hi) < 0) {
                    int slash = line.indexOf('/');
                    return slash < 0 ? null : line.substring(slash);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static State state() {
        return Holder.STATE;
    }

    private static State require(String op) {
        State s = state();
        if (!s.available()) throw new IllegalStateException(op + ": OpenBLAS is not available: " + s.problem);
        return s;
    }

    private static String describe(State s) {
        String forced = System.getenv("OPENBLAS_CORETYPE");
        String core = forced == null || forced.isBlank() ? s.coreName : s.coreName + ", forced by OPENBLAS_CORETYPE=" + forced;
        return "OpenBLAS " + s.version + " (" + core + ") from " + s.loadedFrom + "; config: " + s.config;
    }

    // ---------------------------------------------------------------------------------------------
    // Status

    /** True when OpenBLAS loaded; the first call loads it. */
    public static boolean available() {
        return state().available();
    }

    /** Why OpenBLAS is unavailable, or null when it is available. */
    public static String unavailableReason() {
        return state().problem;
    }

    /**
     * One line for diagnostics: version, core and where the library was loaded from, or why it is unavailable,
     * e.g. {@code OpenBLAS 0.3.31 (Cooperlake) from bundled jar ...; config: OpenBLAS 0.3.31 DYNAMIC_ARCH ...}.
     */
    public static String status() {
        State s = state();
        return s.available() ? describe(s) : "OpenBLAS unavailable: " + s.problem;
    }

    /** Where the library was loaded from: the bundled jar and cache folder, the system library, or a path. */
    public static String loadedFrom() {
        return require("loadedFrom").loadedFrom;
    }

    /** The OpenBLAS version, e.g. {@code 0.3.31}. */
    public static String version() {
        return require("version").version;
    }

    /** {@code openblas_get_config()}: version and build options, e.g. {@code OpenBLAS 0.3.31 DYNAMIC_ARCH ...}. */
    public static String config() {
        return require("config").config;
    }

    /** {@code openblas_get_corename()}: the CPU kernels in use, e.g. {@code Cooperlake}. */
    public static String coreName() {
        return require("coreName").coreName;
    }

    /** Sets the number of threads OpenBLAS uses for one call. */
    public static void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("setThreads: need at least 1 thread, got " + threads);
        require("setThreads");
        synchronized (THREAD_LOCK) {
            cblas_h.openblas_set_num_threads(threads);
        }
    }

    /** The number of threads OpenBLAS uses for one call. */
    public static int threads() {
        require("threads");
        return cblas_h.openblas_get_num_threads();
    }

    // ---------------------------------------------------------------------------------------------
    // Level 3

    /**
     * Row-major {@code C = alpha * op(A) @ op(B) + beta * C} in float32, where op(A) is [m, k], op(B) is [k, n]
     * and C is [m, n]. A is stored as [m, k] (or [k, m] when {@code transA}) with row stride {@code lda},
     * starting at element {@code aOffElems} of {@code a}; likewise B and C. With {@code beta == 0} the old C is
     * not read.
     *
     * @throws IllegalArgumentException when a size, offset or leading dimension is invalid, a matrix does not
     *                                  fit in its segment, or a segment is on the Java heap
     * @throws IllegalStateException    when OpenBLAS is not available
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffElems, int lda, MemorySegment b, long bOffElems, int ldb,
                             float beta, MemorySegment c, long cOffElems, int ldc) {
        checkGemm("sgemm", Float.BYTES, transA, transB, m, n, k, a, aOffElems, lda, b, bOffElems, ldb, c, cOffElems, ldc);
        if (m == 0 || n == 0) return;
        require("sgemm");
        boolean product = k > 0;
        cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(), trans(transA), trans(transB), m, n, k, alpha,
                at(a, aOffElems, Float.BYTES, product), lda, at(b, bOffElems, Float.BYTES, product), ldb,
                beta, at(c, cOffElems, Float.BYTES, true), ldc);
    }

    /** {@link #sgemm} in float64. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             MemorySegment a, long aOffElems, int lda, MemorySegment b, long bOffElems, int ldb,
                             double beta, MemorySegment c, long cOffElems, int ldc) {
        checkGemm("dgemm", Double.BYTES, transA, transB, m, n, k, a, aOffElems, lda, b, bOffElems, ldb, c, cOffElems, ldc);
        if (m == 0 || n == 0) return;
        require("dgemm");
        boolean product = k > 0;
        cblas_h.cblas_dgemm(cblas_h.CblasRowMajor(), trans(transA), trans(transB), m, n, k, alpha,
                at(a, aOffElems, Double.BYTES, product), lda, at(b, bOffElems, Double.BYTES, product), ldb,
                beta, at(c, cOffElems, Double.BYTES, true), ldc);
    }

    // ---------------------------------------------------------------------------------------------
    // Level 2

    /**
     * Row-major {@code y = alpha * op(A) @ x + beta * y} in float32 with A stored as [m, n] (row stride
     * {@code lda}); x has n elements and y m (the other way round when {@code trans}), spaced {@code incx} and
     * {@code incy} apart (non-zero; a negative increment walks the vector backwards from its last element, as
     * in BLAS). When m or n is 0, nothing is touched.
     */
    public static void sgemv(boolean trans, int m, int n, float alpha, MemorySegment a, long aOffElems, int lda,
                             MemorySegment x, long xOffElems, int incx, float beta,
                             MemorySegment y, long yOffElems, int incy) {
        checkGemv("sgemv", Float.BYTES, trans, m, n, a, aOffElems, lda, x, xOffElems, incx, y, yOffElems, incy);
        if (m == 0 || n == 0) return;
        require("sgemv");
        cblas_h.cblas_sgemv(cblas_h.CblasRowMajor(), trans(trans), m, n, alpha, at(a, aOffElems, Float.BYTES, true), lda,
                at(x, xOffElems, Float.BYTES, true), incx, beta, at(y, yOffElems, Float.BYTES, true), incy);
    }

    /** {@link #sgemv} in float64. */
    public static void dgemv(boolean trans, int m, int n, double alpha, MemorySegment a, long aOffElems, int lda,
                             MemorySegment x, long xOffElems, int incx, double beta,
                             MemorySegment y, long yOffElems, int incy) {
        checkGemv("dgemv", Double.BYTES, trans, m, n, a, aOffElems, lda, x, xOffElems, incx, y, yOffElems, incy);
        if (m == 0 || n == 0) return;
        require("dgemv");
        cblas_h.cblas_dgemv(cblas_h.CblasRowMajor(), trans(trans), m, n, alpha, at(a, aOffElems, Double.BYTES, true), lda,
                at(x, xOffElems, Double.BYTES, true), incx, beta, at(y, yOffElems, Double.BYTES, true), incy);
    }

    // ---------------------------------------------------------------------------------------------
    // Level 1

    /** {@code y += alpha * x} over n float32 elements spaced incx and incy apart (0 repeats one element). */
    public static void saxpy(int n, float alpha, MemorySegment x, long xOffElems, int incx,
                             MemorySegment y, long yOffElems, int incy) {
        checkLevel1("saxpy", Float.BYTES, n, x, xOffElems, incx, y, yOffElems, incy, true);
        if (n == 0) return;
        require("saxpy");
        cblas_h.cblas_saxpy(n, alpha, at(x, xOffElems, Float.BYTES, true), incx, at(y, yOffElems, Float.BYTES, true), incy);
    }

    /** {@link #saxpy} in float64. */
    public static void daxpy(int n, double alpha, MemorySegment x, long xOffElems, int incx,
                             MemorySegment y, long yOffElems, int incy) {
        checkLevel1("daxpy", Double.BYTES, n, x, xOffElems, incx, y, yOffElems, incy, true);
        if (n == 0) return;
        require("daxpy");
        cblas_h.cblas_daxpy(n, alpha, at(x, xOffElems, Double.BYTES, true), incx, at(y, yOffElems, Double.BYTES, true), incy);
    }

    /** The dot product of n float32 elements of x and y, spaced incx and incy apart. */
    public static float sdot(int n, MemorySegment x, long xOffElems, int incx, MemorySegment y, long yOffElems, int incy) {
        checkLevel1("sdot", Float.BYTES, n, x, xOffElems, incx, y, yOffElems, incy, false);
        if (n == 0) return 0f;
        require("sdot");
        return cblas_h.cblas_sdot(n, at(x, xOffElems, Float.BYTES, true), incx, at(y, yOffElems, Float.BYTES, true), incy);
    }

    /** {@link #sdot} in float64. */
    public static double ddot(int n, MemorySegment x, long xOffElems, int incx, MemorySegment y, long yOffElems, int incy) {
        checkLevel1("ddot", Double.BYTES, n, x, xOffElems, incx, y, yOffElems, incy, false);
        if (n == 0) return 0d;
        require("ddot");
        return cblas_h.cblas_ddot(n, at(x, xOffElems, Double.BYTES, true), incx, at(y, yOffElems, Double.BYTES, true), incy);
    }

    // ---------------------------------------------------------------------------------------------
    // Argument checks: every element a call may touch must lie inside its segment.

    private static int trans(boolean t) {
        return t ? cblas_h.CblasTrans() : cblas_h.CblasNoTrans();
    }

    /** The address of element {@code off}; an untouched operand is passed as it is (BLAS will not read it). */
    private static MemorySegment at(MemorySegment s, long off, int elemBytes, boolean touched) {
        return touched ? s.asSlice(off * elemBytes) : s;
    }

    static void checkGemm(String op, int elemBytes, boolean transA, boolean transB, int m, int n, int k,
                          MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                          MemorySegment c, long cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": sizes must not be negative; got m=" + m + ", n=" + n + ", k=" + k);
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        checkLd(op, "lda", lda, "A", aRows, aCols, transA);
        checkLd(op, "ldb", ldb, "B", bRows, bCols, transB);
        checkLd(op, "ldc", ldc, "C", m, n, false);
        boolean product = m > 0 && n > 0 && k > 0;
        checkMatrix(op, "a", a, aOff, aRows, aCols, lda, elemBytes, product);
        checkMatrix(op, "b", b, bOff, bRows, bCols, ldb, elemBytes, product);
        checkMatrix(op, "c", c, cOff, m, n, ldc, elemBytes, m > 0 && n > 0);
        checkWritable(op, "c", c, m > 0 && n > 0);
    }

    static void checkGemv(String op, int elemBytes, boolean trans, int m, int n,
                          MemorySegment a, long aOff, int lda, MemorySegment x, long xOff, int incx,
                          MemorySegment y, long yOff, int incy) {
        if (m < 0 || n < 0) throw new IllegalArgumentException(op + ": sizes must not be negative; got m=" + m + ", n=" + n);
        checkLd(op, "lda", lda, "A", m, n, false);
        if (incx == 0 || incy == 0) {
            throw new IllegalArgumentException(op + ": increments must not be 0; got incx=" + incx + ", incy=" + incy);
        }
        boolean touched = m > 0 && n > 0;
        checkMatrix(op, "a", a, aOff, m, n, lda, elemBytes, touched);
        checkVector(op, "x", x, xOff, trans ? m : n, incx, elemBytes, touched);
        checkVector(op, "y", y, yOff, trans ? n : m, incy, elemBytes, touched);
        checkWritable(op, "y", y, touched);
    }

    static void checkLevel1(String op, int elemBytes, int n, MemorySegment x, long xOff, int incx,
                            MemorySegment y, long yOff, int incy, boolean writesY) {
        if (n < 0) throw new IllegalArgumentException(op + ": n must not be negative; got " + n);
        checkVector(op, "x", x, xOff, n, incx, elemBytes, n > 0);
        checkVector(op, "y", y, yOff, n, incy, elemBytes, n > 0);
        if (writesY) checkWritable(op, "y", y, n > 0);
    }

    private static void checkLd(String op, String name, int ld, String matrix, int rows, int cols, boolean trans) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": " + name + " too small: " + matrix + " is stored as ["
                    + rows + ", " + cols + "]" + (trans ? " (transposed)" : "") + " with " + name + "=" + ld
                    + "; need " + name + " >= max(1, " + cols + ")");
        }
    }

    private static void checkWritable(String op, String name, MemorySegment s, boolean touched) {
        if (touched && s.isReadOnly()) {
            throw new IllegalArgumentException(op + ": segment " + name + " is read-only, but the result is written to it");
        }
    }

    private static void checkSegment(String op, String name, MemorySegment s) {
        Objects.requireNonNull(s, () -> op + ": segment " + name + " is null");
        if (!s.isNative()) {
            throw new IllegalArgumentException(op + ": segment " + name + " is on the Java heap (" + s.byteSize()
                    + " bytes); OpenBLAS needs native memory: allocate it from an Arena or copy it into one");
        }
    }

    private static void checkMatrix(String op, String name, MemorySegment s, long off, int rows, int cols, int ld,
                                    int elemBytes, boolean touched) {
        checkSegment(op, name, s);
        if (!touched) return;
        String what = "[" + rows + ", " + cols + "] with ld=" + ld + " at element offset " + off;
        long last;
        try {
            last = Math.addExact(off, (rows - 1L) * ld + (cols - 1L));
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        checkRange(op, name, s, off, last, elemBytes, what);
    }

    private static void checkVector(String op, String name, MemorySegment s, long off, int len, int inc,
                                    int elemBytes, boolean touched) {
        checkSegment(op, name, s);
        if (!touched) return;
        String what = len + " elements with increment " + inc + " at element offset " + off;
        long last;
        try {
            last = Math.addExact(off, (len - 1L) * Math.abs((long) inc));
        } catch (ArithmeticException e) {
            last = Long.MAX_VALUE;
        }
        checkRange(op, name, s, off, last, elemBytes, what);
    }

    private static void checkRange(String op, String name, MemorySegment s, long off, long last, int elemBytes, String what) {
        if (off < 0) throw new IllegalArgumentException(op + ": " + name + ": offset must not be negative; got " + off);
        long have = s.byteSize() / elemBytes;
        if (last >= have) {
            String need = last == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(last + 1);
            throw new IllegalArgumentException(op + ": segment " + name + " is too small: " + what + " needs "
                    + need + " elements (" + (elemBytes == 4 ? "float32" : "float64") + "); the segment holds "
                    + have + " (" + s.byteSize() + " bytes)");
        }
    }
}
