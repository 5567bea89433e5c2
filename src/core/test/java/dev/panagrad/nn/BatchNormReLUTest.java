package dev.panagrad.nn;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BatchNormReLU2d against BatchNorm2d followed by ReLU on the same input and upstream gradient: outputs,
 * input/weight/bias gradients and running statistics equal bit for bit (the fused passes round as the
 * separate ones), in training and evaluation, for runs shorter and longer than a vector and with a tail.
 */
class BatchNormReLUTest {

    @ParameterizedTest(name = "{0} [{1}, {2}, {3}, {4}]")
    @CsvSource({"FLOAT32, 8, 3, 7, 7", "FLOAT32, 4, 5, 4, 4", "FLOAT32, 16, 2, 3, 1", "FLOAT32, 2, 4, 28, 28",
            "FLOAT64, 6, 3, 5, 5"})
    void matchesBatchNormThenReluExactly(DType dt, long n, long c, long h, long w) {
        Generator.manualSeed(42);
        BatchNorm2d separate = new BatchNorm2d(c, 1e-5, 0.1, true, true, dt);
        BatchNormReLU2d fused = new BatchNormReLU2d(c, 1e-5, 0.1, true, true, dt);
        // weights and biases of both signs, so that whole channels are cut off or let through
        Tensor weight = Tensor.randn(c).to(dt), bias = Tensor.randn(c).to(dt).mul(0.5);
        for (BatchNorm bn : new BatchNorm[] {separate, fused}) {
            bn.weight().detach().copy_(weight);
            bn.bias().detach().copy_(bias);
        }
        for (int round = 0; round < 2; round++) {
            Tensor input = Tensor.randn(n, c, h, w).to(dt).mul(3).add(1), upstream = Tensor.randn(n, c, h, w).to(dt);
            Tensor x1 = input.detach().requiresGrad(true), x2 = input.detach().requiresGrad(true);
            Tensor y1 = separate.forward(x1).relu(), y2 = fused.forward(x2);
            assertEquals("BatchNormReluBackward0", y2.gradFn().name());
            assertBitwise(y1, y2, "output");
            y1.backward(upstream);
            y2.backward(upstream);
            assertBitwise(x1.grad(), x2.grad(), "input gradient");
            assertBitwise(separate.weight().grad(), fused.weight().grad(), "weight gradient");
            assertBitwise(separate.bias().grad(), fused.bias().grad(), "bias gradient");
            assertBitwise(separate.runningMean(), fused.runningMean(), "running mean");
            assertBitwise(separate.runningVar(), fused.runningVar(), "running var");
        }
        Tensor x = Tensor.randn(n, c, h, w).to(dt);
        assertBitwise(separate.eval().forward(x).relu(), fused.eval().forward(x), "evaluation output");
        assertEquals(separate.stateDict().keySet(), fused.stateDict().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT32", "FLOAT64"})
    void secondOrderMatchesTheSeparateOps(DType dt) {
        Generator.manualSeed(7);
        Tensor input = Tensor.randn(4, 3, 5, 5).to(dt), weight = Tensor.randn(3).to(dt), bias = Tensor.randn(3).to(dt);
        Tensor[][] grads = new Tensor[2][];
        for (int fused = 0; fused < 2; fused++) {
            Tensor x = input.detach().requiresGrad(true), wt = weight.detach().requiresGrad(true);
            Tensor y = fused == 1 ? BatchNorm.batchNormRelu(x, null, null, wt, bias, true, 0.1, 1e-5)
                    : BatchNorm.batchNorm(x, null, null, wt, bias, true, 0.1, 1e-5).relu();
            Tensor[] first = Autograd.grad(new Tensor[] {y.square().sum()}, new Tensor[] {x, wt}, true);
            grads[fused] = Autograd.grad(new Tensor[] {first[0].mul(first[0]).sum().add(first[1].sum())},
                    new Tensor[] {x, wt});
        }
        double tolerance = dt == DType.FLOAT32 ? 1e-4 : 1e-10;
        for (int i = 0; i < 2; i++) {
            double[] want = grads[0][i].toDoubleArray(), got = grads[1][i].toDoubleArray();
            assertEquals(want.length, got.length);
            for (int j = 0; j < want.length; j++) {
                assertTrue(Math.abs(want[j] - got[j]) <= tolerance * Math.max(1, Math.abs(want[j])),
                        "second-order gradient " + i + " at " + j + ": " + want[j] + " vs " + got[j]);
            }
        }
    }

    static void assertBitwise(Tensor want, Tensor got, String what) {
        double[] a = want.toDoubleArray(), b = got.toDoubleArray();
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]),
                    what + " at " + i + ": " + a[i] + " vs " + b[i]);
        }
    }
}
