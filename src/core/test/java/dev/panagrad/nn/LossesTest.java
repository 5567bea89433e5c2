package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loss values and gradients against the formulas computed by hand in double precision. */
class LossesTest {
    private static final double[] LOGITS = {
        1.0, 2.0, 0.5,
        -1.0, 0.0, 3.0,
        0.2, 0.2, 0.2,
        2.5, -0.5, 1.0};
    private static final long[] LABELS = {1, 2, -100, 0};

    private static double[] logSoftmaxRow(int r) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int c = 0; c < 3; c++) max = Math.max(max, LOGITS[r * 3 + c]);
        for (int c = 0; c < 3; c++) sum += Math.exp(LOGITS[r * 3 + c] - max);
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) out[c] = LOGITS[r * 3 + c] - max - Math.log(sum);
        return out;
    }

    /** loss_i = -((1 - eps) logp[t_i] + eps/C sum_c logp[c]); ignored rows give 0. */
    private static double[] perRow(double eps) {
        double[] out = new double[4];
        for (int r = 0; r < 4; r++) {
            if (LABELS[r] == -100) continue;
            double[] lp = logSoftmaxRow(r);
            double all = lp[0] + lp[1] + lp[2];
            out[r] = -((1 - eps) * lp[(int) LABELS[r]] + eps / 3 * all);
        }
        return out;
    }

    @Test
    void crossEntropyWithLabelSmoothingAndIgnoreIndex() {
        Tensor labels = Tensor.of(LABELS, 4);
        for (double eps : new double[] {0, 0.1}) {
            double[] rows = perRow(eps);
            Tensor logits = Tensor.of(DType.FLOAT64, LOGITS, 4, 3).requiresGrad(true);
            assertArrayEquals(rows, Losses.crossEntropy(logits, labels, -100, eps, Reduction.NONE).toDoubleArray(), 1e-12);
            assertEquals(rows[0] + rows[1] + rows[3],
                    Losses.crossEntropy(logits, labels, -100, eps, Reduction.SUM).item(), 1e-12);
            // the mean divides by the 3 rows that are not ignored
            Tensor mean = Losses.crossEntropy(logits, labels, -100, eps, Reduction.MEAN);
            assertEquals((rows[0] + rows[1] + rows[3]) / 3, mean.item(), 1e-12);
            // d mean / d x_rc = (softmax_rc - q_rc) / 3 with q = (1 - eps) onehot + eps / 3; 0 on the ignored row
            mean.backward();
            double[] g = logits.grad().toDoubleArray();
            for (int r = 0; r < 4; r++) {
                double[] lp = logSoftmaxRow(r);
                for (int c = 0; c < 3; c++) {
                    double q = (c == LABELS[r] ? 1 - eps : 0) + eps / 3;
                    double expected = LABELS[r] == -100 ? 0 : (Math.exp(lp[c]) - q) / 3;
                    assertEquals(expected, g[r * 3 + c], 1e-12, "row " + r + " class " + c);
                }
            }
        }
        // float32 logits work the same way, within float precision
        Tensor f = Tensor.of(DType.FLOAT64, LOGITS, 4, 3).to(DType.FLOAT32);
        assertEquals((perRow(0)[0] + perRow(0)[1] + perRow(0)[3]) / 3, Losses.crossEntropy(f, labels).item(), 1e-6);
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        Tensor logits = Tensor.of(DType.FLOAT64, LOGITS, 4, 3);
        var range = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 3, 1, 1}, 4)));
        assertTrue(range.getMessage().startsWith("crossEntropy: target 3 at position 1 is out of bounds"), range.getMessage());
        var shape = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new long[] {0, 1}, 2)));
        assertTrue(shape.getMessage().startsWith("crossEntropy: expected int64 class indices [4]"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(LABELS, 4), -100, 1.5,
                Reduction.MEAN));
    }

    @Test
    void nllLossPicksTheTargetLogProbability() {
        Tensor logp = Tensor.of(DType.FLOAT64, LOGITS, 4, 3);
        // -(x[0,1] + x[1,2] + x[3,0]) / 3 = -(2 + 3 + 2.5) / 3, row 2 ignored
        assertEquals(-7.5 / 3, Losses.nllLoss(logp, Tensor.of(LABELS, 4)).item(), 1e-12);
        assertArrayEquals(new double[] {-2, -3, 0, -2.5},
                Losses.nllLoss(logp, Tensor.of(LABELS, 4), -100, Reduction.NONE).toDoubleArray(), 1e-12);
    }

    @Test
    void mseAndBinaryCrossEntropyWithLogits() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {0.5, -2, 3}, 3), y = Tensor.of(DType.FLOAT64, new double[] {1, 0, 0.25}, 3);
        // ((0.5 - 1)^2 + (-2)^2 + (3 - 0.25)^2) / 3
        assertEquals((0.25 + 4 + 7.5625) / 3, Losses.mseLoss(x, y).item(), 1e-12);
        // -(y log s(x) + (1 - y) log(1 - s(x))) per element
        double expected = 0;
        double[] xv = {0.5, -2, 3}, yv = {1, 0, 0.25};
        for (int i = 0; i < 3; i++) {
            double s = 1 / (1 + Math.exp(-xv[i]));
            expected += -(yv[i] * Math.log(s) + (1 - yv[i]) * Math.log(1 - s)) / 3;
        }
        Tensor xg = x.detach().clone().requiresGrad(true);
        Tensor loss = Losses.binaryCrossEntropyWithLogits(xg, y);
        assertEquals(expected, loss.item(), 1e-12);
        loss.backward();
        // d/dx = (sigmoid(x) - y) / 3, also at x = 0 where max(x, 0) and |x| have kinks
        for (int i = 0; i < 3; i++) {
            assertEquals((1 / (1 + Math.exp(-xv[i])) - yv[i]) / 3, xg.grad().toDoubleArray()[i], 1e-12);
        }
        Tensor zero = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        Losses.binaryCrossEntropyWithLogits(zero, Tensor.ones(DType.FLOAT64, 1)).backward();
        assertEquals(-0.5, zero.grad().item(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Losses.mseLoss(x, Tensor.zeros(DType.FLOAT64, 2)));
    }
}
