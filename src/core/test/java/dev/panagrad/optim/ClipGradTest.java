package dev.panagrad.optim;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** clipGradNorm treats all gradients as one vector. */
class ClipGradTest {
    private static List<Tensor> params(double[] g1, double[] g2) {
        Tensor a = Parameter.of(Tensor.zeros(DType.FLOAT64, g1.length));
        Tensor b = Parameter.of(Tensor.zeros(DType.FLOAT64, g2.length));
        a.setGrad(Tensor.of(DType.FLOAT64, g1, g1.length));
        b.setGrad(Tensor.of(DType.FLOAT64, g2, g2.length));
        return List.of(a, b);
    }

    @Test
    void scalesWhenTheTotalNormIsTooLarge() {
        // gradients (3, 0) and (4): 2-norm 5; clipped to 1 they are scaled by 1 / (5 + 1e-6)
        List<Tensor> ps = params(new double[] {3, 0}, new double[] {4});
        assertEquals(5, ClipGrad.clipGradNorm(ps, 1.0), 1e-12);
        double c = 1 / (5 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 0}, ps.get(0).grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {4 * c}, ps.get(1).grad().toDoubleArray(), 1e-12);
    }

    @Test
    void leavesSmallGradientsAloneAndSupportsOtherNorms() {
        List<Tensor> ps = params(new double[] {3, 0}, new double[] {-4});
        assertEquals(5, ClipGrad.clipGradNorm(ps, 10), 1e-12);
        assertArrayEquals(new double[] {3, 0}, ps.get(0).grad().toDoubleArray());
        // infinity norm: max |g| = 4; 1-norm: 7
        assertEquals(4, ClipGrad.clipGradNorm(ps, 10, Double.POSITIVE_INFINITY), 1e-12);
        assertEquals(7, ClipGrad.clipGradNorm(ps, 3.5, 1), 1e-12);
        assertArrayEquals(new double[] {-4 * 3.5 / (7 + 1e-6)}, ps.get(1).grad().toDoubleArray(), 1e-12);
    }
}
