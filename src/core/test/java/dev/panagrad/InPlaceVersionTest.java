package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Version counters, the checks on saved tensors, and what in-place ops may do inside a graph. */
class InPlaceVersionTest {

    private static Tensor vec(double... v) {
        return Tensor.of(DType.FLOAT64, v, v.length);
    }

    @Test
    void everyInPlaceWriteBumpsTheVersionSharedWithViews() {
        Tensor t = vec(1, 2, 3, 4);
        Tensor view = t.view(2, 2).t();
        assertEquals(0, t.version());
        t.add_(1);
        assertEquals(1, t.version());
        assertEquals(1, view.version());
        view.mul_(2);
        assertEquals(2, t.version());
        assertArrayEquals(new double[] {4, 6, 8, 10}, t.toDoubleArray());
        Tensor fresh = t.add(1);
        assertEquals(0, fresh.version(), "an out-of-place result has its own counter");
    }

    @Test
    void inPlaceOnALeafThatRequiresGradFails() {
        Tensor w = vec(1, 2).requiresGrad(true);
        var e = assertThrows(IllegalStateException.class, () -> w.mul_(2));
        assertTrue(e.getMessage().contains("a leaf Variable that requires grad is being used in an in-place operation"),
                e.getMessage());
        assertEquals(0, w.version());
    }

    @Test
    void modifyingASavedTensorFailsAtBackwardNamingTheNodeAndVersions() {
        Tensor a = vec(0.5, 1).requiresGrad(true);
        Tensor h = a.mul(2);
        Tensor s = h.sin();   // SinBackward0 saves h at version 0
        h.add_(1);
        var e = assertThrows(IllegalStateException.class, () -> s.sum().backward());
        String m = e.getMessage();
        assertTrue(m.contains("modified by an inplace operation"), m);
        assertTrue(m.contains("SinBackward0"), m);
        assertTrue(m.contains("version 1") && m.contains("expected version 0"), m);
    }

    @Test
    void modifyingASavedTensorThroughAViewIsCaughtToo() {
        Tensor a = vec(0.5, 1).requiresGrad(true);
        Tensor h = a.mul(2);
        Tensor s = h.exp();          // ExpBackward0 saves its result s
        s.detach().narrow(0, 0, 1).fill_(0);
        assertThrows(IllegalStateException.class, () -> s.sum().backward());
    }

    @Test
    void inPlaceOnAValueNothingSavedIsAllowed() {
        Tensor x = vec(-2, 0.5, 3).requiresGrad(true);
        Tensor r = x.add(1);   // AddBackward0 saves nothing
        r.relu_();
        assertEquals("ReluBackward0", r.gradFn().name());
        r.mul(vec(1, 2, 3)).sum().backward();
        // d relu(x + 1)/dx = [x + 1 > 0], weighted by [1, 2, 3]
        assertArrayEquals(new double[] {0, 2, 3}, x.grad().toDoubleArray());
    }

    @Test
    void inPlaceOpsWhoseDerivativeNeedsTheOldValueKeepACopy() {
        Tensor x = vec(1.5, -2).requiresGrad(true);
        Tensor y = x.mul(3);
        y.mul_(x);   // y = 3x^2, so dy/dx = 6x
        y.log_();    // y = log(3x^2), so dy/dx = 2/x
        y.sum().backward();
        assertArrayEquals(new double[] {2 / 1.5, 2 / -2.0}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void inPlaceCopyOfAValueWithHistoryRecordsIt() {
        Tensor x = vec(1, 2).requiresGrad(true);
        Tensor buffer = Tensor.zeros(DType.FLOAT64, 2);
        buffer.copy_(x.square());   // buffer = x^2 now depends on x
        assertTrue(buffer.requiresGrad());
        buffer.sum().backward();
        assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray());
    }

    @Test
    void theVersionErrorNamesTheProducerAndHintsAtAnomalyDetection() {
        // PyTorch: "[torch.FloatTensor [2]], which is output 0 of SigmoidBackward0, is at version 1; expected
        // version 0 instead. Hint: enable anomaly detection ..."
        Tensor x = vec(0.5, 1).requiresGrad(true);
        Tensor y = x.sigmoid();
        y.mul_(2);
        var e = assertThrows(AutogradException.InPlaceModified.class, () -> y.sum().backward());
        String m = e.getMessage();
        assertTrue(m.contains("[[2] float64], which is output 0 of SigmoidBackward0, is at version 1; expected "
                + "version 0 instead"), m);
        assertTrue(m.contains("Hint: enable anomaly detection"), m);
    }

    @Test
    void inAnomalyModeTheVersionErrorShowsWhereTheFailingNodeWasCreated() {
        Tensor x = vec(0.5, 1).requiresGrad(true);
        try (var a = Anomaly.detect()) {
            Tensor y = x.sigmoid();
            y.mul_(2);
            var e = assertThrows(AutogradException.InPlaceModified.class, () -> y.sum().backward());
            String m = e.getMessage();
            assertTrue(m.contains("the forward call that created SigmoidBackward0"), m);
            assertTrue(m.contains("InPlaceVersionTest.inAnomalyModeTheVersionErrorShowsWhereTheFailingNodeWasCreated"), m);
        }
    }
}
