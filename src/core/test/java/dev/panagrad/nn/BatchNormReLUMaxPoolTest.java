package dev.panagrad.nn;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.panagrad.nn.BatchNormReLUTest.assertBitwise;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNormReLUMaxPool2d against BatchNormReLU2d followed by MaxPool2d on the same input and upstream gradient:
 * outputs and running statistics bit for bit, gradients to rounding (the fused sums run over the pooled
 * positions), for windows that tile the plane, leave rows and columns out, overlap, pad and dilate; in
 * evaluation with and without gradients recorded.
 */
class BatchNormReLUMaxPoolTest {

    @ParameterizedTest(name = "{0} [{1}, {2}, {3}, {4}] k{5} s{6} p{7} d{8}")
    @CsvSource({"FLOAT32, 8, 3, 28, 28, 2, 2, 0, 1", "FLOAT32, 4, 5, 7, 9, 2, 2, 0, 1",
            "FLOAT32, 3, 2, 9, 8, 3, 2, 1, 1", "FLOAT32, 2, 4, 10, 10, 2, 1, 0, 2", "FLOAT32, 17, 2, 4, 6, 2, 2, 0, 1",
            "FLOAT32, 9, 2, 3, 5, 2, 2, 0, 1", "FLOAT64, 6, 3, 6, 5, 2, 2, 0, 1", "FLOAT64, 3, 2, 7, 7, 3, 3, 1, 1"})
    void matchesBatchNormReluThenMaxPool(DType dt, long n, long c, long h, long w, int k, int s, int p, int d) {
        Generator.manualSeed(11);
        int[] kernel = {k, k}, stride = {s, s}, padding = {p, p}, dilation = {d, d};
        BatchNormReLU2d bn = new BatchNormReLU2d(c, 1e-5, 0.1, true, true, dt);
        MaxPool2d pool = new MaxPool2d(kernel, stride, padding, dilation);
        BatchNormReLUMaxPool2d fused = new BatchNormReLUMaxPool2d(c, 1e-5, 0.1, true, true, dt, kernel, stride,
                padding, dilation);
        // weights and biases of both signs, so that whole channels are cut off or let through
        Tensor weight = Tensor.randn(c).to(dt), bias = Tensor.randn(c).to(dt).mul(0.5);
        for (BatchNorm m : new BatchNorm[] {bn, fused}) {
            m.weight().detach().copy_(weight);
            m.bias().detach().copy_(bias);
        }
        for (int round = 0; round < 2; round++) {
            Tensor input = Tensor.randn(n, c, h, w).to(dt).mul(3).add(1);
            Tensor x1 = input.detach().requiresGrad(true), x2 = input.detach().requiresGrad(true);
            Tensor y1 = pool.forward(bn.forward(x1)), y2 = fused.forward(x2);
            boolean oneOp = k == 2 && s == 2 && p == 0 && d == 1;
            assertEquals(oneOp ? "BatchNormReluMaxPool2DBackward0" : "MaxPool2DWithIndicesBackward0", y2.gradFn().name());
            assertBitwise(y1, y2, "output");
            Tensor upstream = Tensor.randn(y1.shape()).to(dt);
            y1.backward(upstream);
            y2.backward(upstream);
            assertClose(x1.grad(), x2.grad(), dt, "input gradient");
            assertClose(bn.weight().grad(), fused.weight().grad(), dt, "weight gradient");
            assertClose(bn.bias().grad(), fused.bias().grad(), dt, "bias gradient");
            assertBitwise(bn.runningMean(), fused.runningMean(), "running mean");
            assertBitwise(bn.runningVar(), fused.runningVar(), "running var");
        }
        Tensor x = Tensor.randn(n, c, h, w).to(dt);
        assertBitwise(pool.forward(bn.eval().forward(x)), fused.eval().forward(x), "evaluation output");
        // with no gradient recorded, evaluation runs as one op where training does: the same bits, for NaN,
        // infinities and -0 too
        double[] values = x.toDoubleArray();
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e30};
        for (int i = 0; i < values.length; i += 7) values[i] = special[i / 7 % special.length];
        Tensor withSpecials = Tensor.of(values, x.shape()).to(dt);
        try (var off = GradMode.noGrad()) {
            assertBitwise(pool.forward(bn.forward(withSpecials)), fused.forward(withSpecials),
                    "evaluation output without grad");
        }
        assertEquals(bn.stateDict().keySet(), fused.stateDict().keySet());
    }

    @Test
    void sameBitsForEveryThreadCount() {
        Generator.manualSeed(3);
        Tensor input = Tensor.randn(20, 4, 12, 12), upstream = Tensor.randn(20, 4, 6, 6);
        double[][] first = null;
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3, 5}) {
                Parallel.setThreads(threads);
                BatchNormReLUMaxPool2d m = new BatchNormReLUMaxPool2d(4, 2);
                Tensor x = input.detach().requiresGrad(true);
                Tensor y = m.forward(x);
                y.backward(upstream);
                double[][] got = {y.toDoubleArray(), x.grad().toDoubleArray(), m.weight().grad().toDoubleArray(),
                        m.bias().grad().toDoubleArray()};
                if (first == null) first = got;
                for (int i = 0; i < got.length; i++) {
                    for (int j = 0; j < got[i].length; j++) {
                        assertEquals(Double.doubleToRawLongBits(first[i][j]), Double.doubleToRawLongBits(got[i][j]),
                                "result " + i + " at " + j + " with " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT32", "FLOAT64"})
    void secondOrderMatchesTheSeparateOps(DType dt) {
        Generator.manualSeed(7);
        Tensor input = Tensor.randn(4, 3, 6, 6).to(dt), weight = Tensor.randn(3).to(dt);
        Tensor[][] grads = new Tensor[2][];
        for (int fused = 0; fused < 2; fused++) {
            BatchNormReLU2d m = fused == 1 ? new BatchNormReLUMaxPool2d(3, 1e-5, 0.1, true, true, dt, new int[] {2, 2},
                    new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}) : new BatchNormReLU2d(3, 1e-5, 0.1, true, true, dt);
            m.weight().detach().copy_(weight);
            Tensor x = input.detach().requiresGrad(true);
            Tensor y = fused == 1 ? m.forward(x) : MaxPool2d.maxPool2d(m.forward(x), 2);
            Tensor[] first = Autograd.grad(new Tensor[] {y.square().sum()}, new Tensor[] {x, m.weight()}, true);
            grads[fused] = Autograd.grad(new Tensor[] {first[0].mul(first[0]).sum().add(first[1].sum())},
                    new Tensor[] {x, m.weight()});
        }
        for (int i = 0; i < 2; i++) assertClose(grads[0][i], grads[1][i], dt, "second-order gradient " + i);
    }

    @Test
    void badInputsNameTheOp() {
        BatchNormReLUMaxPool2d m = new BatchNormReLUMaxPool2d(3, 2);
        var wrongChannels = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(2, 4, 6, 6)));
        assertTrue(wrongChannels.getMessage().contains("3 channels"), wrongChannels.getMessage());
        var tooSmall = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(2, 3, 1, 5)));
        assertTrue(tooSmall.getMessage().startsWith("batchNormReluMaxPool2d"), tooSmall.getMessage());
        var oneValue = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(1, 3, 1, 1)));
        assertTrue(oneValue.getMessage().contains("more than 1 value per channel"), oneValue.getMessage());
    }

    private static void assertClose(Tensor want, Tensor got, DType dt, String what) {
        double tolerance = dt == DType.FLOAT32 ? 2e-4 : 1e-10;
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        assertEquals(a.length, b.length, what);
        double scale = 0;
        for (double v : a) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= tolerance * Math.max(1, scale), what + " at " + i + ": " + a[i] + " vs " + b[i]);
        }
    }
}
