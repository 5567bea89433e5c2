package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Index;
import dev.panagrad.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.panagrad.autograd.GradcheckOpsTest.away;
import static dev.panagrad.autograd.GradcheckOpsTest.distinct;
import static dev.panagrad.autograd.GradcheckOpsTest.in;
import static dev.panagrad.autograd.GradcheckOpsTest.pos;

/**
 * The ops added for PyTorch parity (activations, rounding, inverse trig, scans, sorting, norms,
 * rearranging, padding, selection, einsum, subscripts) against central differences in float64, first and
 * second order. Inputs avoid kinks: |x| >= 0.3 for the piecewise activations, values in (0.3, 0.9) for
 * asin/acos/atanh, distinct values for sort/topk.
 */
class MoreOpsGradcheckTest {

    record Case(String name, Function<Tensor[], Tensor> fn, Supplier<Tensor[]> inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String name, Function<Tensor[], Tensor> f, Supplier<Tensor[]> in) {
        CASES.add(new Case(name, f, in));
    }

    /** Values in (0.3, 0.9) with random signs: inside the domains of asin, acos and atanh. */
    private static Tensor unit(long... shape) {
        return away(shape).detach().mul(0.4).requiresGrad(true);
    }

    private static Tensor ids(long... values) {
        return Tensor.of(values);
    }

