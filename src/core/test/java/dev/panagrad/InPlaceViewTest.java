package dev.panagrad;

import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * In-place ops through views (PyTorch's CopySlices): the base's history is rewritten so that the written
 * region's gradient goes through the op and the rest is unchanged. Expected values follow from the math stated
 * in each test (PyTorch computes the same); general cases are checked against central differences, first and
 * second order.
 */
class InPlaceViewTest {

    private static Tensor vec(double... v) {
        return Tensor.ofDoubles(v);
    }

    @Test
    void writesThroughSelectAndNarrowRouteTheirRegionsThroughTheOps() {
        Tensor root = vec(0.5, 1, 2).requiresGrad(true);
        Tensor x = root.clone();
        x.select(0, 0).mul_(2);
        x.narrow(0, 1, 2).exp_();
        assertEquals("CopySlices", x.gradFn().name());
        assertArrayEquals(new double[] {1, Math.E, Math.exp(2)}, x.toDoubleArray(), 1e-12);
        x.sum().backward();
        // x = [2 r0, e^r1, e^r2], so dx/dr = [2, e^r1, e^r2]
        assertArrayEquals(new double[] {2, Math.E, Math.exp(2)}, root.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void theViewItselfTakesTheNewHistory() {
        Tensor root = vec(1, 2, 3).requiresGrad(true);
        Tensor x = root.mul(1);
        Tensor v = x.narrow(0, 0, 2);
        v.mul_(3);
        assertEquals("AsStridedBackward0", v.gradFn().name());   // PyTorch regenerates the view's grad_fn so
        v.sum().backward();
        // v = 3 [r0, r1]
        assertArrayEquals(new double[] {3, 3, 0}, root.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void viewsOfViewsTransposesAndReshapesGradcheck() {
        Tensor r = Tensor.of(DType.FLOAT64, new double[] {0.3, -0.7, 1.1, 0.4, -0.2, 0.9}, 2, 3).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {0.5, -1.5}, 2).requiresGrad(true);
        java.util.function.Function<Tensor[], Tensor> f = in -> {
            Tensor x = in[0].mul(1);
            x.transpose(0, 1).select(0, 1).mul_(in[1]);        // column 1 times w
            x.view(6).slice(0, 0, 6, 2).tanh_();                // every other element, through a flat view
            x.narrow(1, 2, 1).narrow(0, 1, 1).pow_(2);          // a view of a view
            return x.mul(x.add(1));                             // uses the result non-linearly
        };
        Gradcheck.gradcheck(f, r, w);
        Gradcheck.gradgradcheck(f, r, w);
    }

    @Test
    void maskedFillCopyAndIndexStyleWritesThroughViews() {
        Tensor r = Tensor.of(DType.FLOAT64, new double[] {0.3, -0.7, 1.1, 0.4, -0.2, 0.9}, 2, 3).requiresGrad(true);
        Tensor s = Tensor.of(DType.FLOAT64, new double[] {2.5, -1.25}, 2).requiresGrad(true);
        Tensor mask = Tensor.of(new boolean[] {true, false, true}, 3);
        java.util.function.Function<Tensor[], Tensor> f = in -> {
            Tensor x = in[0].mul(in[0]);
            x.select(0, 0).maskedFill_(mask, 0.5);   // x[0][mask] = 0.5
            x.select(1, 1).copy_(in[1]);             // x[:, 1] = s
            x.select(0, 1).select(0, 2).fill_(3);    // x[1, 2] = 3
            return x.exp();
        };
        Gradcheck.gradcheck(f, r, s);
        Gradcheck.gradgradcheck(f, r, s);

        Tensor x = r.mul(r);
        x.select(0, 0).maskedFill_(mask, 0.5);
        x.select(1, 1).copy_(s);
        x.sum().backward();
        // x = [[0.5, s0, 0.5], [r10^2, s1, r12^2]]: only r10 and r12 still matter, with gradient 2r
        assertArrayEquals(new double[] {0, 0, 0, 0.8, 0, 1.8}, r.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1, 1}, s.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aViewOfALeafThatRequiresGradIsRefusedWithPyTorchsMessage() {
        Tensor w = vec(1, 2, 3).requiresGrad(true);
        Tensor v = w.narrow(0, 0, 2);
        var e = assertThrows(AutogradException.InPlaceNotAllowed.class, () -> v.mul_(2));
        assertTrue(e.getMessage().contains("a view of a leaf Variable that requires grad is being used in an "
                + "in-place operation"), e.getMessage());
        try (var off = GradMode.noGrad()) {
            v.mul_(2);   // an optimizer-style update is fine
        }
        assertArrayEquals(new double[] {2, 4, 3}, w.toDoubleArray());
    }

    @Test
    void aViewMadeBeforeItsBaseRequiredGradStillSeesTheLeaf() {
        Tensor b = vec(1, 2, 3);
        Tensor v = b.narrow(0, 1, 2);
        b.requiresGrad(true);
        var e = assertThrows(AutogradException.InPlaceNotAllowed.class, () -> v.add_(1));
        assertTrue(e.getMessage().contains("a view of a leaf Variable"), e.getMessage());
    }

    @Test
    void aViewOfABaseModifiedInPlaceLaterFollowsTheBasesHistory() {
        Tensor w = vec(2, 3).requiresGrad(true);
        Tensor b = vec(1, 1, 1);
        Tensor v = b.narrow(0, 0, 2);                  // made while b needs no grad
        b.narrow(0, 1, 2).mul_(vec(5, 7));             // b = [1, 5, 7], still constant
        assertFalse(b.requiresGrad());
        b.narrow(0, 0, 2).mul_(w);                     // b = [w0, 5 w1, 7]: now b has a history
        assertTrue(b.requiresGrad());
        assertEquals("CopySlices", b.gradFn().name());
        assertTrue(v.requiresGrad(), "the older view sees the base's new history");
        v.mul(vec(1, 10)).sum().backward();
        // v = [w0, 5 w1], weighted by [1, 10]: d/dw = [1, 50]
        assertArrayEquals(new double[] {1, 50}, w.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void anInPlaceOnThePlainBaseThroughAViewWithAGradOperandRecordsTheBase() {
        Tensor w = vec(2, 3).requiresGrad(true);
        Tensor b = vec(1, 1, 1);
        b.narrow(0, 0, 2).add_(w.square());           // b = [1 + w0^2, 1 + w1^2, 1]
        b.mul(vec(1, 2, 3)).sum().backward();
        // d/dw (1 + w0^2) + 2 (1 + w1^2) = [2 w0, 4 w1]
        assertArrayEquals(new double[] {4, 12}, w.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aSavedTensorOverwrittenThroughAViewIsCaughtNamingItsProducer() {
        Tensor x = vec(0.5, 1).requiresGrad(true);
        Tensor y = x.sigmoid();                        // SigmoidBackward0 saves its output y
        y.narrow(0, 0, 1).mul_(2);
        var e = assertThrows(AutogradException.InPlaceModified.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("output 0 of SigmoidBackward0"), e.getMessage());
    }

    @Test
    void viewsShareTheBasesVersionCounterAndRefuseDetachInPlace() {
        Tensor b = vec(1, 2, 3, 4);
        Tensor v = b.view(2, 2).select(0, 1);
        assertTrue(v.isView());
        assertFalse(b.isView());
        v.add_(1);
        assertEquals(1, b.version());
        assertEquals(b.version(), v.version());
        var e = assertThrows(AutogradException.InPlaceNotAllowed.class, v::detach_);
        assertTrue(e.getMessage().contains("Can't detach views in-place. Use detach() instead"), e.getMessage());
        assertFalse(v.detach().isView(), "detach() of a view is a new tensor, not a view");
    }

    @Test
    void aViewMadeInNoGradModeCannotBeModifiedWithGradOn() {
        Tensor x = vec(1, 2).requiresGrad(true).mul(1);
        Tensor v;
        try (var off = GradMode.noGrad()) {
            v = x.narrow(0, 0, 1);
        }
        var e = assertThrows(AutogradException.InPlaceNotAllowed.class, () -> v.mul_(2));
        assertTrue(e.getMessage().contains("A view was created in no_grad mode"), e.getMessage());
    }
}
