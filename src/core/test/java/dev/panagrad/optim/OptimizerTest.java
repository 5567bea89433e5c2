package dev.panagrad.optim;

import dev.panagrad.AutogradException;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three steps of each optimizer against its update formulas evaluated by hand, element by element. */
class OptimizerTest {
    private static final double[] START = {0.5, -1.0, 2.0};
    private static final int STEPS = 3;

    /** The gradient fed at step t (1-based): changes sign and size so that momentum terms matter. */
    private static double[] grad(int t) {
        return new double[] {0.1 * t, -0.2 + 0.05 * t, 0.3 * t * t - 1};
    }

    private static Tensor param() {
        return Parameter.of(Tensor.of(DType.FLOAT64, START.clone(), 3));
    }

    /** Runs the optimizer for STEPS steps with the fixed gradients and returns the parameter values. */
    private static double[] run(Tensor p, Optimizer opt) {
        for (int t = 1; t <= STEPS; t++) {
            p.setGrad(Tensor.of(DType.FLOAT64, grad(t), 3));
            opt.step();
        }
        return p.toDoubleArray();
    }

    /** The per-element update rule of a reference optimizer: state arrays and the step number. */
    private interface Rule {
        double apply(double p, double g, double[] state, int t);
    }

    private static double[] byHand(int stateSize, Rule rule) {
        double[] p = START.clone();
        double[][] state = new double[3][stateSize];
        for (int t = 1; t <= STEPS; t++) {
            double[] g = grad(t);
            for (int i = 0; i < 3; i++) p[i] = rule.apply(p[i], g[i], state[i], t);
        }
        return p;
    }

    @Test
    void plainSgd() {
        // p -= lr * g
        Tensor p = param();
        assertArrayEquals(byHand(0, (x, g, s, t) -> x - 0.1 * g), run(p, new SGD(List.of(p), 0.1)), 1e-12);
    }

    @Test
    void sgdWithMomentumDampeningAndWeightDecay() {
        double lr = 0.1, mu = 0.9, damp = 0.3, wd = 0.01;
        // d = g + wd p; buf = d at t = 1, else mu buf + (1 - damp) d; p -= lr buf
        double[] expected = byHand(1, (x, g, s, t) -> {
            double d = g + wd * x;
            s[0] = t == 1 ? d : mu * s[0] + (1 - damp) * d;
            return x - lr * s[0];
        });
        Tensor p = param();
        assertArrayEquals(expected, run(p, new SGD(List.of(p), lr).momentum(mu).dampening(damp).weightDecay(wd)), 1e-12);
    }

    @Test
    void sgdNesterov() {
        double lr = 0.05, mu = 0.8;
        // buf as above without dampening; p -= lr (g + mu buf)
        double[] expected = byHand(1, (x, g, s, t) -> {
            s[0] = t == 1 ? g : mu * s[0] + g;
            return x - lr * (g + mu * s[0]);
        });
        Tensor p = param();
        assertArrayEquals(expected, run(p, new SGD(List.of(p), lr).momentum(mu).nesterov(true)), 1e-12);
        Tensor q = param();
        SGD bad = new SGD(List.of(q), lr).nesterov(true);
        q.setGrad(Tensor.of(DType.FLOAT64, grad(1), 3));
        var e = assertThrows(IllegalStateException.class, bad::step);
        assertTrue(e.getMessage().startsWith("SGD: Nesterov momentum requires a momentum and zero dampening"));
    }

    /** Adam's rule; {@code decoupled} applies the weight decay as AdamW does. */
    private static Rule adam(double lr, double b1, double b2, double eps, double wd, boolean decoupled) {
        return (x, g, s, t) -> {
            double d = g;
            if (decoupled) x *= 1 - lr * wd;
            else d += wd * x;
            s[0] = b1 * s[0] + (1 - b1) * d;
            s[1] = b2 * s[1] + (1 - b2) * d * d;
            double mHat = s[0] / (1 - Math.pow(b1, t)), vHat = s[1] / (1 - Math.pow(b2, t));
            return x - lr * mHat / (Math.sqrt(vHat) + eps);
        };
    }

