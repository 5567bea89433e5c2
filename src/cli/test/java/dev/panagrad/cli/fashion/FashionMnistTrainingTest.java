package dev.panagrad.cli.fashion;

import dev.panagrad.Generator;
import dev.panagrad.cli.Train;
import dev.panagrad.io.Checkpoint;
import dev.panagrad.io.Safetensors;
import dev.panagrad.io.internal.Json;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Short training runs on real Fashion-MNIST images; skipped when the dataset package is not installed. */
class FashionMnistTrainingTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void needsTheDataset() {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed in "
                + FashionMnist.DEFAULT_DIR + " (apt-get install dataset-fashion-mnist); skipping the training tests");
    }

    private static String run(String... args) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Train.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shortRunLearnsFarBetterThanChance() throws IOException {
        Path metrics = dir.resolve("metrics.json");
        String out = run("--limit", "2000", "--test-limit", "1000", "--epochs", "1", "--metrics", metrics.toString());
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.matches("test accuracy: 0\\.\\d{4}"), out);
        double accuracy = Double.parseDouble(last.substring("test accuracy: ".length()));
        assertTrue(accuracy > 0.5, "10 classes: chance is 0.1; got " + accuracy + "\n" + out);

        Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(metrics));
        List<?> epochs = (List<?>) m.get("epochs");
        assertEquals(1, epochs.size());
        Map<?, ?> e = (Map<?, ?>) epochs.get(0);
        assertEquals(accuracy, (Double) e.get("test_accuracy"), 1e-4);
        for (String key : new String[] {"train_loss", "test_loss", "samples_per_second", "epoch_seconds", "wall_seconds"}) {
            assertTrue((Double) e.get(key) > 0, key);
        }
    }

    @Test
    void outputFitsOneHundredColumnsSaysWhereItSavedAndRecordsEachEpochsRate() throws IOException {
        Path metrics = dir.resolve("metrics.json"), save = dir.resolve("run.safetensors");
        String out = run("--limit", "256", "--test-limit", "100", "--epochs", "2", "--lr", "0.002",
                "--save", save.toString(), "--metrics", metrics.toString());
        out.lines().forEach(line -> assertTrue(line.length() <= 100, line.length() + " columns: " + line));
        assertTrue(out.contains("saved epoch 1 to " + save.toAbsolutePath() + "\n"), out);
        assertTrue(out.contains("saved epoch 2 to " + save.toAbsolutePath() + "\n"), out);

        List<?> epochs = (List<?>) ((Map<?, ?>) Json.parse(Files.readString(metrics))).get("epochs");
        // cosine over 2 epochs: epoch 1 trains at the base rate, epoch 2 at 0.002 * (1 + cos(pi / 2)) / 2 = 0.001
        assertEquals(0.002, (Double) ((Map<?, ?>) epochs.get(0)).get("lr"), 1e-12);
        assertEquals(0.001, (Double) ((Map<?, ?>) epochs.get(1)).get("lr"), 1e-12);
    }

    @Test
    void resumedRunEqualsTheUninterruptedOne() throws IOException {
        String[] common = {"--limit", "512", "--test-limit", "200", "--batch-size", "64", "--seed", "5"};
        Path whole = dir.resolve("whole.safetensors"), half = dir.resolve("half.safetensors");
        Path resumed = dir.resolve("resumed.safetensors");
        run(concat(common, "--epochs", "2", "--save", whole.toString()));
        run(concat(common, "--epochs", "1", "--save", half.toString()));
        // the cosine schedule is recomputed from the epochs done, and its first epoch runs at the base rate
        run(concat(common, "--epochs", "2", "--resume", half.toString(), "--save", resumed.toString()));
        Map<String, Tensor> a = Safetensors.load(whole), b = Safetensors.load(resumed);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toDoubleArray(), b.get(k).toDoubleArray(), k);
    }

    @Test
    void resumeFromAPlainStateDictStartsAFreshOptimizer() throws IOException {
        Generator.manualSeed(3);
        Path weights = dir.resolve("weights.safetensors");
        Checkpoint.save(weights, new FashionMlp(), null, Map.of());   // no optimizer state, no epoch
        String out = run("--limit", "256", "--test-limit", "100", "--epochs", "1", "--resume", weights.toString());
        assertTrue(out.contains("epoch 1/1"), out);
        Path cnn = dir.resolve("cnn.safetensors");
        Checkpoint.save(cnn, new FashionMlp(), null, Map.of("model", "cnn"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("--limit", "256", "--epochs", "1", "--resume", cnn.toString()));
        assertTrue(e.getMessage().contains("--model cnn"), e.getMessage());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
