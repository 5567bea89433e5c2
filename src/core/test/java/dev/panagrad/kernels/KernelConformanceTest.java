package dev.panagrad.kernels;

import dev.panagrad.DType;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every kernel implementation against {@link ScalarKernels}, method by method, at sizes around the vector
 * lane counts, on contiguous, broadcast and strided runs, with NaN, infinities, signed zeros and denormals
 * among random inputs. Each run sits between guard elements that must come back untouched, so a kernel that
 * writes outside its range fails too.
 */
class KernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int FL = Lanes.FL, DL = Lanes.DL;
    private static final int[] SIZES = sizes();
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT64};

    private static int[] sizes() {
        // around both lane counts, past one reduction block of four vectors, past 1024, and large and odd
        return Arrays.stream(new int[] {0, 1, DL - 1, DL, DL + 1, FL - 1, FL, FL + 1, 4 * FL + 3, 1031, 10007})
                .distinct().sorted().toArray();
    }

    /** The implementations other than the reference: the Vector API kernels, and OpenBLAS when it loads. */
    static List<Kernels> implementations() {
        List<Kernels> all = new ArrayList<>(List.of(new VectorKernels()));
        if (BlasKernels.available()) all.add(new BlasKernels());
        return all;
    }

    static Stream<Arguments> kernelsDtypesSizes() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (DType dt : FLOATS) {
                for (int n : SIZES) args.add(Arguments.of(Named.of(k.name(), k), dt, n));
            }
        }
        return args.stream();
    }

    static Stream<Arguments> kernelsDtypes() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : implementations()) {
            for (DType dt : FLOATS) args.add(Arguments.of(Named.of(k.name(), k), dt));
        }
        return args.stream();
    }

    // ------------------------------------------------------------------ tolerances

    /** Allowed error: {@code ulps} units in the last place of the reference value in the dtype, plus {@code abs}. */
    record Tol(double ulps, double abs) {
        static final Tol EXACT = new Tol(0, 0);
    }

    /**
     * The vector math library is within about one ulp of the exact value; the reference rounds a double
     * result, so two ulps cover EXP, LOG, SIN, COS, TANH. Composite formulas add a rounding per step. Results
     * that underflow to denormals may differ by a few of the smallest denormals.
     */
    static Tol unaryTol(UnaryOp op, DType dt) {
        double tiny = dt == DType.FLOAT32 ? 4 * Float.MIN_VALUE : 4 * Double.MIN_VALUE;
        return switch (op) {
            case NEG, ABS, SQRT, SIGN, RELU, RECIPROCAL, LOGICAL_NOT -> Tol.EXACT;
            case EXP, LOG, SIN, COS, TANH, RSQRT -> new Tol(2, tiny);
            case SIGMOID, SOFTPLUS -> new Tol(4, tiny);
            // float32 erf/gelu: the Chebyshev fit is within 1.2e-7 (2 ulps) of erfc, plus float rounding
            case GELU, ERF -> new Tol(dt == DType.FLOAT32 ? 8 : 0, tiny);
            // no vector form: every kernel set runs the reference loop
            default -> Tol.EXACT;
        };
    }

    static Tol binaryTol(BinaryOp op, DType dt) {
        return op == BinaryOp.POW ? new Tol(2, dt == DType.FLOAT32 ? 4 * Float.MIN_VALUE : 4 * Double.MIN_VALUE) : Tol.EXACT;
    }

    // ------------------------------------------------------------------ unary, binary, compare, where

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void unaryMatchesReference(Kernels k, DType dt, int n) {
        double[] x = data(n, 11, true);
        for (UnaryOp op : UnaryOp.values()) {
            for (int[] st : new int[][] {{1, 1}, {2, 3}}) {
                Run in = Run.of(dt, x, st[0]), want = Run.empty(dt, n, st[1]), got = Run.empty(dt, n, st[1]);
                REF.unary(op, dt, in.seg, in.off, in.stride, want.seg, want.off, want.stride, n);
                k.unary(op, dt, in.seg, in.off, in.stride, got.seg, got.off, got.stride, n);
                String what = k.name() + " unary " + op + " " + dt + " strides " + Arrays.toString(st);
                assertRunsClose(what, want, got, unaryTol(op, dt));
            }
            // in place: y and x are the same run
            Run want = Run.of(dt, x, 1), got = Run.of(dt, x, 1);
            REF.unary(op, dt, want.seg, want.off, 1, want.seg, want.off, 1, n);
            k.unary(op, dt, got.seg, got.off, 1, got.seg, got.off, 1, n);
            assertRunsClose(k.name() + " unary " + op + " " + dt + " in place", want, got, unaryTol(op, dt));
        }
    }

    /** Stride patterns (a, b, out): contiguous, either input broadcast, both broadcast, and strided. */
    private static final int[][] BINARY_STRIDES = {{1, 1, 1}, {0, 1, 1}, {1, 0, 1}, {0, 0, 1}, {2, 1, 3}, {1, 1, 2}};

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void binaryMatchesReference(Kernels k, DType dt, int n) {
        double[] a = data(n, 21, true), b = data(n, 22, true);
        for (BinaryOp op : BinaryOp.values()) {
            for (int[] st : BINARY_STRIDES) {
                Run x = Run.of(dt, a, st[0]), y = Run.of(dt, b, st[1]);
                Run want = Run.empty(dt, n, st[2]), got = Run.empty(dt, n, st[2]);
                REF.binary(op, dt, x.seg, x.off, x.stride, y.seg, y.off, y.stride, want.seg, want.off, want.stride, n);
                k.binary(op, dt, x.seg, x.off, x.stride, y.seg, y.off, y.stride, got.seg, got.off, got.stride, n);
                String what = k.name() + " binary " + op + " " + dt + " strides " + Arrays.toString(st);
                assertRunsClose(what, want, got, binaryTol(op, dt));
            }
        }
    }

    @Test
    void maxAndMinPropagateNaNAndOrderZerosLikeMath() {
        // Math.max(NaN, 1) = NaN, Math.max(-0, +0) = +0, Math.min(-0, +0) = -0, on both sides and in every lane
        double[][] pairs = {{Double.NaN, 1}, {1, Double.NaN}, {-0.0, 0.0}, {0.0, -0.0}, {-1, 2}, {Double.NaN, Double.NaN}};
        int n = 4 * FL + 1;
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = pairs[i % pairs.length][0];
            b[i] = pairs[i % pairs.length][1];
        }
        for (Kernels k : implementations()) {
            for (DType dt : FLOATS) {
                for (BinaryOp op : new BinaryOp[] {BinaryOp.MAX, BinaryOp.MIN}) {
                    Run x = Run.of(dt, a, 1), y = Run.of(dt, b, 1), got = Run.empty(dt, n, 1);
                    k.binary(op, dt, x.seg, x.off, 1, y.seg, y.off, 1, got.seg, got.off, 1, n);
                    for (int i = 0; i < n; i++) {
                        double want = op.apply(a[i], b[i]);
                        assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got.get(i)),
                                k.name() + " " + op + " " + dt + " of " + a[i] + ", " + b[i]);
                    }
                }
            }
        }
    }

    @Test
    void powFollowsMathPowForEveryKindOfBaseAndExponent() {
        // (-2)^3 = -8, (-2)^2 = 4, (-2)^0.5 = NaN, (-0)^-3 = -inf, 1^NaN = NaN, (-1)^inf = NaN, (-inf)^3 = -inf, ...
        double[] bases = {-2, -0.5, -1, -0.0, 0.0, 0.5, 1, 2, -3.7,
                Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN};
        double[] exps = {0, -0.0, 1, 2, 3, -1, -2, -3, 0.5, -0.5, 1.0 / 3, 7, 16777215, 16777216, 1e10, -1e10,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        int grid = bases.length * exps.length, n = 16 * grid;   // the grid repeated, so calls are long enough to time
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = bases[i % grid / exps.length];
            b[i] = exps[i % exps.length];
        }
        for (Kernels k : implementations()) {
            for (DType dt : FLOATS) {
                Run x = Run.of(dt, a, 1), y = Run.of(dt, b, 1), want = Run.empty(dt, n, 1), got = Run.empty(dt, n, 1);
                REF.binary(BinaryOp.POW, dt, x.seg, x.off, 1, y.seg, y.off, 1, want.seg, want.off, 1, n);
                untilCompiled(n, () -> k.binary(BinaryOp.POW, dt, x.seg, x.off, 1, y.seg, y.off, 1, got.seg, got.off, 1, n));
                assertRunsClose(k.name() + " pow " + dt, want, got, binaryTol(BinaryOp.POW, dt));
                for (double e : exps) {   // one exponent for the whole run, as x.pow(2) passes it
                    Run base = Run.of(dt, bases, 1), exp = Run.of(dt, new double[] {e}, 0);
                    Run w = Run.empty(dt, bases.length, 1), g = Run.empty(dt, bases.length, 1);
                    REF.binary(BinaryOp.POW, dt, base.seg, base.off, 1, exp.seg, exp.off, 0, w.seg, w.off, 1, bases.length);
                    k.binary(BinaryOp.POW, dt, base.seg, base.off, 1, exp.seg, exp.off, 0, g.seg, g.off, 1, bases.length);
                    assertRunsClose(k.name() + " pow " + dt + " exponent " + e, w, g, binaryTol(BinaryOp.POW, dt));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void compareMatchesReference(Kernels k, DType dt, int n) {
        double[] a = data(n, 31, true), b = data(n, 32, true);
        for (int i = 0; i < n; i += 3) b[i] = a[i];   // equal pairs, NaN == NaN included
        for (CompareOp op : CompareOp.values()) {
            for (int[] st : BINARY_STRIDES) {
                Run x = Run.of(dt, a, st[0]), y = Run.of(dt, b, st[1]);
                Run want = Run.empty(DType.BOOL, n, st[2]), got = Run.empty(DType.BOOL, n, st[2]);
                REF.compare(op, dt, x.seg, x.off, x.stride, y.seg, y.off, y.stride, want.seg, want.off, want.stride, n);
                k.compare(op, dt, x.seg, x.off, x.stride, y.seg, y.off, y.stride, got.seg, got.off, got.stride, n);
                assertRunsClose(k.name() + " compare " + op + " " + dt + " strides " + Arrays.toString(st), want, got, Tol.EXACT);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void whereMatchesReference(Kernels k, DType dt, int n) {
        double[] a = data(n, 41, true), b = data(n, 42, true), m = new double[n];
        Random r = new Random(43);
        for (int i = 0; i < n; i++) m[i] = r.nextInt(3) == 0 ? 0 : 1;
        for (int[] st : new int[][] {{1, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}, {0, 1, 1, 1}, {2, 1, 3, 2}}) {
            Run mask = Run.of(DType.BOOL, m, st[0]), x = Run.of(dt, a, st[1]), y = Run.of(dt, b, st[2]);
            Run want = Run.empty(dt, n, st[3]), got = Run.empty(dt, n, st[3]);
            REF.where(dt, mask.seg, mask.off, mask.stride, x.seg, x.off, x.stride, y.seg, y.off, y.stride,
                    want.seg, want.off, want.stride, n);
            k.where(dt, mask.seg, mask.off, mask.stride, x.seg, x.off, x.stride, y.seg, y.off, y.stride,
                    got.seg, got.off, got.stride, n);
            assertRunsClose(k.name() + " where " + dt + " strides " + Arrays.toString(st), want, got, Tol.EXACT);
        }
    }

    @Test
    void whereTreatsEveryNonZeroMaskByteAsTrue() {
        int n = 2 * FL + 3;
        MemorySegment mask = Arena.ofAuto().allocate(n);
        for (int i = 0; i < n; i++) mask.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : -128));
        double[] a = data(n, 44, false), b = data(n, 45, false);
        for (Kernels k : implementations()) {
            Run x = Run.of(DType.FLOAT32, a, 1), y = Run.of(DType.FLOAT32, b, 1), got = Run.empty(DType.FLOAT32, n, 1);
            k.where(DType.FLOAT32, mask, 0, 1, x.seg, x.off, 1, y.seg, y.off, 1, got.seg, got.off, 1, n);
            for (int i = 0; i < n; i++) {
                assertEquals((float) (i % 3 == 0 ? b[i] : a[i]), (float) got.get(i), k.name() + " where at " + i);
            }
        }
    }

    // ------------------------------------------------------------------ convert, fill

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void convertMatchesReference(Kernels k, DType from, int n) {
        double[] x = data(n, 51, true);
        for (DType to : DType.values()) {
            for (int[] st : new int[][] {{1, 1}, {3, 2}}) {
                Run in = Run.of(from, x, st[0]), want = Run.empty(to, n, st[1]), got = Run.empty(to, n, st[1]);
                REF.convert(from, in.seg, in.off, in.stride, to, want.seg, want.off, want.stride, n);
                k.convert(from, in.seg, in.off, in.stride, to, got.seg, got.off, got.stride, n);
                String what = k.name() + " convert " + from + " -> " + to + " strides " + Arrays.toString(st);
                assertRunsClose(what, want, got, Tol.EXACT);
            }
            // and back: integer and bool sources, same-dtype copies of them
            Run src = Run.empty(to, n, 1);
            REF.convert(from, Run.of(from, x, 1).seg, Run.GUARD, 1, to, src.seg, src.off, 1, n);
            Run want = Run.empty(from, n, 1), got = Run.empty(from, n, 1);
            REF.convert(to, src.seg, src.off, 1, from, want.seg, want.off, 1, n);
            k.convert(to, src.seg, src.off, 1, from, got.seg, got.off, 1, n);
            assertRunsClose(k.name() + " convert " + to + " -> " + from, want, got, Tol.EXACT);
            Run copy = Run.empty(to, n, 1), copyRef = Run.empty(to, n, 1);
            REF.convert(to, src.seg, src.off, 1, to, copyRef.seg, copyRef.off, 1, n);
            k.convert(to, src.seg, src.off, 1, to, copy.seg, copy.off, 1, n);
            assertRunsClose(k.name() + " copy " + to, copyRef, copy, Tol.EXACT);
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void fillMatchesReference(Kernels k, DType dt, int n) {
        for (double value : new double[] {0.0, -0.0, 1.5, Double.NaN, Double.NEGATIVE_INFINITY, 1e-40}) {
            for (int stride : new int[] {1, 2}) {
                Run want = Run.empty(dt, n, stride), got = Run.empty(dt, n, stride);
                REF.fill(dt, want.seg, want.off, stride, n, value);
                k.fill(dt, got.seg, got.off, stride, n, value);
                assertRunsClose(k.name() + " fill " + value + " " + dt + " stride " + stride, want, got, Tol.EXACT);
            }
        }
        for (DType other : new DType[] {DType.INT64, DType.BOOL}) {
            Run want = Run.empty(other, n, 1), got = Run.empty(other, n, 1);
            REF.fill(other, want.seg, want.off, 1, n, 7);
            k.fill(other, got.seg, got.off, 1, n, 7);
            assertRunsClose(k.name() + " fill " + other, want, got, Tol.EXACT);
        }
    }

    // ------------------------------------------------------------------ reductions, softmax

    /**
     * [outer, size, inner] blocks for one size: rows, several rows, columns wider and narrower than a vector, and
     * wider than four vectors side by side.
     */
    private static long[][] reduceShapes(int n) {
        return new long[][] {{1, n, 1}, {3, n, 1}, {2, n, FL + 3}, {2, n, DL}, {2, n, 2},
                {Math.min(n, 40), 5, 3L * FL - 1}, {2, n, 5L * FL + 3}};
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void reduceMatchesReference(Kernels k, DType dt, int n) {
        for (long[] shape : reduceShapes(n)) {
            long outer = shape[0], size = shape[1], inner = shape[2];
            boolean specials = outer > 1;   // the first shape stays finite, the others see NaN and infinities
            double[] x = data((int) (outer * size * inner), 61, specials);
            Run in = Run.of(dt, x, 1);
            for (ReduceOp op : ReduceOp.values()) {
                Run want = Run.empty(dt, outer * inner, 1), got = Run.empty(dt, outer * inner, 1);
                REF.reduce(op, dt, in.seg, in.off, outer, size, inner, want.seg, want.off);
                k.reduce(op, dt, in.seg, in.off, outer, size, inner, got.seg, got.off);
                String what = k.name() + " reduce " + op + " " + dt + " " + Arrays.toString(shape);
                if (op == ReduceOp.SUM || op == ReduceOp.PROD) {
                    assertSumsClose(what, x, dt, outer, size, inner, want, got, op);
                } else {
                    assertRunsClose(what, want, got, Tol.EXACT);
                }
                got.assertGuardsIntact(what);
            }
            Run wantIdx = Run.empty(DType.INT64, outer * inner, 1), gotIdx = Run.empty(DType.INT64, outer * inner, 1);
            if (size > 0) {
                for (boolean max : new boolean[] {true, false}) {
                    REF.argReduce(max, dt, in.seg, in.off, outer, size, inner, wantIdx.seg, wantIdx.off);
                    k.argReduce(max, dt, in.seg, in.off, outer, size, inner, gotIdx.seg, gotIdx.off);
                    assertRunsClose(k.name() + " argReduce max=" + max + " " + dt, wantIdx, gotIdx, Tol.EXACT);
                }
            }
        }
    }

    /**
     * A sum in another order differs from the sequential one by at most about size * eps * sum|x| (eps the
     * unit roundoff), plus the rounding of the result; NaN and infinities must agree exactly.
     */
    private static void assertSumsClose(String what, double[] x, DType dt, long outer, long size, long inner,
                                        Run want, Run got, ReduceOp op) {
        double eps = dt == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double w = want.get(o * inner + i), g = got.get(o * inner + i);
                if (op == ReduceOp.PROD || Double.isNaN(w) || Double.isInfinite(w)) {
                    assertClose(what + " at " + (o * inner + i), dt, w, g, op == ReduceOp.PROD ? Tol.EXACT : new Tol(0, 0));
                    continue;
                }
                double abs = 0;
                for (long s = 0; s < size; s++) abs += Math.abs(round(dt, x[(int) ((o * size + s) * inner + i)]));
                double tol = 2 * (size + 1) * eps * abs + Math.ulp(dt == DType.FLOAT32 ? (float) w : w);
                if (!(Math.abs(w - g) <= tol)) {
                    fail(what + " at " + (o * inner + i) + ": expected " + w + " got " + g + " (tolerance " + tol + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void softmaxMatchesReference(Kernels k, DType dt, int cols) {
        int rows = 6;
        double[] x = data(rows * cols, 71, false);
        for (int c = 0; c < cols; c++) {
            x[cols + c] = Double.NEGATIVE_INFINITY;   // row 1: all -inf (NaN, as in PyTorch)
            x[4 * cols + c] *= 30;                     // row 4: a wide range of exponents
        }
        if (cols > 0) {
            x[2 * cols + cols / 2] = Double.NaN;           // row 2: NaN spreads over the row
            x[3 * cols + cols / 3] = Double.POSITIVE_INFINITY;
            x[5 * cols] = Double.NEGATIVE_INFINITY;        // row 5: one -inf gives 0 (softmax) or -inf (log)
        }
        Run in = Run.of(dt, x, 1);
        for (boolean log : new boolean[] {false, true}) {
            Run want = Run.empty(dt, (long) rows * cols, 1), got = Run.empty(dt, (long) rows * cols, 1);
            REF.softmax(log, dt, in.seg, in.off, rows, cols, want.seg, want.off);
            k.softmax(log, dt, in.seg, in.off, rows, cols, got.seg, got.off);
            // float32: exp(x - max) carries the rounding of x - max, |x - max| * 2^-24 relative; rows here
            // keep |x - max| under about 2^9, so 2^9 float ulps bound it; the sum and scaling add a few. The
            // sum is rounded to float precision (2^-24 relative), which log-softmax turns into an absolute error.
            Tol tol = dt == DType.FLOAT32 ? new Tol(520, log ? 0x1p-22 : 4 * Float.MIN_VALUE) : new Tol(4, 4 * Double.MIN_VALUE);
            assertRunsClose(k.name() + " softmax log=" + log + " " + dt + " cols " + cols, want, got, tol);
        }
    }

    // ------------------------------------------------------------------ gemm

    /**
     * (m, n, k) shapes: single elements, sizes around the register tile and the vector width, several depth
     * blocks (k > 256), row blocks (m > 128) and column blocks (n > 1024), matrix-vector products (one row
     * or column of C), small and large enough to be split over threads, and a small C over a long depth (cut
     * into parts of the depth where OpenBLAS runs it).
     */
    private static final int[][] GEMM_SHAPES = {
            {1, 1, 1}, {1, 5, 3}, {5, 1, 3}, {3, 4, 1}, {7, 33, 5}, {8, 32, 16}, {9, 31, 17}, {16, 2 * FL, 8},
            {17, 2 * FL + 1, 33}, {33, 65, 70}, {65, 47, 300}, {130, 20, 40}, {5, 1100, 7}, {2, 300, 40}, {300, 3, 40},
            {1, 4 * FL + 3, 70}, {4 * FL + 3, 1, 70}, {1, 3000, 200}, {3000, 1, 200}, {40, 70, 4100}, {3, 200, 2500}};

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsDtypes")
    void gemmMatchesReference(Kernels k, DType dt) {
        double[][] scalars = {{1, 0}, {0.5, 2}, {-1, 1}};
        int combination = 0;
        for (int[] s : GEMM_SHAPES) {
            int m = s[0], n = s[1], kk = s[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    double[] ab = scalars[combination++ % scalars.length];   // every pair meets every layout
                    int pad = (m + n + kk) % 3;   // row strides above the minimum
                    checkGemm(k, dt, transA, transB, m, n, kk, ab[0], ab[1], pad);
                }
            }
        }
    }

    /** Products of about 4 million multiply-adds are split over threads, by rows of C or by columns when C is wide. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsDtypes")
    void gemmSplitOverThreadsMatchesReference(Kernels k, DType dt) {
        checkGemm(k, dt, false, false, 200, 100, 220, 1, 0, 1);
        checkGemm(k, dt, true, true, 40, 500, 220, 0.5, 2, 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsDtypes")
    void gemmWithBetaZeroIgnoresNaNInC(Kernels k, DType dt) {
        int m = 19, n = 2 * FL + 5, kk = 23;
        Run a = Run.of(dt, data(m * kk, 81, false), 1), b = Run.of(dt, data(kk * n, 82, false), 1);
        Run c = Run.of(dt, filled(m * n, Double.NaN), 1);
        k.gemm(dt, false, false, m, n, kk, 1.0, a.seg, a.off, kk, b.seg, b.off, n, 0.0, c.seg, c.off, n);
        for (int i = 0; i < m * n; i++) assertTrue(Double.isFinite(c.get(i)), k.name() + " gemm beta=0 read C at " + i);
        c.assertGuardsIntact(k.name() + " gemm");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsDtypes")
    void gemmReadsBroadcastRows(Kernels k, DType dt) {
        // lda = 0: every row of A is the same stored row (an expanded tensor)
        int m = 11, n = FL + 3, kk = 9;
        checkGemmWith(k, dt, false, false, m, n, kk, 1, 0, Run.of(dt, data(kk, 83, false), 1), 0,
                Run.of(dt, data(kk * n, 84, false), 1), n);
    }

    private static void checkGemm(Kernels k, DType dt, boolean transA, boolean transB, int m, int n, int kk,
                                  double alpha, double beta, int pad) {
        int aRows = transA ? kk : m, aCols = transA ? m : kk, bRows = transB ? n : kk, bCols = transB ? kk : n;
        int lda = aCols + pad, ldb = bCols + pad;
        Run a = Run.of(dt, data(aRows * lda, 91 + m, false), 1), b = Run.of(dt, data(bRows * ldb, 92 + n, false), 1);
        checkGemmWith(k, dt, transA, transB, m, n, kk, alpha, beta, a, lda, b, ldb);
    }

    /**
     * C = alpha op(A) op(B) + beta C. Each entry may differ from the reference by the rounding of k
     * products added in another order: k * eps * sum_p |a_ip b_pj|, plus that of the alpha and beta terms.
     */
    private static void checkGemmWith(Kernels k, DType dt, boolean transA, boolean transB, int m, int n, int kk,
                                      double alpha, double beta, Run a, int lda, Run b, int ldb) {
        int ldc = n + 1;
        double[] c0 = data(m * ldc, 93, false);
        Run want = Run.of(dt, c0, 1), got = Run.of(dt, c0, 1);
        REF.gemm(dt, transA, transB, m, n, kk, alpha, a.seg, a.off, lda, b.seg, b.off, ldb, beta, want.seg, want.off, ldc);
        k.gemm(dt, transA, transB, m, n, kk, alpha, a.seg, a.off, lda, b.seg, b.off, ldb, beta, got.seg, got.off, ldc);
        double eps = dt == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
        String what = k.name() + " gemm " + dt + " transA=" + transA + " transB=" + transB + " " + m + "x" + n + "x" + kk
                + " alpha=" + alpha + " beta=" + beta;
        double[] av = a.values(), bv = b.values();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < ldc; j++) {
                int at = i * ldc + j;
                if (j == n) {   // the padding column of C is not part of the result
                    assertEquals(round(dt, c0[at]), got.get(at), what + ": wrote padding at " + at);
                    continue;
                }
                double abs = 0;
                for (int p = 0; p < kk; p++) {
                    abs += Math.abs(av[transA ? p * lda + i : i * lda + p] * bv[transB ? j * ldb + p : p * ldb + j]);
                }
                double tol = (kk + 4) * eps * (Math.abs(alpha) * abs + Math.abs(beta * c0[at])) * 2;
                double w = want.get(at), g = got.get(at);
                if (!(Math.abs(w - g) <= tol)) {
                    fail(what + " at (" + i + ", " + j + "): expected " + w + " got " + g + " (tolerance " + tol + ")");
                }
            }
        }
        got.assertGuardsIntact(what);
    }

    // ------------------------------------------------------------------ indexing (inherited, through convert and binary)

    @ParameterizedTest(name = "{0} {1} n={2}")
    @MethodSource("kernelsDtypesSizes")
    void indexingMatchesReference(Kernels k, DType dt, int n) {
        long outer = 2, size = 7, isize = 5;
        long inner = n;
        double[] x = data((int) (outer * size * inner), 101, true);
        Random r = new Random(102);
        double[] idx = new double[(int) (outer * isize * inner)], sel = new double[(int) isize];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt((int) size);
        for (int i = 0; i < sel.length; i++) sel[i] = r.nextInt((int) size);
        Run in = Run.of(dt, x, 1), ix = Run.of(DType.INT64, idx, 1), is = Run.of(DType.INT64, sel, 1);
        Run src = Run.of(dt, data((int) (outer * isize * inner), 103, false), 1);

        Run want = Run.empty(dt, outer * isize * inner, 1), got = Run.empty(dt, outer * isize * inner, 1);
        REF.gather(dt, in.seg, in.off, outer, size, inner, ix.seg, ix.off, isize, want.seg, want.off);
        k.gather(dt, in.seg, in.off, outer, size, inner, ix.seg, ix.off, isize, got.seg, got.off);
        assertRunsClose(k.name() + " gather", want, got, Tol.EXACT);

        REF.indexSelect(dt, in.seg, in.off, outer, size, inner, is.seg, is.off, isize, want.seg, want.off);
        k.indexSelect(dt, in.seg, in.off, outer, size, inner, is.seg, is.off, isize, got.seg, got.off);
        assertRunsClose(k.name() + " indexSelect", want, got, Tol.EXACT);

        double[] y0 = data((int) (outer * size * inner), 104, false);
        Run wantY = Run.of(dt, y0, 1), gotY = Run.of(dt, y0, 1);
        REF.scatterAdd(dt, src.seg, src.off, outer, isize, inner, ix.seg, ix.off, size, wantY.seg, wantY.off);
        k.scatterAdd(dt, src.seg, src.off, outer, isize, inner, ix.seg, ix.off, size, gotY.seg, gotY.off);
        assertRunsClose(k.name() + " scatterAdd", wantY, gotY, Tol.EXACT);

        wantY = Run.of(dt, y0, 1);
        gotY = Run.of(dt, y0, 1);
        REF.indexAdd(dt, src.seg, src.off, outer, isize, inner, is.seg, is.off, size, wantY.seg, wantY.off);
        k.indexAdd(dt, src.seg, src.off, outer, isize, inner, is.seg, is.off, size, gotY.seg, gotY.off);
        assertRunsClose(k.name() + " indexAdd", wantY, gotY, Tol.EXACT);
    }

    // ------------------------------------------------------------------ compiled code

    /**
     * The Vector API runs lane by lane in Java until the JIT compiles a loop, and only compiled code uses the
     * CPU's vector math library, min/max instructions and comparison predicates. Each op whose compiled form
     * could differ is repeated until it runs at compiled speed, then checked against the reference; IEEE-exact
     * ops (add, sqrt, ...) cannot differ.
     */
    @Test
    void compiledKernelsMatchReference() {
        int n = 8 * 1024 + 3;
        UnaryOp[] unary = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SIN, UnaryOp.COS, UnaryOp.TANH, UnaryOp.SIGMOID,
                UnaryOp.SOFTPLUS, UnaryOp.GELU, UnaryOp.ERF};
        for (Kernels k : implementations()) {
            for (DType dt : FLOATS) {
                double[] a = data(n, 111, true), b = data(n, 112, true);
                for (int i = 0; i < n; i += 5) b[i] = a[i];   // equal pairs for the comparisons
                Run x = Run.of(dt, a, 1), y = Run.of(dt, b, 1);
                for (UnaryOp op : unary) {
                    Run want = Run.empty(dt, n, 1), got = Run.empty(dt, n, 1);
                    REF.unary(op, dt, x.seg, x.off, 1, want.seg, want.off, 1, n);
                    untilCompiled(n, () -> k.unary(op, dt, x.seg, x.off, 1, got.seg, got.off, 1, n));
                    assertRunsClose(k.name() + " compiled unary " + op + " " + dt, want, got, unaryTol(op, dt));
                }
                for (BinaryOp op : new BinaryOp[] {BinaryOp.POW, BinaryOp.MAX, BinaryOp.MIN}) {
                    Run want = Run.empty(dt, n, 1), got = Run.empty(dt, n, 1);
                    REF.binary(op, dt, x.seg, x.off, 1, y.seg, y.off, 1, want.seg, want.off, 1, n);
                    untilCompiled(n, () -> k.binary(op, dt, x.seg, x.off, 1, y.seg, y.off, 1, got.seg, got.off, 1, n));
                    assertRunsClose(k.name() + " compiled binary " + op + " " + dt, want, got, binaryTol(op, dt));
                }
                for (CompareOp op : new CompareOp[] {CompareOp.EQ, CompareOp.NE, CompareOp.LT, CompareOp.GE}) {
                    Run want = Run.empty(DType.BOOL, n, 1), got = Run.empty(DType.BOOL, n, 1);
                    REF.compare(op, dt, x.seg, x.off, 1, y.seg, y.off, 1, want.seg, want.off, 1, n);
                    untilCompiled(n, () -> k.compare(op, dt, x.seg, x.off, 1, y.seg, y.off, 1, got.seg, got.off, 1, n));
                    assertRunsClose(k.name() + " compiled compare " + op + " " + dt, want, got, Tol.EXACT);
                }
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                    for (long[] shape : new long[][] {{n / 64, 64, 1}, {4, n / 4 / FL, FL}}) {
                        Run want = Run.empty(dt, shape[0] * shape[2], 1), got = Run.empty(dt, shape[0] * shape[2], 1);
                        REF.reduce(op, dt, x.seg, x.off, shape[0], shape[1], shape[2], want.seg, want.off);
                        untilCompiled(n, () -> k.reduce(op, dt, x.seg, x.off, shape[0], shape[1], shape[2], got.seg, got.off));
                        String what = k.name() + " compiled reduce " + op + " " + dt + " " + Arrays.toString(shape);
                        assertRunsClose(what, want, got, Tol.EXACT);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Calls {@code call} on {@code elements} elements until one call takes less than 10 ns per element, at
     * most 400 times. Interpreted and C1-compiled Vector API code takes 50 to 100 ns per element; the C2-compiled
     * vector loops take a few. A kernel that takes the scalar path may never get there, hence the cap.
     */
    static void untilCompiled(long elements, Runnable call) {
        for (int r = 0; r < 400; r++) {
            long t = System.nanoTime();
            call.run();
            if (System.nanoTime() - t < 10 * elements) return;
        }
    }

    /**
     * Random normal values times 3, with special values at fixed positions when asked: zeros of both signs,
     * NaN, infinities, denormals, large and exact values.
     */
    static double[] data(int n, long seed, boolean specials) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian() * 3;
        if (specials) {
            double[] sp = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, -1e-40,
                    100, -100, 1e30, -1e30, 0.5, -0.5, 1, -1, 2, -2, 30, -30, 1e-3, -1e-3};
            for (int i = 0; i < sp.length && i < n; i++) v[(int) ((i * 7919L + seed) % n)] = sp[i];
        }
        return v;
    }

    /** v as the dtype stores it. */
    static double round(DType dt, double v) {
        return dt == DType.FLOAT32 ? (float) v : v;
    }

    static double[] filled(int n, double value) {
        double[] v = new double[n];
        Arrays.fill(v, value);
        return v;
    }

    static void assertRunsClose(String what, Run want, Run got, Tol tol) {
        assertEquals(want.n, got.n, what + ": lengths");
        for (long i = 0; i < want.n; i++) assertClose(what + " at " + i, got.dt, want.get(i), got.get(i), tol);
        got.assertGuardsIntact(what);
    }

    static void assertClose(String what, DType dt, double want, double got, Tol tol) {
        if (Double.isNaN(want) || Double.isNaN(got)) {
            if (Double.isNaN(want) != Double.isNaN(got)) fail(what + ": expected " + want + " got " + got);
            return;
        }
        if (tol.ulps == 0 && tol.abs == 0 || Double.isInfinite(want) || want == 0 && got == 0) {   // zeros keep their sign
            if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) fail(what + ": expected " + want + " got " + got);
            return;
        }
        double ulp = dt == DType.FLOAT32 ? Math.ulp((float) want) : Math.ulp(want);
        double allowed = tol.ulps * ulp + tol.abs;
        if (!(Math.abs(want - got) <= allowed)) {
            fail(what + ": expected " + want + " got " + got + " (" + Math.abs(want - got) / ulp + " ulps, allowed " + allowed
                    + ")");
        }
    }

    /**
     * n elements of one dtype, {@code stride} apart, starting after {@link #GUARD} guard elements in a
     * segment that holds exactly the run and the guards; every element not in the run holds a sentinel.
     */
    static final class Run {
        static final int GUARD = 5;
        static final double SENTINEL = -12345;
        static final byte BOOL_SENTINEL = 0x5A;

        final DType dt;
        final MemorySegment seg;
        final long off, stride, n, span;

        private Run(DType dt, long n, long stride) {
            this.dt = dt;
            this.n = n;
            this.stride = stride;
            this.off = GUARD;
            this.span = n == 0 ? 0 : (n - 1) * stride + 1;
            // aligned to the element only, and GUARD elements in, so vectors start at unaligned addresses
            this.seg = Arena.ofAuto().allocate((2 * GUARD + span) * dt.byteSize(), dt.byteSize());
            for (long i = 0; i < 2 * GUARD + span; i++) writeSentinel(i);
        }

        static Run empty(DType dt, long n, long stride) {
            return new Run(dt, n, stride);
        }

        /** The values (rounded to the dtype) as a run; stride 0 holds only the first value. */
        static Run of(DType dt, double[] values, long stride) {
            Run r = new Run(dt, values.length, stride);
            for (int i = 0; i < values.length && (stride != 0 || i == 0); i++) r.set(i, values[i]);
            return r;
        }

        double get(long i) {
            return Access.load(dt, seg, off + i * stride);
        }

        /** All n elements. */
        double[] values() {
            double[] v = new double[(int) n];
            for (int i = 0; i < n; i++) v[i] = get(i);
            return v;
        }

        void set(long i, double v) {
            Access.store(dt, seg, off + i * stride, v);
        }

        /** One-byte runs get a byte no kernel writes here (bool kernels write 0 or 1; test values stay small). */
        private void writeSentinel(long i) {
            if (dt.byteSize() == 1) {
                seg.set(ValueLayout.JAVA_BYTE, i, BOOL_SENTINEL);
            } else {
                Access.store(dt, seg, i, SENTINEL);
            }
        }

        private boolean holdsSentinel(long i) {
            return dt.byteSize() == 1 ? seg.get(ValueLayout.JAVA_BYTE, i) == BOOL_SENTINEL : Access.load(dt, seg, i) == SENTINEL;
        }

        private boolean inRun(long index) {
            long rel = index - off;
            return rel >= 0 && rel < span && (stride == 0 ? rel == 0 : rel % stride == 0);
        }

        void assertGuardsIntact(String what) {
            for (long i = 0; i < 2 * GUARD + span; i++) {
                if (!inRun(i) && !holdsSentinel(i)) fail(what + ": wrote outside its run at element " + i);
            }
        }
    }
}
