package dev.panagrad.nn;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Initialisers: bounds and spreads against their formulas (on 65536 draws, so within 2% of the std). */
class InitTest {
    private static final Generator GEN = new Generator(11);

    private static double std(Tensor t) {
        double[] v = t.toDoubleArray();
        double mean = 0, sq = 0;
        for (double x : v) mean += x / v.length;
        for (double x : v) sq += (x - mean) * (x - mean) / v.length;
        return Math.sqrt(sq);
    }

    private static void assertWithin(Tensor t, double bound) {
        assertTrue(t.abs().max().item() <= bound, "max |w| " + t.abs().max().item() + " > " + bound);
        assertTrue(t.abs().max().item() > 0.98 * bound, "values do not reach the bound " + bound);
    }

    @Test
    void fans() {
        // weight [out, in, kh, kw] = [8, 4, 3, 2]: fanIn = 4 * 6, fanOut = 8 * 6
        assertArrayEquals(new long[] {24, 48}, Init.fans(Tensor.empty(8, 4, 3, 2)));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.empty(5)));
    }

    @Test
    void kaimingAndXavier() {
        Tensor w = Tensor.empty(256, 256);   // fanIn = fanOut = 256
        // Kaiming uniform for ReLU: bound = sqrt(2) * sqrt(3 / 256)
        assertWithin(Init.kaimingUniform_(w, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, GEN),
                Math.sqrt(2) * Math.sqrt(3.0 / 256));
        // Kaiming normal, fan out: std = sqrt(2) / sqrt(256)
        assertEquals(Math.sqrt(2) / 16, std(Init.kaimingNormal_(w, 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, GEN)),
                0.02 * Math.sqrt(2) / 16);
        // Xavier uniform: bound = gain * sqrt(6 / (256 + 256))
        assertWithin(Init.xavierUniform_(w, 1, GEN), Math.sqrt(6.0 / 512));
        // Xavier normal with tanh gain: std = 5/3 * sqrt(2 / 512)
        double xs = Init.calculateGain(Init.Nonlinearity.TANH, 0) * Math.sqrt(2.0 / 512);
        assertEquals(xs, std(Init.xavierNormal_(w, 5.0 / 3, GEN)), 0.02 * xs);
        assertEquals(Math.sqrt(2 / (1 + 0.04)), Init.calculateGain(Init.Nonlinearity.LEAKY_RELU, 0.2), 1e-15);
    }

    @Test
    void pytorchLayerDefaultIsUniformOneOverSqrtFanIn() {
        Tensor w = Tensor.empty(256, 64, 2, 2), b = Tensor.empty(256);   // fanIn = 256
        Init.layerDefault_(w, b, GEN);
        assertWithin(w, 1.0 / 16);
        assertTrue(b.abs().max().item() <= 1.0 / 16);
        Linear fc = new Linear(100, 400);
        assertWithin(fc.weight(), 0.1);
        assertTrue(fc.bias().abs().max().item() <= 0.1);
    }

    @Test
    void constants() {
        Tensor t = Tensor.empty(3);
        assertArrayEquals(new double[] {0, 0, 0}, Init.zeros_(t).toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, Init.ones_(t).toDoubleArray());
        assertArrayEquals(new double[] {-2, -2, -2}, Init.constant_(t, -2).toDoubleArray());
    }
}
