package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer outputs against direct double-precision loops written out here. */
class LayerForwardTest {

    private static Tensor randn(long seed, long... shape) {
        return new Generator(seed).randn(DType.FLOAT64, shape);
    }

    @Test
    void linearIsXTimesWTransposedPlusB() {
        Tensor x = randn(1, 3, 4), w = randn(2, 5, 4), b = randn(3, 5);
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b.toDoubleArray();
        double[] expected = new double[15];
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 5; o++) {
                double s = bv[o];
                for (int k = 0; k < 4; k++) s += xv[i * 4 + k] * wv[o * 4 + k];
                expected[i * 5 + o] = s;
            }
        }
        assertArrayEquals(expected, Linear.linear(x, w, b).toDoubleArray(), 1e-12);
        // a transposed (non-contiguous) input gives the same result
        assertArrayEquals(expected, Linear.linear(x.t().contiguous().t(), w, b).toDoubleArray(), 1e-12);
        Tensor bad = randn(4, 3, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Linear.linear(bad, w, b));
        assertTrue(e.getMessage().startsWith("linear: mat1 and mat2 shapes cannot be multiplied"), e.getMessage());
    }

    /** y[n, o, r, c] = b[o] + sum w[o, ci, i, j] x[n, g*cg + ci, r*sh - ph + i*dh, c*sw - pw + j*dw]. */
    static double[] naiveConv(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups) {
        long[] xs = x.shape(), ws = w.shape();
        int n = (int) xs[0], cin = (int) xs[1], h = (int) xs[2], wd = (int) xs[3];
        int cout = (int) ws[0], cg = (int) ws[1], kh = (int) ws[2], kw = (int) ws[3];
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1, ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b == null ? null : b.toDoubleArray();
        double[] y = new double[n * cout * oh * ow];
        for (int bi = 0; bi < n; bi++) {
            for (int o = 0; o < cout; o++) {
                int g = o / (cout / groups);
                for (int r = 0; r < oh; r++) {
                    for (int c = 0; c < ow; c++) {
                        double acc = bv == null ? 0 : bv[o];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int ih = r * s[0] - p[0] + i * d[0], iw = c * s[1] - p[1] + j * d[1];
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    acc += wv[((o * cg + ci) * kh + i) * kw + j]
                                            * xv[((bi * cin + g * cg + ci) * h + ih) * wd + iw];
                                }
                            }
                        }
                        y[((bi * cout + o) * oh + r) * ow + c] = acc;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void conv2dMatchesDirectLoops() {
        int[][][] cases = {   // stride, padding, dilation
            {{1, 1}, {1, 1}, {1, 1}}, {{2, 1}, {0, 2}, {1, 1}}, {{1, 2}, {2, 1}, {2, 1}}, {{3, 3}, {1, 0}, {1, 2}}};
        for (int[][] c : cases) {
            for (int groups : new int[] {1, 2}) {
                Tensor x = randn(1, 2, 4, 7, 6), w = randn(2, 6, 4 / groups, 3, 2), b = randn(3, 6);
                Tensor y = Conv2d.conv2d(x, w, b, c[0], c[1], c[2], groups);
                assertArrayEquals(naiveConv(x, w, b, c[0], c[1], c[2], groups), y.toDoubleArray(), 1e-12);
                Tensor y0 = Conv2d.conv2d(x, w, null, c[0], c[1], c[2], groups);
                assertArrayEquals(naiveConv(x, w, null, c[0], c[1], c[2], groups), y0.toDoubleArray(), 1e-12);
            }
        }
        // float32 through the module, [N, C, H, W] contiguous output
        Conv2d conv = new Conv2d(1, 4, 3, 1, 1);
        Tensor x = Tensor.randn(2, 1, 5, 5);
        Tensor y = conv.forward(x);
        assertArrayEquals(new long[] {2, 4, 5, 5}, y.shape());
        assertTrue(y.isContiguous());
        double[] ref = naiveConv(x.to(DType.FLOAT64), conv.weight().to(DType.FLOAT64), conv.bias().to(DType.FLOAT64),
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        assertArrayEquals(ref, y.toDoubleArray(), 1e-5);
        var e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.randn(2, 3, 5, 5)));
        assertTrue(e.getMessage().startsWith("conv2d: weight [4, 1, 3, 3] float32"), e.getMessage());
    }

    @Test
    void maxPoolValuesAndIndices() {
        // one plane [4, 4]: 2x2 windows with stride 2
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {
            1, 5, 2, 0,
            3, 4, 7, 7,
            -1, -2, 0, 9,
            -3, -4, 8, 1}, 1, 1, 4, 4);
        Tensor[] r = MaxPool2d.maxPool2dWithIndices(x, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0},
                new int[] {1, 1});
        assertArrayEquals(new double[] {5, 7, -1, 9}, r[0].toDoubleArray());
        assertArrayEquals(new long[] {1, 6, 8, 11}, r[1].toLongArray());   // first maximum wins the tie 7, 7
        // padding never wins: a 3x3 window with padding 1 over all-negative values
        Tensor neg = Tensor.full(DType.FLOAT64, -5, 1, 1, 2, 2);
        Tensor p = MaxPool2d.maxPool2dWithIndices(neg, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1})[0];
        assertArrayEquals(new double[] {-5, -5, -5, -5}, p.toDoubleArray());
        // gradient goes to the maxima only
        Tensor xg = x.detach().clone().requiresGrad(true);
        MaxPool2d.maxPool2d(xg, 2).sum().backward();
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0}, xg.grad().toDoubleArray());
    }

    @Test
    void maxPoolMatchesDirectLoopsInFloat32AndFloat64() {
        int[] k = {3, 2}, st = {2, 1}, pad = {1, 1}, dil = {1, 2};
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = randn(5, 2, 3, 7, 6).to(dt);
            double[] xv = x.toDoubleArray();
            Tensor[] r = MaxPool2d.maxPool2dWithIndices(x, k, st, pad, dil);
            int oh = (7 + 2 - 2 - 1) / 2 + 1, ow = (6 + 2 - 2 - 1) / 1 + 1;
            assertArrayEquals(new long[] {2, 3, oh, ow}, r[0].shape());
            double[] values = r[0].toDoubleArray();
            long[] indices = r[1].toLongArray();
            for (int p = 0; p < 6; p++) {
                for (int y = 0; y < oh; y++) {
                    for (int c = 0; c < ow; c++) {
                        double best = Double.NEGATIVE_INFINITY;
                        long at = -1;
                        for (int i = 0; i < k[0]; i++) {
                            for (int j = 0; j < k[1]; j++) {
                                int ih = y * st[0] - pad[0] + i * dil[0], iw = c * st[1] - pad[1] + j * dil[1];
                                if (ih < 0 || ih >= 7 || iw < 0 || iw >= 6) continue;
                                if (at < 0 || xv[p * 42 + ih * 6 + iw] > best) {
                                    best = xv[p * 42 + ih * 6 + iw];
                                    at = ih * 6 + iw;
                                }
                            }
                        }
                        int o = (p * oh + y) * ow + c;
                        assertEquals(best, values[o], 0, dt + " output " + o);
                        assertEquals(at, indices[o], dt + " output " + o);
                    }
                }
            }
            // NaN wins its window, as in PyTorch
            Tensor withNan = Tensor.of(DType.FLOAT64, new double[] {1, Double.NaN, 3, 2}, 1, 1, 2, 2).to(dt);
            assertTrue(Double.isNaN(MaxPool2d.maxPool2d(withNan, 2).item()));
        }
    }

    @Test
    void avgPoolCountsPaddingOrNot() {
        // plane [[1, 2], [3, 4]], 3x3 window, padding 1, stride 1: every window holds all 4 values
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        int[] k = {3, 3}, s = {1, 1}, pad = {1, 1};
        // with padding counted the divisor is 9: 10/9 everywhere; without, 4 inside taps: 10/4
        assertArrayEquals(new double[] {10.0 / 9, 10.0 / 9, 10.0 / 9, 10.0 / 9},
                AvgPool2d.avgPool2d(x, k, s, pad, true).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5},
                AvgPool2d.avgPool2d(x, k, s, pad, false).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {2.5}, new AvgPool2d(2).forward(x).toDoubleArray(), 1e-12);
    }

    @Test
    void batchNormTrainingUsesBatchStatisticsAndUpdatesRunningOnes() {
        BatchNorm2d bn = new BatchNorm2d(2, 1e-5, 0.1, true, true, DType.FLOAT64);
        Tensor x = randn(1, 4, 2, 3, 3).mul(3).add(2);
        Tensor y = bn.forward(x);
        // per channel: mean over N, H, W of y is 0 and its biased variance is var / (var + eps), about 1
        double[] xv = x.toDoubleArray(), yv = y.toDoubleArray();
        for (int c = 0; c < 2; c++) {
            double sum = 0, sq = 0, ysum = 0, ysq = 0;
            int count = 0;
            for (int n = 0; n < 4; n++) {
                for (int i = 0; i < 9; i++) {
                    int at = (n * 2 + c) * 9 + i;
                    sum += xv[at];
                    sq += xv[at] * xv[at];
                    ysum += yv[at];
                    ysq += yv[at] * yv[at];
                    count++;
                }
            }
            double mean = sum / count, var = sq / count - mean * mean;
            assertEquals(0, ysum / count, 1e-12);
            assertEquals(var / (var + 1e-5), ysq / count, 1e-9);
            // running = 0.9 * initial + 0.1 * batch, with the unbiased variance var * n / (n - 1)
            assertEquals(0.1 * mean, bn.runningMean().toDoubleArray()[c], 1e-12);
            assertEquals(0.9 + 0.1 * var * count / (count - 1), bn.runningVar().toDoubleArray()[c], 1e-9);
        }
        assertEquals(1, bn.stateDict().get("num_batches_tracked").item());

        // evaluation: (x - running_mean) / sqrt(running_var + eps) * w + b, running stats unchanged
        Tensor w = bn.weight(), b = bn.bias();
        try (var off = dev.panagrad.GradMode.noGrad()) {
            w.copy_(Tensor.of(DType.FLOAT64, new double[] {2, -1}, 2));
            b.copy_(Tensor.of(DType.FLOAT64, new double[] {0.5, 3}, 2));
        }
        double[] rm = bn.runningMean().toDoubleArray(), rv = bn.runningVar().toDoubleArray();
        double[] ye = bn.eval().forward(x).toDoubleArray();
        double[] wv = {2, -1}, bv = {0.5, 3};
        for (int at = 0; at < xv.length; at++) {
            int c = (at / 9) % 2;
            assertEquals((xv[at] - rm[c]) / Math.sqrt(rv[c] + 1e-5) * wv[c] + bv[c], ye[at], 1e-12);
        }
        assertArrayEquals(rm, bn.runningMean().toDoubleArray());
        assertEquals(1, bn.stateDict().get("num_batches_tracked").item());
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.randn(2, 3, 4)));
        assertTrue(e.getMessage().startsWith("BatchNorm2d: expected a 4-D"), e.getMessage());
        var one = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.randn(1, 3)));
        assertTrue(one.getMessage().contains("more than 1 value per channel"), one.getMessage());
    }

    @Test
    void layerNormNormalisesEachRow() {
        Tensor x = randn(1, 2, 3, 4).mul(2).add(1);
        Tensor y = LayerNorm.layerNorm(x, new long[] {3, 4}, null, null, 1e-5);
        double[] xv = x.toDoubleArray(), yv = y.toDoubleArray();
        for (int r = 0; r < 2; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < 12; i++) mean += xv[r * 12 + i] / 12;
            for (int i = 0; i < 12; i++) var += (xv[r * 12 + i] - mean) * (xv[r * 12 + i] - mean) / 12;
            for (int i = 0; i < 12; i++) {
                assertEquals((xv[r * 12 + i] - mean) / Math.sqrt(var + 1e-5), yv[r * 12 + i], 1e-12);
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new LayerNorm(5).forward(Tensor.randn(2, 4)));
        assertTrue(e.getMessage().startsWith("layerNorm: given normalized_shape=[5]"), e.getMessage());
    }

    @Test
    void dropoutScalesSurvivorsAndPassesThroughInEvaluation() {
        Dropout drop = new Dropout(0.25, new Generator(3));
        Tensor x = Tensor.ones(DType.FLOAT64, 100, 100);
        double[] y = drop.forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75, v, 1e-12);
        }
        // 10000 Bernoulli(0.25) draws: mean 2500, standard deviation about 43
        assertTrue(Math.abs(zeros - 2500) < 250, "zeros: " + zeros);
        assertTrue(drop.eval().forward(x) == x);
        assertArrayEquals(x.toDoubleArray(), Dropout.dropout(x, 0, true, new Generator(1)).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    }

    @Test
    void embeddingLooksUpRowsAndAccumulatesTheirGradients() {
        Embedding emb = new Embedding(4, 2);
        double[] table = emb.weight().toDoubleArray();
        Tensor y = emb.forward(Tensor.of(new long[] {3, 1, 3}, 3));
        assertArrayEquals(new long[] {3, 2}, y.shape());
        assertArrayEquals(new double[] {table[6], table[7], table[2], table[3], table[6], table[7]}, y.toDoubleArray());
        y.sum().backward();
        // row 3 is used twice, row 1 once
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 2, 2}, emb.weight().grad().toDoubleArray());
        var e = assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.of(new long[] {4}, 1)));
        assertTrue(e.getMessage().contains("out of bounds"), e.getMessage());
    }
}
