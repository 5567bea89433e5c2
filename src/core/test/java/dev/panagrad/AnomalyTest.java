package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Anomaly mode: a backward node producing NaN is named, with the place its forward op was called. */
class AnomalyTest {

    @Test
    void anomalyModeNamesTheNodeAndWhereItsForwardRan() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 1}, 2).requiresGrad(true);
        Tensor y;
        try (var anomaly = Anomaly.detect()) {
            y = x.sqrt().mul(0).sum();   // d sqrt(x)/dx = 1 / (2 sqrt x): 0 * inf = NaN at x = 0
            var e = assertThrows(IllegalStateException.class, y::backward);
            String m = e.getMessage();
            assertTrue(m.contains("SqrtBackward0"), m);
            assertTrue(m.contains("nan"), m);
            assertTrue(m.contains("anomalyModeNamesTheNodeAndWhereItsForwardRan"), m);
        }
        assertFalse(Anomaly.isEnabled());
    }

    @Test
    void withoutAnomalyModeTheNanReachesTheGradient() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 1}, 2).requiresGrad(true);
        x.sqrt().mul(0).sum().backward();
        assertTrue(Double.isNaN(x.grad().toDoubleArray()[0]));
        assertEquals(0.0, x.grad().toDoubleArray()[1]);
    }
}
