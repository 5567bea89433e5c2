package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;

import static dev.panagrad.Ref.assertClose;
import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reductions over all or given dims (keepdim or not), arg-reductions and softmax, on every layout. */
class ReductionTest {

    private static final long[] SHAPE = {3, 4, 5};

    /**
     * The reference reduction: for each output position, the input elements that map to it (in row-major
     * order of the reduced dims) are handed to f. dims null means all dims.
     */
    static double[] reduceRef(double[] v, long[] shape, int[] dims, ToDoubleFunction<double[]> f) {
        boolean[] reduced = new boolean[shape.length];
        if (dims == null) Arrays.fill(reduced, true);
        else for (int d : dims) reduced[d < 0 ? d + shape.length : d] = true;
        long[] kept = shape.clone();
        for (int d = 0; d < shape.length; d++) if (reduced[d]) kept[d] = 1;
        int outN = Ref.numel(kept);
        List<List<Double>> groups = new ArrayList<>();
        for (int j = 0; j < outN; j++) groups.add(new ArrayList<>());
        for (int i = 0; i < v.length; i++) {
            long[] idx = Ref.unravel(i, shape);
            for (int d = 0; d < shape.length; d++) if (reduced[d]) idx[d] = 0;
            groups.get(Ref.ravel(idx, kept)).add(v[i]);
        }
        double[] out = new double[outN];
        for (int j = 0; j < outN; j++) out[j] = f.applyAsDouble(groups.get(j).stream().mapToDouble(Double::doubleValue).toArray());
        return out;
    }

    static long[] outShape(long[] shape, int[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[shape.length];
        if (dims == null) Arrays.fill(reduced, true);
        else for (int d : dims) reduced[d < 0 ? d + shape.length : d] = true;
        List<Long> out = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) out.add(shape[d]);
            else if (keepdim) out.add(1L);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static double sum(double[] g) {
        double s = 0;
        for (double x : g) s += x;
        return s;
    }

    static double mean(double[] g) {
        return sum(g) / g.length;
    }

    /** var = sum (x - mean)^2 / (n - correction) */
    static double var(double[] g, int correction) {
        double m = mean(g), s = 0;
        for (double x : g) s += (x - m) * (x - m);
        return s / (g.length - correction);
    }

    /** logsumexp = m + log sum exp(x - m) with m = max x */
    static double logsumexp(double[] g) {
        double m = Arrays.stream(g).max().orElseThrow(), s = 0;
        for (double x : g) s += Math.exp(x - m);
        return m + Math.log(s);
    }

    private record Reduction(String name, BiFunction<Tensor, int[], Tensor> keep, BiFunction<Tensor, int[], Tensor> drop,
                             ToDoubleFunction<double[]> ref) {}

    private static final List<Reduction> REDUCTIONS = List.of(
            new Reduction("sum", (x, d) -> x.sum(d, true), (x, d) -> x.sum(d, false), ReductionTest::sum),
            new Reduction("mean", (x, d) -> x.mean(d, true), (x, d) -> x.mean(d, false), ReductionTest::mean),
            new Reduction("amax", (x, d) -> x.amax(d, true), (x, d) -> x.amax(d, false),
                    g -> Arrays.stream(g).max().orElseThrow()),
            new Reduction("amin", (x, d) -> x.amin(d, true), (x, d) -> x.amin(d, false),
                    g -> Arrays.stream(g).min().orElseThrow()),
            new Reduction("var", (x, d) -> x.var(d, 1, true), (x, d) -> x.var(d, 1, false), g -> var(g, 1)),
            new Reduction("var0", (x, d) -> x.var(d, 0, true), (x, d) -> x.var(d, 0, false), g -> var(g, 0)),
            new Reduction("std", (x, d) -> x.std(d, 1, true), (x, d) -> x.std(d, 1, false), g -> Math.sqrt(var(g, 1))),
            new Reduction("logsumexp", (x, d) -> x.logsumexp(d, true), (x, d) -> x.logsumexp(d, false),
                    ReductionTest::logsumexp));

    private static final int[][] DIMS = {{0}, {1}, {2}, {-1}, {0, 2}, {2, 0}, {1, 2}, {0, 1, 2}};

    @Test
    void reductionsOverEveryDimSetAndLayout() {
        double[] v = Ref.random(21, 60, -2, 2);
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double[] in = dt == DType.FLOAT32 ? Ref.asFloats(v) : v;
            for (Reduction r : REDUCTIONS) {
                for (int[] dims : DIMS) {
                    double[] expected = reduceRef(in, SHAPE, dims, r.ref);
                    for (Ref.Layout layout : Ref.layouts(3)) {
                        Tensor x = Ref.layout(layout, v, dt, SHAPE);
                        String what = r.name + Arrays.toString(dims) + " " + dt + " " + layout;
                        try {
                            assertClose(expected, r.keep.apply(x, dims), outShape(SHAPE, dims, true));
                            assertClose(expected, r.drop.apply(x, dims), outShape(SHAPE, dims, false));
                        } catch (AssertionError e) {
                            throw new AssertionError(what + ": " + e.getMessage(), e);
                        }
                    }
                }
            }
        }
    }

