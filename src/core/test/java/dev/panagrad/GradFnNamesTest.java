package dev.panagrad;

import dev.panagrad.autograd.Gradcheck;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Reduction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * gradFn names as PyTorch 2.x prints them (its derivatives.yaml: an overload's node is numbered by its
 * position, e.g. sum() is SumBackward0 and sum(dim) SumBackward1), and the derivatives of the ops that got a
 * node of their own for it, against central differences, first and second order.
 */
class GradFnNamesTest {

    private static Tensor vec(double... v) {
        return Tensor.ofDoubles(v);
    }

    private static Tensor x() {
        return Tensor.of(DType.FLOAT64, new double[] {0.3, -1.2, 2.5, 0.7, -0.4, 1.9}, 2, 3).requiresGrad(true);
    }

    private static String name(Tensor t) {
        return t.gradFn().name();
    }

    @Test
    void namesMatchPyTorch() {
        Tensor x = x();
        Tensor v = vec(1, 2, 3).requiresGrad(true);
        assertEquals("PowBackward0", name(x.square()));
        assertEquals("PowBackward1", name(x.pow(x)));
        assertEquals("MaxBackward1", name(x.max()));
        assertEquals("MinBackward1", name(x.min()));
        assertEquals("MaxBackward0", name(x.max(1, false).values()));
        assertEquals("MinBackward0", name(x.min(0, true).values()));
        assertEquals("StackBackward0", name(Tensor.stack(List.of(v, v), 0)));
        assertEquals("CatBackward0", name(Tensor.cat(List.of(v, v), 0)));
        assertEquals("DotBackward0", name(v.matmul(v)));
        assertEquals("MvBackward0", name(x.matmul(v)));
        assertEquals("MmBackward0", name(x.matmul(x.t())));
        assertEquals("SumBackward0", name(x.sum()));
        assertEquals("SumBackward1", name(x.sum(1, false)));
        assertEquals("MeanBackward0", name(x.mean()));
        assertEquals("MeanBackward1", name(x.mean(0, true)));
        assertEquals("ProdBackward0", name(x.prod()));
        assertEquals("ProdBackward1", name(x.prod(1, false)));
        assertEquals("ClampBackward1", name(x.clamp(-1, 1)));
        assertEquals("ClampMinBackward0", name(x.clampMin(0)));
        assertEquals("ClampMaxBackward0", name(x.clampMax(0)));
        assertEquals("AddBackward0", name(x.add(2)));
        assertEquals("VarBackward0", name(x.var()));
        assertEquals("StdBackward0", name(x.std(new int[] {1}, 1, false)));
        assertEquals("LogsumexpBackward0", name(x.logsumexp(1, true)));
        assertEquals("TransposeBackward0", name(x.transpose(0, 1)));
        assertEquals("TBackward0", name(x.t()));
        Tensor target = Tensor.of(new long[] {2, 0}, 2);
        assertEquals("MseLossBackward0", name(Losses.mseLoss(x, x.detach().mul(0.5))));
        assertEquals("NllLossBackward0", name(Losses.nllLoss(x.logSoftmax(1), target)));
        assertEquals("NllLossBackward0", name(Losses.crossEntropy(x, target)),
                "PyTorch's cross_entropy is log_softmax + nll_loss, so its grad_fn is NllLossBackward0");
    }

    @Test
    void theNewNodesHaveTheRightDerivatives() {
        Tensor v = vec(0.5, -1.5, 2).requiresGrad(true);
        Tensor m = x();
        Tensor t = Tensor.of(DType.FLOAT64, new double[] {0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, 2, 3).requiresGrad(true);
        Tensor target = Tensor.of(new long[] {2, 0}, 2);
        check(in -> in[0].matmul(in[0].mul(in[0])), v);                                  // DotBackward0
        check(in -> in[0].matmul(in[1]), m, v);                                           // MvBackward0
        check(in -> in[0].t().matmul(in[0]), m);                                          // TBackward0
        check(in -> Tensor.stack(List.of(in[0], in[0].mul(in[0])), 1), v);               // StackBackward0
        check(in -> in[0].max(1, false).values().mul(in[0].min(0, true).values().sum()), m);        // Max/MinBackward0
        check(in -> in[0].var(new int[] {1}, 1, false).add(in[0].std().mul(in[0].sum())), m);  // Var/StdBackward0
        check(in -> in[0].std(new int[] {0}, 0, true).mul(in[0]), m);
        check(in -> in[0].logsumexp(new int[] {0, 1}, false).add(in[0].logsumexp(0, true).sum()), m);
        for (Reduction r : Reduction.values()) {
            check(in -> Losses.mseLoss(in[0].mul(in[0]), in[1], r), m, t);               // MseLossBackward0
            check(in -> Losses.nllLoss(in[0].logSoftmax(1), target, -100, r), m);        // NllLossBackward0
        }
        // values: mse = mean((m - t)^2), nll = -mean(logp[i, t_i]); PyTorch's definitions
        Tensor a = x(), b = t.detach();
        double mse = 0;
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
        for (int i = 0; i < av.length; i++) mse += (av[i] - bv[i]) * (av[i] - bv[i]) / av.length;
        assertEquals(mse, Losses.mseLoss(a, b).item(), 1e-12);
        double[] lp = a.logSoftmax(1).toDoubleArray();
        assertEquals(-(lp[2] + lp[3]) / 2, Losses.nllLoss(a.logSoftmax(1), target).item(), 1e-12);
    }

    private static void check(java.util.function.Function<Tensor[], Tensor> f, Tensor... in) {
        Gradcheck.gradcheck(f, in);
        Gradcheck.gradgradcheck(f, in);
    }
}
