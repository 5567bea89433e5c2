package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.panagrad.nn.NumericGrad.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GroupNorm and AdaptiveAvgPool2d against plain double-precision loops, their gradients and errors. */
class NormAndPoolingVariantsTest {

    // ---------------------------------------------------------------- GroupNorm

    /** Per sample and group of C/G channels: (x - mean) / sqrt(var + eps) with the biased variance, then w[c], b[c]. */
    private static double[] groupNormLoops(Tensor x, int groups, Tensor w, Tensor b, double eps) {
        double[] xs = x.toDoubleArray(), y = new double[xs.length];
        int n = (int) x.size(0), c = (int) x.size(1), rest = xs.length / (n * c), per = c / groups * rest;
        for (int i = 0; i < n; i++) for (int g = 0; g < groups; g++) {
            int start = (i * c + g * (c / groups)) * rest;
            double mean = 0, var = 0;
            for (int j = 0; j < per; j++) mean += xs[start + j];
            mean /= per;
            for (int j = 0; j < per; j++) var += (xs[start + j] - mean) * (xs[start + j] - mean);
            var /= per;
            for (int j = 0; j < per; j++) {
                int ch = g * (c / groups) + j / rest;
                double v = (xs[start + j] - mean) / Math.sqrt(var + eps);
                y[start + j] = v * (w == null ? 1 : w.toDoubleArray()[ch]) + (b == null ? 0 : b.toDoubleArray()[ch]);
            }
        }
        return y;
    }

    @Test
    void groupNormMatchesLoops() {
        GroupNorm gn = new GroupNorm(3, 6, 1e-5, true, DType.FLOAT64);
        Init.normal_(gn.weight(), 1, 0.5, new Generator(1));
        Init.normal_(gn.bias(), 0, 0.5, new Generator(2));
        Tensor x = leaf(3, 2, 6, 3, 2).mul(3).add(1);
        assertArrayEquals(groupNormLoops(x, 3, gn.weight(), gn.bias(), 1e-5), gn.forward(x).toDoubleArray(), 1e-12);
        Tensor x3 = leaf(4, 4, 6, 5);                                  // [N, C, L]
        assertArrayEquals(groupNormLoops(x3, 3, gn.weight(), gn.bias(), 1e-5), gn.forward(x3).toDoubleArray(), 1e-12);
        Tensor x2 = leaf(5, 3, 4);                                     // [N, C]: groups of 2 channels
        GroupNorm plain = new GroupNorm(2, 4, 0.1, false, DType.FLOAT64);
        assertArrayEquals(groupNormLoops(x2, 2, null, null, 0.1), plain.forward(x2).toDoubleArray(), 1e-12);
        assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
        assertEquals(List.of(), List.copyOf(plain.stateDict().keySet()));
        assertEquals("GroupNorm(3, 6, eps=1.0E-5, affine=True)", gn.toString());
    }

    @Test
    void groupNormGradientsFirstAndSecondOrder() {
        Gradcheck.gradcheck(in -> GroupNorm.groupNorm(in[0], 2, in[1], in[2], 1e-5), leaf(1, 2, 4, 3), leaf(2, 4),
                leaf(3, 4));
        Gradcheck.gradgradcheck(in -> GroupNorm.groupNorm(in[0], 2, in[1], in[2], 1e-5), leaf(4, 2, 4, 2), leaf(5, 4),
                leaf(6, 4));
    }

    @Test
    void groupNormBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
        assertTrue(e.getMessage().startsWith("GroupNorm: num_channels must be divisible by num_groups"));
        e = assertThrows(IllegalArgumentException.class, () -> GroupNorm.groupNorm(Tensor.zeros(2, 6, 4), 4, null,
                null, 1e-5));
        assertTrue(e.getMessage().startsWith("groupNorm: Expected number of channels in input to be divisible by "
                + "num_groups, but got input of shape [2, 6, 4] float32 and num_groups=4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(2, 4).forward(Tensor.zeros(2, 6, 4)));
        assertTrue(e.getMessage().startsWith("GroupNorm: expected 4 channels in dim 1"));
    }

    // ---------------------------------------------------------------- AdaptiveAvgPool2d

    /** Output (i, j) averages rows [floor(i*H/OH), ceil((i+1)*H/OH)) and the matching columns. */
    private static double[] adaptiveLoops(Tensor x, int oh, int ow) {
        double[] xs = x.toDoubleArray();
        int h = (int) x.size(-2), w = (int) x.size(-1), planes = xs.length / (h * w);
        double[] y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            int r0 = i * h / oh, r1 = ((i + 1) * h + oh - 1) / oh, c0 = j * w / ow, c1 = ((j + 1) * w + ow - 1) / ow;
            double sum = 0;
            for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) sum += xs[(p * h + r) * w + c];
            y[(p * oh + i) * ow + j] = sum / ((r1 - r0) * (c1 - c0));
        }
        return y;
    }

    @Test
    void adaptiveAvgPoolMatchesLoops() {
        int[][] cases = {{6, 8, 3, 4}, {7, 5, 3, 2}, {5, 5, 1, 1}, {4, 6, 4, 6}, {3, 4, 5, 6}, {7, 7, 3, 1}};
        for (int[] c : cases) {
            Tensor x = leaf(1, 2, 3, c[0], c[1]);
            Tensor y = new AdaptiveAvgPool2d(new int[] {c[2], c[3]}).forward(x);
            assertArrayEquals(new long[] {2, 3, c[2], c[3]}, y.shape());
            assertArrayEquals(adaptiveLoops(x, c[2], c[3]), y.toDoubleArray(), 1e-12, java.util.Arrays.toString(c));
        }
        Tensor x = Tensor.randn(3, 7, 9);                               // unbatched float32
        Tensor y = new AdaptiveAvgPool2d(2).forward(x);
        assertArrayEquals(new long[] {3, 2, 2}, y.shape());
        assertArrayEquals(adaptiveLoops(x.to(DType.FLOAT64), 2, 2), y.to(DType.FLOAT64).toDoubleArray(), 1e-5);
        assertEquals("AdaptiveAvgPool2d(output_size=(2, 2))", new AdaptiveAvgPool2d(2).toString());
    }

    @Test
    void adaptiveAvgPoolGradientsFirstAndSecondOrder() {
        Gradcheck.gradcheck(in -> AdaptiveAvgPool2d.adaptiveAvgPool2d(in[0], new int[] {2, 3}), leaf(1, 2, 2, 5, 4));
        Gradcheck.gradcheck(in -> AdaptiveAvgPool2d.adaptiveAvgPool2d(in[0], new int[] {2, 2}), leaf(2, 1, 2, 4, 6));
        Gradcheck.gradgradcheck(in -> AdaptiveAvgPool2d.adaptiveAvgPool2d(in[0], new int[] {2, 2}), leaf(3, 1, 1, 5, 3));
        Gradcheck.gradgradcheck(in -> AdaptiveAvgPool2d.adaptiveAvgPool2d(in[0], new int[] {1, 1}), leaf(4, 1, 2, 2, 2));
    }

    @Test
    void adaptiveAvgPoolBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveAvgPool2d(2).forward(Tensor.zeros(4, 4)));
        assertTrue(e.getMessage().startsWith("adaptiveAvgPool2d: expected a 3-D [C, H, W] or 4-D"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0));
        assertTrue(e.getMessage().startsWith("AdaptiveAvgPool2d: output_size must be two values >= 1"));
    }
}
