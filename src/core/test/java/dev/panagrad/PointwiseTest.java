package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.panagrad.Ref.assertClose;
import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Elementwise ops against double-precision references, on every layout, in both float dtypes. */
class PointwiseTest {

    /** erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, by Simpson's rule with 2000 intervals (error ~1e-14). */
    static double erf(double x) {
        int n = 2000;
        double h = x / n, sum = 1 + Math.exp(-x * x);
        for (int i = 1; i < n; i++) sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }

    private record Unary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi) {}

    private static final List<Unary> UNARY = List.of(
            new Unary("neg", Tensor::neg, x -> -x, -3, 3),
            new Unary("exp", Tensor::exp, Math::exp, -5, 5),
            new Unary("log", Tensor::log, Math::log, 0.01, 10),
            new Unary("sqrt", Tensor::sqrt, Math::sqrt, 0, 10),
            new Unary("rsqrt", Tensor::rsqrt, x -> 1 / Math.sqrt(x), 0.01, 10),
            new Unary("abs", Tensor::abs, Math::abs, -3, 3),
            new Unary("sign", Tensor::sign, x -> x > 0 ? 1 : x < 0 ? -1 : 0, -3, 3),
            new Unary("sin", Tensor::sin, Math::sin, -4, 4),
            new Unary("cos", Tensor::cos, Math::cos, -4, 4),
            // tanh x = (e^2x - 1) / (e^2x + 1)
            new Unary("tanh", Tensor::tanh, x -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1), -4, 4),
            new Unary("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), -8, 8),
            new Unary("relu", Tensor::relu, x -> Math.max(x, 0), -3, 3),
            // gelu x = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2
            new Unary("gelu", Tensor::gelu, x -> x * (1 + erf(x / Math.sqrt(2))) / 2, -4, 4),
            // softplus x = log(1 + e^x), and x itself above PyTorch's threshold 20
            new Unary("softplus", Tensor::softplus, x -> x > 20 ? x : Math.log1p(Math.exp(x)), -25, 25),
            new Unary("erf", Tensor::erf, PointwiseTest::erf, -3, 3),
            new Unary("reciprocal", Tensor::reciprocal, x -> 1 / x, 0.1, 5),
            new Unary("square", Tensor::square, x -> x * x, -3, 3),
            new Unary("clamp", x -> x.clamp(-0.5, 1), x -> Math.min(Math.max(x, -0.5), 1), -2, 2));

    @Test
    void unaryOpsOnEveryLayoutAndDtype() {
        long[] shape = {3, 4, 5};
        for (Unary u : UNARY) {
            double[] v = Ref.random(u.name.hashCode(), 60, u.lo, u.hi);
            for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
                double[] in = dt == DType.FLOAT32 ? Ref.asFloats(v) : v;
                double[] expected = new double[in.length];
                for (int i = 0; i < in.length; i++) expected[i] = u.ref.applyAsDouble(in[i]);
                for (Ref.Layout layout : Ref.layouts(3)) {
                    Tensor y = u.op.apply(Ref.layout(layout, v, dt, shape));
                    assertEquals(dt, y.dtype(), u.name);
                    try {
                        assertClose(expected, y, shape);
                    } catch (AssertionError e) {
                        throw new AssertionError(u.name + " " + dt + " " + layout + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    @Test
    void unaryEdgeValues() {
        Tensor x = Tensor.ofDoubles(Double.NEGATIVE_INFINITY, -3, -0.0, 0, Double.NaN, Double.POSITIVE_INFINITY);
        // relu gives +0 (not -0) for negative inputs and -inf, and keeps NaN
        double[] r = x.relu().toDoubleArray();
        assertEquals(0, r[0]);
        assertTrue(1 / r[0] > 0 && 1 / r[1] > 0, "relu of a negative number is +0");
        assertTrue(Double.isNaN(r[4]));
        assertEquals(Double.POSITIVE_INFINITY, r[5]);
        // sigmoid saturates to exactly 0 and 1 at the infinities; exp(-inf) = 0; log(0) = -inf
        assertExact(new double[] {0, 1}, Tensor.ofDoubles(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY).sigmoid(), 2);
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.ofDoubles(0).log().item());
        assertTrue(Double.isNaN(Tensor.ofDoubles(-1).sqrt().item()));
        // clamp keeps NaN
        assertTrue(Double.isNaN(Tensor.ofDoubles(Double.NaN).clamp(0, 1).item()));
    }

    private record Binary(String name, java.util.function.BinaryOperator<Tensor> op, DoubleBinaryOperator ref) {}

    private static final List<Binary> BINARY = List.of(
            new Binary("add", Tensor::add, Double::sum),
            new Binary("sub", Tensor::sub, (a, b) -> a - b),
            new Binary("mul", Tensor::mul, (a, b) -> a * b),
            new Binary("div", Tensor::div, (a, b) -> a / b),
            new Binary("pow", Tensor::pow, Math::pow),
            new Binary("maximum", Tensor::maximum, Math::max),
            new Binary("minimum", Tensor::minimum, Math::min));

    @Test
    void binaryOpsBroadcastOnEveryLayout() {
        // [2, 1, 4] op [3, 1] broadcasts to [2, 3, 4]: out[i][j][k] = a[i][0][k] op b[j][0]
        long[] sa = {2, 1, 4}, sb = {3, 1}, so = {2, 3, 4};
        double[] a = Ref.random(10, 8, 0.5, 2), b = Ref.random(11, 3, -1.5, 1.5);
        for (Binary op : BINARY) {
            for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
                double[] fa = dt == DType.FLOAT32 ? Ref.asFloats(a) : a, fb = dt == DType.FLOAT32 ? Ref.asFloats(b) : b;
                double[] expected = new double[24];
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        for (int k = 0; k < 4; k++) expected[(i * 3 + j) * 4 + k] = op.ref.applyAsDouble(fa[i * 4 + k], fb[j]);
                    }
                }
                for (Ref.Layout la : Ref.layouts(3)) {
                    for (Ref.Layout lb : Ref.layouts(2)) {
                        Tensor out = op.op.apply(Ref.layout(la, a, dt, sa), Ref.layout(lb, b, dt, sb));
                        assertClose(expected, out, so);
                    }
                }
            }
        }
    }

    @Test
    void binaryOpsWithExpandedOperandsAndScalars() {
        // a row expanded over 3 rows (stride 0) times a column expanded over 4 columns: an outer product
        Tensor row = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4).expand(3, 4);
        Tensor col = Tensor.of(new float[] {10, 20, 30}, 3, 1).expand(3, 4);
        double[] expected = new double[12];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) expected[i * 4 + j] = (j + 1) * 10.0 * (i + 1);
        assertClose(expected, row.mul(col), 3, 4);
        // scalar variants: (x + 1) * 2 - 3, then / 4 and ^2
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
        assertClose(new double[] {1, 3, 5}, x.add(1).mul(2).sub(3), 3);
        assertClose(new double[] {0.25, 0.5, 0.75}, x.div(4), 3);
        assertClose(new double[] {1, 4, 9}, x.pow(2), 3);
        assertClose(new double[] {1, 0, -1}, x.rsub(2), 3);               // 2 - x
        // a 0-dim tensor broadcasts against anything
        assertClose(new double[] {2, 4, 6}, x.mul(Tensor.of(2.0)), 3);
    }

    @Test
    void maximumAndMinimumPropagateNaN() {
        Tensor a = Tensor.ofDoubles(1, Double.NaN, 3), b = Tensor.ofDoubles(Double.NaN, 2, 1);
        double[] mx = a.maximum(b).toDoubleArray(), mn = a.minimum(b).toDoubleArray();
        assertTrue(Double.isNaN(mx[0]) && Double.isNaN(mx[1]) && mx[2] == 3);
        assertTrue(Double.isNaN(mn[0]) && Double.isNaN(mn[1]) && mn[2] == 1);
    }

    @Test
    void typePromotionFollowsPyTorch() {
        Tensor i = Tensor.of(new long[] {7, -7}, 2);
        Tensor f = Tensor.of(new float[] {0.5f, 0.5f}, 2);
        assertEquals(DType.FLOAT32, i.add(f).dtype());                       // int64 + float32 -> float32
        assertEquals(DType.INT64, i.add(1).dtype());                         // int64 + integral scalar -> int64
        assertEquals(DType.FLOAT32, i.mul(2.5).dtype());                     // int64 * fractional scalar -> float32
        assertEquals(DType.FLOAT64, f.add(Tensor.ofDoubles(1, 1)).dtype());  // float32 + float64 -> float64
        assertEquals(DType.FLOAT32, f.add(1e300).dtype(), "a scalar does not widen a float tensor");
        // int / int is true division: 7 / 2 = 3.5, -7 / 2 = -3.5
        Tensor q = i.div(Tensor.of(new long[] {2, 2}, 2));
        assertEquals(DType.FLOAT32, q.dtype());
        assertExact(new double[] {3.5, -3.5}, q, 2);
        // bool + 1 is int64 (True + 1 = 2), bool * 0.5 is float32
        Tensor m = Tensor.of(new boolean[] {true, false}, 2);
        assertEquals(DType.INT64, m.add(1).dtype());
        assertExact(new double[] {2, 1}, m.add(1), 2);
        assertExact(new double[] {0.5, 0}, m.mul(0.5), 2);
        // neg, abs and relu keep int64; exp of int64 is computed in float32
        assertEquals(DType.INT64, i.neg().dtype());
        assertEquals(DType.FLOAT32, i.exp().dtype());
    }

    @Test
    void comparisonsGiveMasks() {
        double[] a = {1, 2, 3, Double.NaN}, b = {3, 2, 1, Double.NaN};
        Tensor x = Ref.tensor(a, DType.FLOAT32, 4), y = Ref.layout(Ref.Layout.STEPPED, b, DType.FLOAT32, 4);
        assertEquals(DType.BOOL, x.lt(y).dtype());
        assertExact(new double[] {1, 0, 0, 0}, x.lt(y), 4);
        assertExact(new double[] {1, 1, 0, 0}, x.le(y), 4);
        assertExact(new double[] {0, 0, 1, 0}, x.gt(y), 4);
        assertExact(new double[] {0, 1, 1, 0}, x.ge(y), 4);
        assertExact(new double[] {0, 1, 0, 0}, x.eq(y), 4);
        assertExact(new double[] {1, 0, 1, 1}, x.ne(y), 4);              // NaN != NaN
        assertExact(new double[] {0, 0, 0, 1}, x.isnan(), 4);
        assertExact(new double[] {0, 1, 1, 0}, x.ge(2), 4);               // scalar variant
        // a column against a row broadcasts to a matrix: m[i][j] = col[i] > row[j]
        Tensor m = Tensor.of(new float[] {0, 1, 2}, 3, 1).gt(Tensor.of(new float[] {0.5f, 1.5f}, 2));
        assertExact(new double[] {0, 0, 1, 0, 1, 1}, m, 3, 2);
        assertExact(new double[] {1, 0, 1, 1}, x.lt(y).logicalOr(x.ne(y)), 4);
        assertExact(new double[] {0, 0, 0, 0}, x.lt(y).logicalAnd(x.gt(y)), 4);
        assertExact(new double[] {0, 1, 1, 1}, x.lt(y).logicalNot(), 4);
    }

    @Test
    void whereAndMaskedFill() {
        // where(mask[3, 1], a[1, 4], b[]) = a[0][j] where mask[i] else b
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3, 1);
        Tensor a = Ref.layout(Ref.Layout.STEPPED, new double[] {1, 2, 3, 4}, DType.FLOAT32, 1, 4);
        Tensor w = Tensor.where(mask, a, Tensor.of(-1.0));
        assertExact(new double[] {1, 2, 3, 4, -1, -1, -1, -1, 1, 2, 3, 4}, w, 3, 4);
        assertExact(new double[] {1, 2, 3, 4, 9, 9, 9, 9, 1, 2, 3, 4}, Tensor.where(mask, a, 9), 3, 4);
        Tensor x = Ref.layout(Ref.Layout.TRANSPOSED, new double[] {1, 2, 3, 4, 5, 6}, DType.FLOAT64, 2, 3);
        Tensor filled = x.maskedFill(x.gt(3), 0);                         // zero every element above 3
        assertEquals(DType.FLOAT64, filled.dtype());
        assertExact(new double[] {1, 2, 3, 0, 0, 0}, filled, 2, 3);
        // maskedFill keeps an integer tensor's dtype
        Tensor ints = Tensor.of(new long[] {5, 6}, 2).maskedFill(Tensor.of(new boolean[] {false, true}, 2), 1);
        assertEquals(DType.INT64, ints.dtype());
        assertExact(new double[] {5, 1}, ints, 2);
    }

    @Test
    void largeStridedOpsDoNotDependOnTheThreadCount() {
        // 300 x 301 = 90300 elements, above the 2 x 2^15 split threshold
        double[] v = Ref.random(5, 300 * 301, -2, 2), w = Ref.random(6, 301, -1, 1);
        Tensor x = Ref.layout(Ref.Layout.TRANSPOSED, v, DType.FLOAT32, 300, 301);
        Tensor bias = Ref.layout(Ref.Layout.STEPPED, w, DType.FLOAT32, 301);
        double[][] r = Ref.withOneAndTwoThreads(() -> x.mul(bias).tanh().add(x));
        // equal up to tanh's rounding, which differs by an ulp between the interpreted and compiled Vector API
        assertArrayEquals(r[0], r[1], 1e-6);
        double[] fv = Ref.asFloats(v), fw = Ref.asFloats(w), expected = new double[fv.length];
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 301; j++) {
                double a = fv[i * 301 + j];
                expected[i * 301 + j] = (float) Math.tanh((float) (a * fw[j])) + a;
            }
        }
        Ref.assertWithin(2e-6, 2e-6, expected, Ref.tensor(r[1], DType.FLOAT64, 300, 301), 300, 301);
    }

    @Test
    void inPlaceUnaryOpsWriteThroughViews() {
        record InPlace(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref) {}
        List<InPlace> ops = List.of(
                new InPlace("neg_", Tensor::neg_, x -> -x),
                new InPlace("exp_", Tensor::exp_, Math::exp),
                new InPlace("log_", Tensor::log_, Math::log),
                new InPlace("sqrt_", Tensor::sqrt_, Math::sqrt),
                new InPlace("abs_", Tensor::abs_, Math::abs),
                new InPlace("tanh_", Tensor::tanh_, Math::tanh),
                new InPlace("sigmoid_", Tensor::sigmoid_, x -> 1 / (1 + Math.exp(-x))),
                new InPlace("relu_", Tensor::relu_, x -> Math.max(0, x)),
                new InPlace("clamp_", x -> x.clamp_(0.5, 1.5), x -> Math.min(1.5, Math.max(0.5, x))),
                new InPlace("add_", x -> x.add_(2), x -> x + 2),
                new InPlace("sub_", x -> x.sub_(2), x -> x - 2),
                new InPlace("mul_", x -> x.mul_(3), x -> x * 3),
                new InPlace("div_", x -> x.div_(4), x -> x / 4),
                new InPlace("pow_", x -> x.pow_(3), x -> x * x * x),
                new InPlace("fill_", x -> x.fill_(7), x -> 7),
                new InPlace("zero_", Tensor::zero_, x -> 0));
        double[] v = Ref.random(3, 12, 0.1, 2);
        for (InPlace op : ops) {
            for (Ref.Layout layout : Ref.layouts(2)) {
                Tensor x = Ref.layout(layout, v, DType.FLOAT64, 3, 4);
                long version = x.version();
                assertSame(x, op.op.apply(x), op.name + " returns this");
                assertEquals(version + 1, x.version(), op.name + " bumps the version");
                double[] expected = new double[12];
                for (int i = 0; i < 12; i++) expected[i] = op.ref.applyAsDouble(v[i]);
                assertClose(expected, x, 3, 4);
                assertSentinelsIntact(x, 12);
            }
        }
    }

    /** The storage around a view still holds SENTINEL everywhere the view does not reach. */
    private static void assertSentinelsIntact(Tensor view, int viewElements) {
        long capacity = view.storage().byteSize() / view.dtype().byteSize();
        double[] all = view.stridedView(new long[] {capacity}, new long[] {1}, 0).toDoubleArray();
        long sentinels = java.util.Arrays.stream(all).filter(d -> d == Ref.SENTINEL).count();
        assertEquals(capacity - viewElements, sentinels, "an in-place op wrote outside its view");
    }

    @Test
    void inPlaceBinaryOpsBroadcastTheOtherOperand() {
        double[] v = Ref.random(4, 12, 0.5, 2), w = Ref.random(5, 4, 0.5, 2);
        record Op(String name, java.util.function.BiFunction<Tensor, Tensor, Tensor> op, DoubleBinaryOperator ref) {}
        List<Op> ops = List.of(
                new Op("add_", Tensor::add_, Double::sum),
                new Op("sub_", Tensor::sub_, (a, b) -> a - b),
                new Op("mul_", Tensor::mul_, (a, b) -> a * b),
                new Op("div_", Tensor::div_, (a, b) -> a / b),
                new Op("maximum_", Tensor::maximum_, Math::max),
                new Op("minimum_", Tensor::minimum_, Math::min),
                new Op("copy_", Tensor::copy_, (a, b) -> b));
        for (Op op : ops) {
            for (Ref.Layout layout : Ref.layouts(2)) {
                Tensor x = Ref.layout(layout, v, DType.FLOAT64, 3, 4);
                Tensor row = Ref.layout(Ref.Layout.STEPPED, w, DType.FLOAT64, 4);   // broadcast over the 3 rows
                op.op.apply(x, row);
                double[] expected = new double[12];
                for (int i = 0; i < 12; i++) expected[i] = op.ref.applyAsDouble(v[i], w[i % 4]);
                assertClose(expected, x, 3, 4);
                assertSentinelsIntact(x, 12);
            }
        }
        // copy_ converts: int64 values copied into a float32 tensor
        Tensor f = Tensor.zeros(3);
        f.copy_(Tensor.of(new long[] {1, 2, 3}, 3));
        assertExact(new double[] {1, 2, 3}, f, 3);
        // maskedFill_ writes only where the mask is true
        Tensor m = Tensor.of(new float[] {1, 2, 3}, 3);
        m.maskedFill_(m.ge(2), -1);
        assertExact(new double[] {1, -1, -1}, m, 3);
    }

    @Test
    void inPlaceOpsReadOverlappingOperandsBeforeWriting() {
        // a = x[1:4], b = x[0:3] overlap; a += b must read the old b: x = [0, 1, 2, 3, 4] -> [0, 1, 3, 5, 4]
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4}, 5);
        x.narrow(0, 1, 3).add_(x.narrow(0, 0, 3));
        assertExact(new double[] {0, 1, 3, 5, 4}, x, 5);
        // m += m[0] (row 0 broadcast over all rows) must add the old row 0 to every row
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        m.add_(m.select(0, 0));
        assertExact(new double[] {2, 4, 4, 6, 6, 8}, m, 3, 2);
        // y.copy_(y.t()) must transpose: [[1, 2], [3, 4]] -> [[1, 3], [2, 4]]
        Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        y.copy_(y.t());
        assertExact(new double[] {1, 3, 2, 4}, y, 2, 2);
        // x += x (the same view) is fine elementwise
        Tensor z = Tensor.of(new float[] {1, 2}, 2);
        z.add_(z);
        assertExact(new double[] {2, 4}, z, 2);
    }

    @Test
    void largeInPlaceOpsDoNotDependOnTheThreadCount() {
        double[] v = Ref.random(8, 256 * 300, -1, 1);
        double[][] r = Ref.withOneAndTwoThreads(() -> {
            Tensor x = Ref.layout(Ref.Layout.TRANSPOSED, v, DType.FLOAT32, 256, 300);
            return x.mul_(2).add_(x.select(0, 3)).sigmoid_();
        });
        assertArrayEquals(r[0], r[1]);
    }
}
