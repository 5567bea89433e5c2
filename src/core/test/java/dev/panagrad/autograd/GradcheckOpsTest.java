package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every differentiable tensor op against central differences in float64, first and second order. Inputs
 * are drawn away from kinks (0 for abs/relu/sign, the bounds of clamp, ties of max/min) so that the
 * numerical derivative is well defined.
 */
class GradcheckOpsTest {

    /** One row: an op applied to fresh inputs, with the tolerance of its check. */
    record Case(String name, Functional.Fn fn, Supplier<Tensor[]> inputs, Gradcheck.Tolerance tol) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    /** A row with one output. */
    private static void add(String name, java.util.function.Function<Tensor[], Tensor> f, Supplier<Tensor[]> in) {
        CASES.add(new Case(name, xs -> new Tensor[] {f.apply(xs)}, in, Gradcheck.Tolerance.DEFAULT));
    }

    /** A row with several outputs. */
    private static void addMulti(String name, Functional.Fn f, Supplier<Tensor[]> in) {
        CASES.add(new Case(name, f, in, Gradcheck.Tolerance.DEFAULT));
    }

    // ------------------------------------------------------------ inputs

    private static final Generator RANDOM = new Generator(2024);

    /** Values in [-2, -0.3] or [0.3, 2]: away from 0. */
    static Tensor away(long... shape) {
        Tensor u = RANDOM.rand(DType.FLOAT64, shape);
        double[] v = u.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            double m = 0.3 + 1.7 * ((v[i] * 2) % 1);
            v[i] = v[i] < 0.5 ? -m : m;
        }
        return Tensor.of(DType.FLOAT64, v, shape).requiresGrad(true);
    }

    /** Values in [0.5, 2]. */
    static Tensor pos(long... shape) {
        return RANDOM.rand(DType.FLOAT64, shape).mul(1.5).add(0.5).requiresGrad(true);
    }

    /** Distinct values (no ties), shuffled: a permutation of evenly spaced points in [-1.5, 1.5]. */
    static Tensor distinct(long... shape) {
        int n = (int) Tensor.zeros(shape).numel();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = -1.5 + 3.0 * i / Math.max(1, n - 1);
        for (int i = n - 1; i > 0; i--) {
            int j = (int) RANDOM.nextLong(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.of(DType.FLOAT64, v, shape).requiresGrad(true);
    }

    static Tensor[] pair(dev.panagrad.ValuesIndices r) {
        return new Tensor[] {r.values(), r.indices()};
    }

    static Tensor[] in(Tensor... ts) {
        return ts;
    }

    static Tensor idx(long[] values, long... shape) {
        return Tensor.of(values, shape);
    }

    static Tensor mask(boolean[] values, long... shape) {
        return Tensor.of(values, shape);
    }

    static {
        // ---------------- unary
        add("neg", x -> x[0].neg(), () -> in(away(2, 3)));
        add("exp", x -> x[0].exp(), () -> in(away(2, 3)));
        add("log", x -> x[0].log(), () -> in(pos(2, 3)));
        add("sqrt", x -> x[0].sqrt(), () -> in(pos(2, 3)));
        add("rsqrt", x -> x[0].rsqrt(), () -> in(pos(2, 3)));
        add("abs", x -> x[0].abs(), () -> in(away(2, 3)));
        add("sign", x -> x[0].sign(), () -> in(away(2, 3)));
        add("sin", x -> x[0].sin(), () -> in(away(2, 3)));
        add("cos", x -> x[0].cos(), () -> in(away(2, 3)));
        add("tanh", x -> x[0].tanh(), () -> in(away(2, 3)));
        add("sigmoid", x -> x[0].sigmoid(), () -> in(away(2, 3)));
        add("relu", x -> x[0].relu(), () -> in(away(2, 3)));
        add("gelu", x -> x[0].gelu(), () -> in(away(2, 3)));
        add("softplus", x -> x[0].softplus(), () -> in(away(2, 3)));
        add("softplus above threshold", x -> x[0].add(21).softplus(), () -> in(away(2, 3)));
        add("erf", x -> x[0].erf(), () -> in(away(2, 3)));
        add("reciprocal", x -> x[0].reciprocal(), () -> in(away(2, 3)));
        add("square", x -> x[0].square(), () -> in(away(2, 3)));

        // ---------------- binary, with broadcasting and scalars
        for (String shapes : new String[] {"same", "row", "outer", "scalar"}) {
            Supplier<Tensor[]> ab = switch (shapes) {
                case "same" -> () -> in(away(2, 3), away(2, 3));
                case "row" -> () -> in(away(2, 3), away(3));
                case "outer" -> () -> in(away(2, 1), away(1, 3));
                default -> () -> in(away(2, 3), away());
            };
            Supplier<Tensor[]> posB = switch (shapes) {
                case "same" -> () -> in(pos(2, 3), away(2, 3));
                case "row" -> () -> in(pos(2, 3), away(3));
                case "outer" -> () -> in(pos(2, 1), away(1, 3));
                default -> () -> in(pos(2, 3), away());
            };
            add("add " + shapes, x -> x[0].add(x[1]), ab);
            add("sub " + shapes, x -> x[0].sub(x[1]), ab);
            add("mul " + shapes, x -> x[0].mul(x[1]), ab);
            add("div " + shapes, x -> x[0].div(x[1]), ab);
            add("pow tensor " + shapes, x -> x[0].pow(x[1]), posB);
            add("maximum " + shapes, x -> x[0].maximum(x[1]), ab);
            add("minimum " + shapes, x -> x[0].minimum(x[1]), ab);
        }
        add("add with a constant operand", x -> x[0].add(Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3)), () -> in(away(2, 3)));
        add("mul with a constant operand", x -> Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).mul(x[0]), () -> in(away(2, 3)));
        add("div by a constant operand", x -> Tensor.of(DType.FLOAT64, new double[] {1, 2, 3}, 3).div(x[0]), () -> in(away(2, 3)));
        add("add double", x -> x[0].add(1.5), () -> in(away(2, 3)));
        add("sub double", x -> x[0].sub(1.5), () -> in(away(2, 3)));
        add("rsub double", x -> x[0].rsub(1.5), () -> in(away(2, 3)));
        add("mul double", x -> x[0].mul(-1.5), () -> in(away(2, 3)));
        add("div double", x -> x[0].div(-1.5), () -> in(away(2, 3)));
        add("pow 3", x -> x[0].pow(3), () -> in(away(2, 3)));
        add("pow -2", x -> x[0].pow(-2), () -> in(away(2, 3)));
        add("pow 2.5", x -> x[0].pow(2.5), () -> in(pos(2, 3)));
        add("pow 0", x -> x[0].pow(0), () -> in(away(2, 3)));

        // ---------------- clamp, where, maskedFill, dtype, copies
        add("clamp", x -> x[0].clamp(-1, 1), () -> in(Tensor.of(DType.FLOAT64, new double[] {-1.5, -0.5, 0.2, 0.7, 1.3, -0.1}, 2, 3)
                .requiresGrad(true)));
        add("clampMin", x -> x[0].clampMin(0.1), () -> in(away(2, 3)));
        add("clampMax", x -> x[0].clampMax(0.1), () -> in(away(2, 3)));
        boolean[] m6 = {true, false, false, true, true, false};
        add("where", x -> Tensor.where(mask(m6, 2, 3), x[0], x[1]), () -> in(away(2, 3), away(2, 3)));
        add("where broadcast", x -> Tensor.where(mask(new boolean[] {true, false, true}, 3), x[0], x[1]),
                () -> in(away(2, 1), away(2, 3)));
        add("where scalar other", x -> Tensor.where(mask(m6, 2, 3), x[0], 0.5), () -> in(away(2, 3)));
        add("where scalar self", x -> Tensor.where(mask(m6, 2, 3), 0.5, x[0]), () -> in(away(2, 3)));
        add("maskedFill", x -> x[0].maskedFill(mask(m6, 2, 3), -3), () -> in(away(2, 3)));
        CASES.add(new Case("to float32 and back", x -> new Tensor[] {x[0].to(DType.FLOAT32).to(DType.FLOAT64).mul(x[0])},
                () -> in(away(2, 3)), new Gradcheck.Tolerance(1e-3, 1e-3, 1e-2)));
        add("clone", x -> x[0].clone().mul(x[0]), () -> in(away(2, 3)));
        add("contiguous", x -> x[0].t().contiguous(), () -> in(away(2, 3)));

        // ---------------- views
        add("reshape", x -> x[0].reshape(3, -1), () -> in(away(2, 3)));
        add("reshape copy", x -> x[0].t().reshape(6), () -> in(away(2, 3)));
        add("view", x -> x[0].view(6), () -> in(away(2, 3)));
        add("transpose", x -> x[0].transpose(0, 2), () -> in(away(2, 3, 2)));
        add("t", x -> x[0].t(), () -> in(away(2, 3)));
        add("permute", x -> x[0].permute(2, 0, 1), () -> in(away(2, 3, 2)));
        add("squeeze", x -> x[0].squeeze(), () -> in(away(2, 1, 3, 1)));
        add("squeeze dim", x -> x[0].squeeze(1), () -> in(away(2, 1, 3)));
        add("unsqueeze", x -> x[0].unsqueeze(-1), () -> in(away(2, 3)));
        add("expand", x -> x[0].expand(2, 4, 3), () -> in(away(2, 1, 3)));
        add("broadcastTo", x -> x[0].broadcastTo(2, 3), () -> in(away(3)));
        add("expandAs", x -> x[0].expandAs(Tensor.zeros(4, 3)), () -> in(away(1, 3)));
        add("narrow", x -> x[0].narrow(1, 1, 2), () -> in(away(2, 4)));
        add("slice with step", x -> x[0].slice(1, 0, 5, 2), () -> in(away(2, 5)));
        add("select", x -> x[0].select(0, -1), () -> in(away(3, 2)));
        add("flatten", x -> x[0].flatten(), () -> in(away(2, 3, 2)));
        add("flatten dims", x -> x[0].flatten(1, 2), () -> in(away(2, 3, 2)));
        add("view of a view", x -> x[0].t().narrow(0, 1, 2).unsqueeze(0).mul(x[0].sum()), () -> in(away(2, 3)));

        // ---------------- reductions
        add("sum", x -> x[0].sum(), () -> in(away(2, 3)));
        add("sum dim", x -> x[0].sum(1, false), () -> in(away(2, 3)));
        add("sum dims keepdim", x -> x[0].sum(new int[] {0, 2}, true), () -> in(away(2, 3, 2)));
        add("mean", x -> x[0].mean(), () -> in(away(2, 3)));
        add("mean dim keepdim", x -> x[0].mean(0, true), () -> in(away(2, 3)));
        add("prod", x -> x[0].prod(), () -> in(away(2, 3)));
        add("prod with a zero", x -> x[0].prod(), () -> in(Tensor.of(DType.FLOAT64, new double[] {0.5, -1.2, 0, 1.5, 0.8, -0.7}, 2, 3)
                .requiresGrad(true)));
        add("prod dim", x -> x[0].prod(1, false), () -> in(away(2, 3)));
        add("prod dim with a zero", x -> x[0].prod(1, true), () -> in(Tensor.of(DType.FLOAT64, new double[] {0.5, 0, 1.1, 1.5, 0.8, -0.7},
                2, 3).requiresGrad(true)));
        add("amax", x -> x[0].amax(new int[] {1}, false), () -> in(distinct(2, 3)));
        add("amin", x -> x[0].amin(new int[] {0, 1}, true), () -> in(distinct(2, 3)));
        add("max", x -> x[0].max(), () -> in(distinct(2, 3)));
        add("min", x -> x[0].min(), () -> in(distinct(2, 3)));
        addMulti("max dim", x -> pair(x[0].max(1, false)), () -> in(distinct(2, 3)));
        addMulti("min dim keepdim", x -> pair(x[0].min(0, true)), () -> in(distinct(2, 3)));
        add("var", x -> x[0].var(), () -> in(away(2, 3)));
        add("var dims", x -> x[0].var(new int[] {1}, 0, true), () -> in(away(2, 3)));
        add("std", x -> x[0].std(), () -> in(away(2, 3)));
        add("std dims", x -> x[0].std(new int[] {0}, 1, false), () -> in(away(3, 2)));
        add("logsumexp", x -> x[0].logsumexp(1, false), () -> in(away(2, 3)));
        add("logsumexp dims", x -> x[0].logsumexp(new int[] {0, 1}, true), () -> in(away(2, 3)));
        add("softmax", x -> x[0].softmax(-1), () -> in(away(2, 3)));
        add("softmax dim 0", x -> x[0].softmax(0), () -> in(away(2, 3)));
        add("logSoftmax", x -> x[0].logSoftmax(1), () -> in(away(2, 3)));
        add("logSoftmax dim 0", x -> x[0].logSoftmax(0), () -> in(away(3, 2)));
        add("sumTo", x -> x[0].sumTo(3), () -> in(away(2, 3)));
        add("sumTo keep", x -> x[0].sumTo(2, 1), () -> in(away(2, 3)));

        // ---------------- linear algebra
        add("matmul 1d 1d", x -> x[0].matmul(x[1]), () -> in(away(3), away(3)));
        add("matmul 2d 1d", x -> x[0].matmul(x[1]), () -> in(away(2, 3), away(3)));
        add("matmul 1d 2d", x -> x[0].matmul(x[1]), () -> in(away(3), away(3, 2)));
        add("matmul 2d 2d", x -> x[0].matmul(x[1]), () -> in(away(2, 3), away(3, 2)));
        add("matmul 3d 2d", x -> x[0].matmul(x[1]), () -> in(away(2, 2, 3), away(3, 2)));
        add("matmul 3d 1d", x -> x[0].matmul(x[1]), () -> in(away(2, 2, 3), away(3)));
        add("matmul 1d 3d", x -> x[0].matmul(x[1]), () -> in(away(3), away(2, 3, 2)));
        add("matmul 2d 3d", x -> x[0].matmul(x[1]), () -> in(away(2, 3), away(2, 3, 2)));
        add("matmul 3d 3d", x -> x[0].matmul(x[1]), () -> in(away(2, 2, 3), away(2, 3, 2)));
        add("matmul broadcast batch", x -> x[0].matmul(x[1]), () -> in(away(2, 1, 2, 3), away(3, 3, 2)));
        add("matmul transposed operands", x -> x[0].t().matmul(x[1].t()), () -> in(away(3, 2), away(2, 3)));
        add("mm", x -> x[0].mm(x[1]), () -> in(away(2, 3), away(3, 4)));
        add("bmm", x -> x[0].bmm(x[1]), () -> in(away(2, 2, 3), away(2, 3, 2)));

        // ---------------- indexing and joining
        Tensor gatherIndex = idx(new long[] {2, 0, 1, 1}, 2, 2);
        add("gather", x -> x[0].gather(1, gatherIndex), () -> in(away(2, 3)));
        add("gather dim 0", x -> x[0].gather(0, idx(new long[] {1, 0, 1}, 1, 3)), () -> in(away(2, 3)));
        add("scatterAdd", x -> x[0].scatterAdd(1, gatherIndex, x[1]), () -> in(away(2, 3), away(2, 2)));
        add("scatterAdd repeated index", x -> x[0].scatterAdd(0, idx(new long[] {1, 1, 0, 1}, 2, 2), x[1]),
                () -> in(away(2, 3), away(2, 2)));
        add("indexSelect", x -> x[0].indexSelect(0, idx(new long[] {2, 0, 2}, 3)), () -> in(away(3, 2)));
        add("indexSelect dim 1", x -> x[0].indexSelect(1, idx(new long[] {1}, 1)), () -> in(away(3, 2)));
        add("indexAdd", x -> x[0].indexAdd(0, idx(new long[] {2, 0, 2}, 3), x[1]), () -> in(away(3, 2), away(3, 2)));
        add("cat", x -> Tensor.cat(List.of(x[0], x[1]), 1), () -> in(away(2, 3), away(2, 1)));
        add("cat dim 0", x -> Tensor.cat(List.of(x[0], x[1], x[0]), 0), () -> in(away(1, 3), away(2, 3)));
        add("stack", x -> Tensor.stack(List.of(x[0], x[1]), 1), () -> in(away(2, 3), away(2, 3)));
        addMulti("split", x -> x[0].split(2, 1).toArray(new Tensor[0]), () -> in(away(2, 5)));
        addMulti("chunk", x -> x[0].chunk(2, 0).toArray(new Tensor[0]), () -> in(away(3, 2)));

        // ---------------- in place on non-leaves
        addInPlace("add_ tensor", (y, x) -> y.add_(x[1]), () -> in(away(2, 3), away(3)));
        addInPlace("add_ double", (y, x) -> y.add_(2), () -> in(away(2, 3)));
        addInPlace("sub_ tensor", (y, x) -> y.sub_(x[1]), () -> in(away(2, 3), away(2, 3)));
        addInPlace("sub_ double", (y, x) -> y.sub_(2), () -> in(away(2, 3)));
        addInPlace("mul_ tensor", (y, x) -> y.mul_(x[1]), () -> in(away(2, 3), away(2, 1)));
        addInPlace("mul_ double", (y, x) -> y.mul_(-2), () -> in(away(2, 3)));
        addInPlace("div_ tensor", (y, x) -> y.div_(x[1]), () -> in(away(2, 3), away(2, 3)));
        addInPlace("div_ double", (y, x) -> y.div_(4), () -> in(away(2, 3)));
        addInPlace("pow_", (y, x) -> y.pow_(3), () -> in(away(2, 3)));
        addInPlace("maximum_", (y, x) -> y.maximum_(x[1]), () -> in(away(2, 3), away(2, 3)));
        addInPlace("minimum_", (y, x) -> y.minimum_(x[1]), () -> in(away(2, 3), away(2, 3)));
        addInPlace("neg_", (y, x) -> y.neg_(), () -> in(away(2, 3)));
        addInPlace("exp_", (y, x) -> y.exp_(), () -> in(away(2, 3)));
        addInPlace("log_", (y, x) -> y.log_(), () -> in(pos(2, 3)));
        addInPlace("sqrt_", (y, x) -> y.sqrt_(), () -> in(pos(2, 3)));
        addInPlace("abs_", (y, x) -> y.abs_(), () -> in(away(2, 3)));
        addInPlace("tanh_", (y, x) -> y.tanh_(), () -> in(away(2, 3)));
        addInPlace("sigmoid_", (y, x) -> y.sigmoid_(), () -> in(away(2, 3)));
        addInPlace("relu_", (y, x) -> y.relu_(), () -> in(away(2, 3)));
        addInPlace("clamp_", (y, x) -> y.clamp_(-1, 1), () -> in(Tensor.of(DType.FLOAT64, new double[] {-1.1, -0.4, 0.2, 0.5, 1.3, -0.1},
                2, 3).requiresGrad(true)));
        addInPlace("fill_", (y, x) -> y.fill_(2).mul(x[0]), () -> in(away(2, 3)));
        addInPlace("zero_", (y, x) -> y.zero_().add(x[0].square()), () -> in(away(2, 3)));
        addInPlace("copy_", (y, x) -> y.copy_(x[1].square()), () -> in(away(2, 3), away(3)));
        addInPlace("maskedFill_", (y, x) -> y.maskedFill_(mask(m6, 2, 3), 7), () -> in(away(2, 3)));
        add("copy_ into a fresh tensor", x -> Tensor.zeros(DType.FLOAT64, 2, 3).copy_(x[0].exp()), () -> in(away(2, 3)));
    }

    /** An in-place op applied to y = 1.5 x (a non-leaf), followed by a square so second derivatives are non-zero. */
    private static void addInPlace(String name, java.util.function.BiFunction<Tensor, Tensor[], Tensor> op,
                                   Supplier<Tensor[]> in) {
        add(name, x -> {
            Tensor y = x[0].mul(1.5);
            Tensor r = op.apply(y, x);
            return r.mul(r);
        }, in);
    }

    static List<Case> cases() {
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstOrder(Case c) {
        Gradcheck.gradcheck(c.tol(), c.fn(), c.inputs().get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondOrder(Case c) {
        Gradcheck.gradgradcheck(c.tol(), c.fn(), c.inputs().get());
    }
}
