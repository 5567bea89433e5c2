package dev.panagrad.io;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.ReLU;
import dev.panagrad.nn.Sequential;
import dev.panagrad.optim.Adam;
import dev.panagrad.optim.Optimizer;
import dev.panagrad.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointTest {
    @TempDir
    Path dir;

    /** A 784-hidden-8-10 perceptron with ReLUs. */
    private static Module mlp(long hidden) {
        return new Sequential(new Linear(784, hidden), new ReLU(), new Linear(hidden, 8), new ReLU(), new Linear(8, 10));
    }

    /** A tiny 784-8-8-10 perceptron after one Adam step, so that the optimizer has state. */
    private static Module trainedModel(Optimizer[] optimizerOut, long seed) {
        Generator.manualSeed(seed);
        Module model = mlp(8);
        Optimizer opt = new Adam(model.parameters(), 1e-2);
        try (Scope step = Scope.open()) {
            Tensor x = Tensor.randn(4, 784), y = Tensor.of(new long[] {1, 2, 3, 4}, 4);
            Losses.crossEntropy(model.forward(x), y).backward();
            opt.step();
        }
        optimizerOut[0] = opt;
        return model;
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSameValues(Map<String, float[]> a, Map<String, float[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
    }

    @Test
    void roundTripOfModelAndOptimizer() throws IOException {
        Optimizer[] opt = new Optimizer[1];
        Module model = trainedModel(opt, 1);
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, model, opt[0], Map.of("epoch", "1"));

        Checkpoint c = Checkpoint.read(f);
        assertEquals("1", c.metadata().get("epoch"));
        assertEquals(model.stateDict().keySet(), c.model().keySet());   // plain PyTorch names
        assertEquals(opt[0].stateDict().keySet(), c.optimizer().keySet());

        Optimizer[] opt2 = new Optimizer[1];
        Module other = trainedModel(opt2, 2);
        c.restore(other, opt2[0]);
        assertSameValues(values(model), values(other));
        Map<String, Tensor> s1 = opt[0].stateDict(), s2 = opt2[0].stateDict();
        for (String k : s1.keySet()) assertArrayEquals(s1.get(k).toDoubleArray(), s2.get(k).toDoubleArray(), k);
    }

    @Test
    void shapeMismatchLeavesTheModelUntouched() throws IOException {
        Optimizer[] opt = new Optimizer[1];
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, trainedModel(opt, 1), opt[0], Map.of());
        Module wider = mlp(16);
        Map<String, float[]> before = values(wider);
        Checkpoint c = Checkpoint.read(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.restore(wider, new Adam(wider.parameters(), 1e-3)));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight"), e.getMessage());
        assertSameValues(before, values(wider));
    }

    @Test
    void optimizerMismatchRollsTheModelBack() throws IOException {
        Optimizer[] opt = new Optimizer[1];
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, trainedModel(opt, 1), opt[0], Map.of());
        Optimizer[] opt2 = new Optimizer[1];
        Module model = trainedModel(opt2, 2);
        Map<String, float[]> before = values(model);
        // SGD has no beta1: the Adam state does not fit, so nothing may change
        SGD sgd = new SGD(model.parameters(), 0.1);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(f).restore(model, sgd));
        assertSameValues(before, values(model));
    }

    @Test
    void truncatedCheckpointFailsBeforeTouchingAnything() throws IOException {
        Optimizer[] opt = new Optimizer[1];
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, trainedModel(opt, 1), opt[0], Map.of());
        byte[] bytes = Files.readAllBytes(f);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(bytes, bytes.length - 100));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void modelOnlyFileHoldsNoOptimizerState() throws IOException {
        Optimizer[] opt = new Optimizer[1];
        Module model = trainedModel(opt, 1);
        Path f = dir.resolve("model.safetensors");
        Checkpoint.save(f, model, null, Map.of());
        Checkpoint c = Checkpoint.read(f);
        assertTrue(c.optimizer().isEmpty());
        Module copy = mlp(8);
        c.restore(copy, null);
        assertSameValues(values(model), values(copy));
        assertThrows(IllegalArgumentException.class, () -> c.restore(copy, new Adam(copy.parameters(), 1e-3)));
    }
}
