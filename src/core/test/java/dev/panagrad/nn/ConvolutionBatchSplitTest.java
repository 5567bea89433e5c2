package dev.panagrad.nn;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Convolution over batches larger than its chunk count (so chunks hold several images and the weight gradient
 * adds partial products), with groups, a 1x1 window read directly, strides and padding: the forward pass
 * against direct loops, the kernels' gradients against those of the recorded ops used under createGraph, for
 * every choice of which of input, weight and bias need a gradient (the bias gradient comes from the weight
 * gradient's product only where the weight needs one).
 */
class ConvolutionBatchSplitTest {
    private static final int[][][] CASES = {   // kernel, stride, padding (square)
        {{3}, {1}, {1}}, {{1}, {1}, {0}}, {{3}, {2}, {1}}, {{2}, {1}, {0}}};

    @Test
    void largeBatchesMatchLoopsAndTheRecordedGradients() {
        Generator gen = new Generator(7);
        for (int[][] c : CASES) {
            for (int groups : new int[] {1, 2}) {
                for (boolean withBias : new boolean[] {true, false}) {
                    int k = c[0][0], s = c[1][0], p = c[2][0];
                    for (int needs = 1; needs < (withBias ? 8 : 4); needs++) {   // bits: x, w, b
                        boolean needX = (needs & 1) != 0, needW = (needs & 2) != 0, needB = (needs & 4) != 0;
                        Tensor x = gen.randn(DType.FLOAT64, 37, 4, 6, 5).requiresGrad(needX);
                        Tensor w = gen.randn(DType.FLOAT64, 6, 4 / groups, k, k).requiresGrad(needW);
                        Tensor b = withBias ? gen.randn(DType.FLOAT64, 6).requiresGrad(needB) : null;
                        int[] st = {s, s}, pad = {p, p}, dil = {1, 1};
                        Tensor y = Conv2d.conv2d(x, w, b, st, pad, dil, groups);
                        String what = "k" + k + " s" + s + " p" + p + " groups " + groups + " bias " + withBias
                                + " grads for x " + needX + ", w " + needW + ", b " + needB;
                        assertArrayEquals(LayerForwardTest.naiveConv(x, w, b, st, pad, dil, groups),
                                y.toDoubleArray(), 1e-12, what);

                        Tensor g = gen.randn(DType.FLOAT64, y.shape());
                        List<Tensor> wanted = new ArrayList<>();
                        for (Tensor t : new Tensor[] {x, w, b}) if (t != null && t.requiresGrad()) wanted.add(t);
                        Tensor[] inputs = wanted.toArray(Tensor[]::new);
                        Tensor[] fast = Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {g}, true, false, false);
                        Tensor[] recorded = Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {g}, true, true, false);
                        for (int i = 0; i < inputs.length; i++) {
                            assertArrayEquals(recorded[i].toDoubleArray(), fast[i].toDoubleArray(), 1e-11,
                                    what + " input " + i);
                        }
                    }
                }
            }
        }
    }
}