    static {
        // ---------------- activations and elementwise functions
        add("leakyRelu", x -> x[0].leakyRelu(0.2), () -> in(away(2, 3)));
        add("elu", x -> x[0].elu(1.3), () -> in(away(2, 3)));
        add("selu", x -> x[0].selu(), () -> in(away(2, 3)));
        add("silu", x -> x[0].silu(), () -> in(away(2, 3)));
        add("mish", x -> x[0].mish(), () -> in(away(2, 3)));
        add("hardtanh", x -> x[0].hardtanh(-1.1, 1.2), () -> in(away(2, 3)));
        add("gelu tanh", x -> x[0].gelu("tanh"), () -> in(away(2, 3)));
        add("softplus beta threshold", x -> x[0].softplus(2, 3), () -> in(away(2, 3)));
        add("floor", x -> x[0].mul(2.1).floor().add(x[0]), () -> in(away(2, 3)));
        add("ceil", x -> x[0].ceil().add(x[0]), () -> in(away(2, 3)));
        add("round", x -> x[0].round().add(x[0]), () -> in(away(2, 3)));
        add("trunc", x -> x[0].trunc().add(x[0]), () -> in(away(2, 3)));
        add("frac", x -> x[0].mul(2.5).frac(), () -> in(away(2, 3)));
        add("asin", x -> x[0].asin(), () -> in(unit(2, 3)));
        add("acos", x -> x[0].acos(), () -> in(unit(2, 3)));
        add("atan", x -> x[0].atan(), () -> in(away(2, 3)));
        add("asinh", x -> x[0].asinh(), () -> in(away(2, 3)));
        add("acosh", x -> x[0].acosh(), () -> in(pos(2, 3).detach().add(1.2).requiresGrad(true)));
        add("atanh", x -> x[0].atanh(), () -> in(unit(2, 3)));
        add("atan2", x -> x[0].atan2(x[1]), () -> in(away(2, 3), away(3)));
        add("fmod", x -> x[0].mul(3).fmod(x[1]), () -> in(away(2, 3), pos(3)));
        add("remainder", x -> x[0].mul(3).remainder(x[1]), () -> in(away(2, 3), pos(3)));
        add("lerp scalar weight", x -> x[0].lerp(x[1], 0.3), () -> in(away(2, 3), away(2, 3)));
        add("lerp tensor weight", x -> x[0].lerp(x[1], x[2]), () -> in(away(2, 3), away(3), unit(2, 3)));
        add("addcmul", x -> x[0].addcmul(x[1], x[2], 0.5), () -> in(away(2, 3), away(3), away(2, 1)));
        add("addcdiv", x -> x[0].addcdiv(x[1], x[2], -2), () -> in(away(2, 3), away(3), away(2, 1)));
        add("where scalar right", x -> Tensor.where(x[0].gt(0), x[0], 2.0), () -> in(away(2, 3)));
        add("where scalar left", x -> Tensor.where(x[0].gt(0), 2.0, x[0]), () -> in(away(2, 3)));

        // ---------------- scans, sorting, norms
        add("cumsum", x -> x[0].cumsum(1), () -> in(away(2, 4)));
        add("cumprod", x -> x[0].cumprod(0), () -> in(away(4, 2)));
        add("cumprod through a zero", x -> x[0].mul(Tensor.of(DType.FLOAT64, new double[] {1, 0, 1, 1}, 4)).cumprod(0),
                () -> in(away(4)));
        add("sort", x -> x[0].sort(1, false).values(), () -> in(distinct(2, 4)));
        add("sort descending", x -> x[0].sort(0, true).values(), () -> in(distinct(3, 2)));
        add("topk", x -> x[0].topk(2, -1, true, true).values(), () -> in(distinct(2, 4)));
        add("topk smallest", x -> x[0].topk(2, 0, false, true).values(), () -> in(distinct(3, 2)));
        add("norm 2", x -> x[0].norm(), () -> in(away(2, 3)));
        add("norm 2 dim", x -> x[0].norm(2, 1), () -> in(away(2, 3)));
        add("norm 1 keepdim", x -> x[0].norm(1, new int[] {0}, true), () -> in(away(2, 3)));
        add("norm 3", x -> x[0].norm(3, 0, 1), () -> in(away(2, 3)));
        add("norm inf", x -> x[0].norm(Double.POSITIVE_INFINITY, 1), () -> in(away(2, 3)));   // |x| of distinct values can tie
        add("norm -inf", x -> x[0].norm(Double.NEGATIVE_INFINITY, 1), () -> in(away(2, 3)));

        // ---------------- rearranging and padding
        add("flip", x -> x[0].flip(0, -1), () -> in(away(2, 3)));
        add("roll", x -> x[0].roll(new long[] {1, -4}, new int[] {0, 1}), () -> in(away(2, 3)));
        add("roll flattened", x -> x[0].roll(2), () -> in(away(2, 3)));
        add("repeat", x -> x[0].repeat(2, 1, 2), () -> in(away(2, 3)));
        add("tile", x -> x[0].tile(2), () -> in(away(2, 3)));
        add("tril", x -> x[0].tril(), () -> in(away(3, 3)));
        add("triu", x -> x[0].triu(1), () -> in(away(2, 3, 4)));
        add("diag of a vector", x -> x[0].diag(-1), () -> in(away(3)));
        add("diag of a matrix", x -> x[0].diag(1), () -> in(away(3, 4)));
        add("pad constant", x -> x[0].pad(new long[] {1, 2, 0, 1}, "constant", 0.5), () -> in(away(2, 3)));
        add("pad cropping", x -> x[0].pad(-1, 1), () -> in(away(2, 3)));
        add("pad reflect", x -> x[0].pad(new long[] {2, 1}, "reflect", 0), () -> in(away(2, 4)));
        add("pad replicate", x -> x[0].pad(new long[] {1, 2, 2, 0}, "replicate", 0), () -> in(away(2, 3)));
        add("pad circular", x -> x[0].pad(new long[] {1, 2}, "circular", 0), () -> in(away(2, 3)));

        // ---------------- selection
        add("take", x -> x[0].take(Tensor.of(new long[] {0, 5, -1, 2}, 2, 2)), () -> in(away(2, 3)));
        add("maskedSelect", x -> x[0].maskedSelect(Tensor.of(new boolean[] {true, false, true}, 3)), () -> in(away(2, 3)));
        add("scatter src", x -> x[0].scatter(1, Tensor.of(new long[] {2, 0, 1, 1}, 2, 2), x[1]),
                () -> in(away(2, 3), away(2, 3)));
        add("scatter value", x -> x[0].scatter(0, Tensor.of(new long[] {1, 0}, 1, 2), 3.0), () -> in(away(2, 3)));
        add("indexAdd", x -> x[0].indexAdd(0, ids(1, 0, 1), x[1]), () -> in(away(2, 3), away(3, 3)));
        add("indexPut accumulate", x -> x[0].indexPut(List.of(ids(1, 0, 1)), x[1], true), () -> in(away(2, 3), away(3)));
        add("indexPut assign", x -> x[0].indexPut(List.of(ids(1), ids(2)), x[1], false), () -> in(away(2, 3), away()));
        add("indexPut repeated writes", x -> x[0].indexPut(List.of(ids(0, 0), ids(1, 1)), x[1], false),
                () -> in(away(2, 3), away(2)));   // the last write wins and alone gets the gradient
        add("index advanced", x -> x[0].index(Index.ALL, ids(2, 0, 2)), () -> in(away(2, 3)));
        add("index mixed", x -> x[0].index(ids(1, 0), Index.from(1), ids(0, 3)), () -> in(away(2, 3, 4)));
        add("index bool", x -> x[0].index(x[0].detach().gt(0)), () -> in(away(2, 3)));
        add("indexPut slice", x -> x[0].indexPut(x[1], Index.ALL, Index.slice(0, 3, 2)), () -> in(away(2, 3), away(2, 1)));

        // ---------------- einsum
        add("einsum matmul", x -> Tensor.einsum("ij,jk->ik", x[0], x[1]), () -> in(away(2, 3), away(3, 4)));
        add("einsum batch", x -> Tensor.einsum("bij,bjk->bik", x[0], x[1]), () -> in(away(2, 2, 3), away(2, 3, 2)));
        add("einsum outer", x -> Tensor.einsum("i,j", x[0], x[1]), () -> in(away(2), away(3)));
        add("einsum trace", x -> Tensor.einsum("ii", x[0]), () -> in(away(3, 3)));
        add("einsum three operands", x -> Tensor.einsum("ij,jk,k->i", x[0], x[1], x[2]),
                () -> in(away(2, 3), away(3, 2), away(2)));
        add("einsum ellipsis", x -> Tensor.einsum("...ij,...j->...i", x[0], x[1]), () -> in(away(2, 2, 3), away(3)));
    }

    static List<Case> cases() {
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void firstOrder(Case c) {
        Gradcheck.gradcheck(c.fn(), c.inputs().get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void secondOrder(Case c) {
        Gradcheck.gradgradcheck(c.fn(), c.inputs().get());
    }
}
