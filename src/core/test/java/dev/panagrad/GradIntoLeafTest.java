package dev.panagrad;

import dev.panagrad.nn.Linear;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that adds a leaf's gradient straight into its {@code .grad} (a linear layer's weight gradient,
 * written by its product) gives what accumulating a separate gradient gives, keeps the gradient tensor,
 * bumps its version and runs the post-accumulate hooks; where a hook, a second use of the leaf or a
 * differentiable gradient is in play, the gradient goes the usual way.
 */
class GradIntoLeafTest {

    @Test
    void addsIntoAnExistingGradient() {
        Generator.manualSeed(1);
        Tensor x = Tensor.randn(6, 5), w = Tensor.randn(3, 5).requiresGrad(true), b = Tensor.randn(3).requiresGrad(true);
        Tensor before = Tensor.randn(3, 5);
        w.setGrad(before.clone());
        Tensor grad = w.grad();
        long version = grad.version();
        List<String> events = new ArrayList<>();
        w.registerPostAccumulateGradHook(t -> events.add("accumulated"));
        Tensor upstream = Tensor.randn(6, 3);
        Linear.linear(x, w, b).backward(upstream);
        assertSame(grad, w.grad(), "the gradient tensor is kept");
        assertTrue(grad.version() > version, "the add bumps the gradient's version");
        assertEquals(List.of("accumulated"), events);
        assertClose(before.add(upstream.t().mm(x)), w.grad());
        assertClose(upstream.sum(0, false), b.grad());
    }

    @Test
    void aHookOnTheLeafSeesTheGradientFirst() {
        Generator.manualSeed(2);
        Tensor x = Tensor.randn(4, 3), w = Tensor.randn(2, 3).requiresGrad(true);
        w.setGrad(Tensor.zeros(2, 3));
        List<Tensor> seen = new ArrayList<>();
        w.registerHook(g -> {
            seen.add(g.detach().clone());
            return g.mul(2);
        });
        Tensor upstream = Tensor.randn(4, 2);
        Linear.linear(x, w, null).backward(upstream);
        assertEquals(1, seen.size());
        assertClose(upstream.t().mm(x), seen.get(0));
        assertClose(upstream.t().mm(x).mul(2), w.grad());
    }

    @Test
    void aLeafUsedTwiceGetsBothGradients() {
        Generator.manualSeed(3);
        Tensor x = Tensor.randn(4, 3), w = Tensor.randn(3, 3).requiresGrad(true);
        Tensor start = Tensor.randn(3, 3);
        w.setGrad(start.clone());
        Tensor h = Linear.linear(x, w, null);
        Tensor y = Linear.linear(h, w, null);
        Tensor upstream = Tensor.randn(4, 3);
        y.backward(upstream);
        Tensor gh = upstream.mm(w.detach());
        assertClose(start.add(upstream.t().mm(h.detach())).add(gh.t().mm(x)), w.grad());
    }

    @Test
    void aDifferentiableGradientIsNotWrittenInPlace() {
        Generator.manualSeed(4);
        Tensor x = Tensor.randn(4, 3), w = Tensor.randn(2, 3).requiresGrad(true);
        w.setGrad(Tensor.zeros(2, 3));
        Tensor grad = w.grad();
        Linear.linear(x, w, null).square().sum().backward(null, true, true);
        assertNotSame(grad, w.grad(), "with createGraph the sum is a new, recorded tensor");
        assertTrue(w.grad().requiresGrad());
    }

    private static void assertClose(Tensor want, Tensor got) {
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(a[i])), "at " + i + ": " + a[i] + " vs " + b[i]);
        }
    }
}
