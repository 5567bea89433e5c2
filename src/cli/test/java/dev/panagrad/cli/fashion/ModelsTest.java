package dev.panagrad.cli.fashion;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.optim.Adam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Fashion-MNIST models: shapes, sizes, and that a few steps fit a small fixed batch. */
class ModelsTest {

    /** Trains on one batch of random images with random labels; returns {first loss, last loss}. */
    private static double[] fit(Module model, int batch, int steps) {
        Generator.manualSeed(1);
        Tensor x = Tensor.randn(batch, 1, 28, 28), y = Tensor.randint(0, 10, batch);
        Adam opt = new Adam(model.parameters(), 3e-3);
        double first = 0, last = 0;
        for (int s = 0; s < steps; s++) {
            try (Scope step = Scope.open()) {
                opt.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(x), y);
                loss.backward();
                opt.step();
                if (s == 0) first = loss.item();
                last = loss.item();
            }
        }
        return new double[] {first, last};
    }

    @Test
    void mlp() {
        Generator.manualSeed(0);   // the initial weights too: the fit below is checked for one fixed start
        FashionMlp mlp = new FashionMlp();
        // 784*512 + 512 + 512*512 + 512 + 512*10 + 10
        assertEquals(784 * 512 + 512 + 512 * 512 + 512 + 5120 + 10, mlp.parameterCount());
        assertArrayEquals(new long[] {3, 10}, mlp.forward(Tensor.randn(3, 784)).shape());
        double[] loss = fit(mlp, 8, 10);
        assertTrue(loss[1] < 0.5 * loss[0], "loss " + loss[0] + " -> " + loss[1]);
    }

    @Test
    void cnn() {
        Generator.manualSeed(0);
        FashionCnn cnn = new FashionCnn();
        // conv 1->32 (288 + 32), bn 64, conv 32->64 (18432 + 64), bn 128, fc 3136->128 (401408 + 128), fc 128->10 (1290)
        assertEquals(320 + 64 + 18496 + 128 + 401536 + 1290, cnn.parameterCount());
        assertArrayEquals(new long[] {2, 10}, cnn.forward(Tensor.randn(2, 1, 28, 28)).shape());
        assertArrayEquals(new long[] {2, 10}, cnn.forward(Tensor.randn(2, 784)).shape());
        double[] loss = fit(cnn, 4, 8);
        assertTrue(loss[1] < 0.5 * loss[0], "loss " + loss[0] + " -> " + loss[1]);
    }
}