    @Test
    void fullReductions() {
        double[] v = Ref.random(22, 24, 0.5, 1.5);
        for (Ref.Layout layout : Ref.layouts(3)) {
            Tensor x = Ref.layout(layout, v, DType.FLOAT64, 2, 3, 4);
            assertEquals(0, x.sum().dim());
            assertEquals(sum(v), x.sum().item(), 1e-12);
            assertEquals(mean(v), x.mean().item(), 1e-12);
            double p = 1;
            for (double a : v) p *= a;
            assertEquals(p, x.prod().item(), 1e-12 * Math.abs(p));
            assertEquals(Arrays.stream(v).max().orElseThrow(), x.max().item());
            assertEquals(Arrays.stream(v).min().orElseThrow(), x.min().item());
            assertEquals(var(v, 1), x.var().item(), 1e-12);
            assertEquals(Math.sqrt(var(v, 1)), x.std().item(), 1e-12);
            assertClose(reduceRef(v, new long[] {2, 3, 4}, new int[] {1}, g -> {
                double q = 1;
                for (double a : g) q *= a;
                return q;
            }), x.prod(1, false), 2, 4);
        }
    }

    @Test
    void argmaxMaxAndMinAlongADim() {
        // rows [2, 1, 2, 0], [5, 5, -1, 3], [3, 7, 7, 7]; ties go to the first index
        double[] v = {2, 1, 2, 0, 5, 5, -1, 3, 3, 7, 7, 7};
        for (Ref.Layout layout : Ref.layouts(2)) {
            Tensor x = Ref.layout(layout, v, DType.FLOAT32, 3, 4);
            assertEquals(DType.INT64, x.argmax(1, false).dtype());
            assertExact(new double[] {0, 0, 1}, x.argmax(1, false), 3);            // first maximum of each row
            assertExact(new double[] {3, 2, 0}, x.argmin(1, false), 3);
            // columns [2, 5, 3], [1, 5, 7], [2, -1, 7], [0, 3, 7]
            assertExact(new double[] {1, 2, 2, 2}, x.argmax(0, false), 4);
            assertExact(new double[] {0, 0, 1}, x.argmax(-1, true), 3, 1);
            assertEquals(9, x.argmax().item(), "flattened argmax: the first 7 is at position 9");
            ValuesIndices mx = x.max(1), mn = x.min(0, true);
            assertExact(new double[] {2, 5, 7}, mx.values(), 3);
            assertExact(new double[] {0, 0, 1}, mx.indices(), 3);
            assertExact(new double[] {2, 1, -1, 0}, mn.values(), 1, 4);
            assertExact(new double[] {0, 0, 1, 0}, mn.indices(), 1, 4);
        }
    }

    @Test
    void nanPropagatesThroughMaxAndArgmax() {
        Tensor x = Tensor.ofDoubles(1, Double.NaN, 3, 2);
        assertTrue(Double.isNaN(x.max().item()));
        assertEquals(1, x.argmax().item(), "argmax points at the NaN, as in PyTorch");
        assertTrue(Double.isNaN(x.sum().item()));
    }