    @Test
    void adam() {
        Tensor p = param();
        assertArrayEquals(byHand(2, adam(0.01, 0.9, 0.999, 1e-8, 0, false)), run(p, new Adam(List.of(p), 0.01)), 1e-12);
        Tensor q = param();
        Optimizer opt = new Adam(List.of(q), 0.02).betas(0.8, 0.99).eps(1e-3).weightDecay(0.1);
        assertArrayEquals(byHand(2, adam(0.02, 0.8, 0.99, 1e-3, 0.1, false)), run(q, opt), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(q), 0.01).betas(1.0, 0.9));
    }

    @Test
    void adamW() {
        Tensor p = param();
        // default weight decay 0.01, decoupled: p *= 1 - lr * wd before the Adam step
        assertArrayEquals(byHand(2, adam(0.01, 0.9, 0.999, 1e-8, 0.01, true)), run(p, new AdamW(List.of(p), 0.01)),
                1e-12);
    }

    @Test
    void rmsprop() {
        double lr = 0.01, alpha = 0.9, eps = 1e-6, mu = 0.5, wd = 0.05;
        Tensor p = param();
        // s = alpha s + (1 - alpha) g^2; p -= lr g / (sqrt(s) + eps)
        double[] plain = byHand(1, (x, g, s, t) -> {
            s[0] = alpha * s[0] + (1 - alpha) * g * g;
            return x - lr * g / (Math.sqrt(s[0]) + eps);
        });
        assertArrayEquals(plain, run(p, new RMSprop(List.of(p), lr).alpha(alpha).eps(eps)), 1e-12);
        // centered with momentum and weight decay: a = alpha a + (1 - alpha) d; buf = mu buf + d / (sqrt(s - a^2) + eps)
        double[] centered = byHand(3, (x, g, s, t) -> {
            double d = g + wd * x;
            s[0] = alpha * s[0] + (1 - alpha) * d * d;
            s[1] = alpha * s[1] + (1 - alpha) * d;
            s[2] = mu * s[2] + d / (Math.sqrt(s[0] - s[1] * s[1]) + eps);
            return x - lr * s[2];
        });
        Tensor q = param();
        RMSprop opt = new RMSprop(List.of(q), lr).alpha(alpha).eps(eps).momentum(mu).weightDecay(wd).centered(true);
        assertArrayEquals(centered, run(q, opt), 1e-12);
    }

    @Test
    void perGroupLearningRatesAndZeroGrad() {
        Tensor a = param(), b = param();
        SGD opt = new SGD(0.1, new ParamGroup(List.of(a)).set("lr", 0.01), new ParamGroup(List.of(b)));
        assertEquals(0.01, opt.lr(0));
        assertEquals(0.1, opt.lr(1));
        assertArrayEquals(byHand(0, (x, g, s, t) -> x - 0.01 * g), run(a, opt), 1e-12);
        opt.zeroGrad(false);
        assertEquals(0, a.grad().abs().sum().item());
        opt.zeroGrad();   // PyTorch 2's default: set_to_none=True
        assertNull(a.grad());
        assertNull(b.grad());   // b never had a gradient, so it never moved
        assertArrayEquals(START, b.toDoubleArray());
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(0.1, new ParamGroup(List.of(a)).set("betas", 1)));
        assertTrue(e.getMessage().startsWith("SGD: unknown option 'betas'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(0.1, new ParamGroup(List.of(a)), new ParamGroup(List.of(a))));
        assertThrows(IllegalArgumentException.class, () -> new ParamGroup(List.of(a.mul(2))));
    }

    @Test
    void stateDictRoundTripContinuesIdentically() {
        Tensor p = param(), q = param();
        Adam a = new Adam(List.of(p), 0.01);
        for (int t = 1; t <= 2; t++) {
            p.setGrad(Tensor.of(DType.FLOAT64, grad(t), 3));
            a.step();
        }
        Map<String, Tensor> saved = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> saved.put(k, v.clone()));
        assertEquals(2, saved.get("state.0.step").item());
        assertEquals(DType.INT64, saved.get("state.0.step").dtype());
        assertEquals(0.01, saved.get("param_groups.0.lr").item());
        try (var off = dev.panagrad.GradMode.noGrad()) {
            q.copy_(p);
        }
        Adam b = new Adam(List.of(q), 0.5);   // the loaded lr 0.01 replaces 0.5
        b.loadStateDict(saved);
        assertEquals(0.01, b.lr(0));
        p.setGrad(Tensor.of(DType.FLOAT64, grad(3), 3));
        q.setGrad(Tensor.of(DType.FLOAT64, grad(3), 3));
        a.step();
        b.step();
        assertArrayEquals(p.toDoubleArray(), q.toDoubleArray());
        assertEquals(3, b.state(q).step());
    }

    @Test
    void loadStateDictRejectsMismatchesAndKeepsItsState() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1).momentum(0.9);
        p.setGrad(Tensor.of(DType.FLOAT64, grad(1), 3));
        opt.step();
        Tensor buf = opt.state(p).get("momentum_buffer");
        Map<String, Tensor> bad = new LinkedHashMap<>(opt.stateDict());
        bad.put("state.0.momentum_buffer", Tensor.zeros(DType.FLOAT64, 4));
        bad.put("state.5.momentum_buffer", Tensor.zeros(DType.FLOAT64, 3));
        bad.put("param_groups.0.betas", Tensor.scalar(DType.FLOAT64, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("loadStateDict: Error(s) in loading optimizer state for SGD: "), msg);
        assertTrue(msg.contains("mismatch for state.0.momentum_buffer: checkpoint has [4] float64, the parameter is [3] "
                + "float64"), msg);
        assertTrue(msg.contains("state.5.momentum_buffer names parameter 5 of 1"), msg);
        assertTrue(msg.contains("unknown option in param_groups.0.betas"), msg);
        assertSame(buf, opt.state(p).get("momentum_buffer"));
    }

    /** float32 parameters of several sizes, the largest split across threads, each a fresh leaf. */
    private static List<Tensor> floatParams() {
        Generator.manualSeed(5);
        return List.of(Parameter.of(Tensor.randn(70_001)), Parameter.of(Tensor.randn(37, 41)), Parameter.of(Tensor.randn(1)));
    }

    /** The same values as {@code g} in a tensor that is not contiguous (every other element of a wider one). */
    private static Tensor strided(Tensor g) {
        return Tensor.stack(List.of(g, g), -1).select(-1, 0);
    }

    @Test
    void fusedFloat32StepsMatchTheOneOpAtATimeUpdates() {
        List<java.util.function.Function<List<Tensor>, Optimizer>> makers = List.of(
                ps -> new Adam(ps, 1e-2).weightDecay(0.1),
                ps -> new AdamW(ps, 1e-2),
                ps -> new SGD(ps, 0.1),
                ps -> new SGD(ps, 0.1).momentum(0.9).dampening(0.2).weightDecay(0.01),
                ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true));
        for (var make : makers) {
            List<Tensor> fused = floatParams(), single = floatParams();
            Optimizer a = make.apply(fused), b = make.apply(single);
            for (int t = 1; t <= STEPS; t++) {
                for (int i = 0; i < fused.size(); i++) {
                    Tensor g = Tensor.randn(fused.get(i).shape());
                    fused.get(i).setGrad(g);
                    single.get(i).setGrad(strided(g));   // not contiguous: the optimizer updates one op at a time
                }
                long before = fused.getFirst().version();
                a.step();
                b.step();
                assertTrue(fused.getFirst().version() > before, "the fused step bumps the parameter's version");
            }
            for (int i = 0; i < fused.size(); i++) {
                double[] want = single.get(i).toDoubleArray(), got = fused.get(i).toDoubleArray();
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got[j], 1e-6 * (1 + Math.abs(want[j])), a.getClass().getSimpleName() + " param " + i + "[" + j + "]");
                }
            }
            assertArrayEquals(b.stateDict().keySet().toArray(), a.stateDict().keySet().toArray());
        }
    }

    @Test
    void aFusedStepInvalidatesTheGraphsThatSavedAParameter() {
        Tensor p = Parameter.of(Tensor.randn(5));
        Tensor y = p.mul(p).sum();   // mul saves p for its derivative
        p.setGrad(Tensor.ones(5));
        new Adam(List.of(p), 0.1).step();
        assertThrows(AutogradException.InPlaceModified.class, y::backward);
    }

    @Test
    void zeroGradInPlaceZeroesEveryGradientAlsoOfMixedDtypes() {
        List<Tensor> ps = floatParams();
        for (List<Tensor> params : List.of(ps, List.of(ps.get(1), Parameter.of(Tensor.randn(4).to(DType.FLOAT64))))) {
            for (Tensor p : params) p.setGrad(Tensor.randn(p.shape()).to(p.dtype()));
            List<Tensor> grads = params.stream().map(Tensor::grad).toList();
            long before = grads.getFirst().version();
            Parameter.zeroGrad(params, false);
            for (int i = 0; i < params.size(); i++) {
                assertSame(grads.get(i), params.get(i).grad(), "the gradient's memory is kept");
                assertEquals(0, grads.get(i).abs().sum().item());
            }
            assertTrue(grads.getFirst().version() > before);
        }
    }
}