    @Test
    void softmaxAndLogSoftmaxAlongEveryDim() {
        double[] v = Ref.random(23, 60, -3, 3);
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            double[] in = dt == DType.FLOAT32 ? Ref.asFloats(v) : v;
            for (int dim = -1; dim < 3; dim++) {
                int d = dim < 0 ? dim + 3 : dim;
                // softmax(x)_i = exp(x_i - logsumexp(x)) along dim
                double[] lse = reduceRef(in, SHAPE, new int[] {d}, ReductionTest::logsumexp);
                long[] kept = SHAPE.clone();
                kept[d] = 1;
                double[] logp = new double[60], p = new double[60];
                for (int i = 0; i < 60; i++) {
                    long[] idx = Ref.unravel(i, SHAPE);
                    idx[d] = 0;
                    logp[i] = in[i] - lse[Ref.ravel(idx, kept)];
                    p[i] = Math.exp(logp[i]);
                }
                for (Ref.Layout layout : Ref.layouts(3)) {
                    Tensor x = Ref.layout(layout, v, dt, SHAPE);
                    assertClose(p, x.softmax(dim), SHAPE);
                    assertClose(logp, x.logSoftmax(dim), SHAPE);
                }
            }
        }
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        // softmax is shift invariant: [1000, 1001] gives the same as [0, 1], with no overflow
        Tensor p = Tensor.ofDoubles(1000, 1001).softmax(0);
        double e = Math.exp(1);
        assertClose(new double[] {1 / (1 + e), e / (1 + e)}, p, 2);
        // log(e^1000 + e^1001) = 1001 + log(1 + e^-1)
        assertClose(new double[] {1001 + Math.log1p(Math.exp(-1))}, Tensor.ofDoubles(1000, 1001).logsumexp(0, true), 1);
        // logsumexp of all -inf is -inf, not NaN
        assertEquals(Double.NEGATIVE_INFINITY,
                Tensor.ofDoubles(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY).logsumexp(0, false).item());
    }

    @Test
    void emptyAndIntegerReductions() {
        assertEquals(0, Tensor.zeros(0).sum().item(), "the sum over nothing is 0");
        assertEquals(1, Tensor.zeros(0).prod().item(), "the product over nothing is 1");
        assertExact(new double[] {0, 0, 0}, Tensor.zeros(3, 0).sum(1, false), 3);
        assertArrayEquals(new long[] {0}, Tensor.zeros(0, 3).sum(1, false).shape());
        Tensor ints = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
        assertEquals(DType.INT64, ints.sum().dtype());
        assertExact(new double[] {4, 6}, ints.sum(0, false), 2);
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3);
        assertEquals(DType.INT64, mask.sum().dtype(), "a mask sums to an int64 count");
        assertEquals(2, mask.sum().item());
        assertTrue(mask.any());
        assertFalse(mask.all());
        assertTrue(Tensor.ones(2, 2).all());
        assertFalse(Tensor.zeros(2).any());
    }

    @Test
    void largeReductionsAcrossThreads() {
        // 400 x 300 = 120000 elements: full reductions are split into per-thread partials
        double[] v = Ref.random(24, 120000, -1, 1);
        Tensor x = Ref.layout(Ref.Layout.TRANSPOSED, v, DType.FLOAT32, 400, 300);
        double[] f = Ref.asFloats(v);
        double[][] full = Ref.withOneAndTwoThreads(x::sum);
        // float32 partial sums differ from the double reference only by rounding: the sum is about 200 in
        // magnitude, so a float32 accumulation error of order sqrt(n) * ulp(200) ~ 3e-3 is expected
        double bound = 0.05;
        assertEquals(sum(f), full[0][0], bound);
        assertEquals(full[0][0], full[1][0], bound, "thread count changes only the rounding");
        // per-row reductions run each row on one thread in order: identical for any thread count
        double[][] rows = Ref.withOneAndTwoThreads(() -> x.sum(1, false));
        assertArrayEquals(rows[0], rows[1]);
        Ref.assertWithin(1e-4, 1e-4, reduceRef(f, new long[] {400, 300}, new int[] {1}, ReductionTest::sum),
                Ref.tensor(rows[1], DType.FLOAT64, 400), 400);
        // softmax rows run each on one thread; exp may still differ by a few ulps between the Vector API's
        // interpreted and compiled forms, depending on how far the JIT has got
        double[][] soft = Ref.withOneAndTwoThreads(() -> x.softmax(0));
        assertArrayEquals(soft[0], soft[1], 1e-6);
        double[][] arg = Ref.withOneAndTwoThreads(() -> x.argmax(0, false));
        assertArrayEquals(arg[0], arg[1]);
    }
}
