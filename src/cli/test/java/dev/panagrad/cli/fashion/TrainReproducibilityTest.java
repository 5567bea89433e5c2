package dev.panagrad.cli.fashion;

import dev.panagrad.cli.Train;
import dev.panagrad.io.internal.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Training is reproducible for a seed: two runs, and runs on 1 and 2 threads, write the same metrics (every
 * loss and accuracy, bit for bit). The first run also meets colder JIT-compiled code than the later ones, so
 * this covers warm-up too. Skipped when Fashion-MNIST is not installed.
 */
class TrainReproducibilityTest {
    /** Fields that measure the machine (times, speed, memory) or name the thread count, not the training. */
    private static final Set<String> NOT_RESULTS =
            Set.of("samples_per_second", "epoch_seconds", "wall_seconds", "reserved_bytes", "threads");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTheDataset() {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed in "
                + FashionMnist.DEFAULT_DIR + " (apt-get install dataset-fashion-mnist); skipping");
    }

    /** The metrics file of a short run, without the fields that measure the machine, as JSON text. */
    private String results(String model, int threads, String name) throws IOException {
        Path metrics = dir.resolve(name + ".json");
        Train.run(new String[] {"--model", model, "--limit", model.equals("mlp") ? "600" : "128", "--test-limit", "200",
                "--epochs", "1", "--batch-size", "64", "--seed", "11", "--threads", Integer.toString(threads),
                "--metrics", metrics.toString()}, new PrintStream(OutputStream.nullOutputStream()));
        return Json.write(withoutMachineFields(Json.parse(Files.readString(metrics))));
    }

    private static Object withoutMachineFields(Object json) {
        if (json instanceof Map<?, ?> m) {
            Map<String, Object> kept = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!NOT_RESULTS.contains((String) k)) kept.put((String) k, withoutMachineFields(v));
            });
            return kept;
        }
        if (json instanceof List<?> l) return l.stream().map(TrainReproducibilityTest::withoutMachineFields).toList();
        return json;
    }

    @Test
    void mlpMetricsAreIdenticalAcrossRunsAndThreadCounts() throws IOException {
        String first = results("mlp", 1, "a");
        assertEquals(first, results("mlp", 1, "b"), "same seed, same threads");
        assertEquals(first, results("mlp", 2, "c"), "same seed, 2 threads");
    }

    @Test
    void cnnMetricsAreIdenticalAcrossRunsAndThreadCounts() throws IOException {
        String first = results("cnn", 2, "a");
        assertEquals(first, results("cnn", 2, "b"), "same seed, same threads");
        assertEquals(first, results("cnn", 1, "c"), "same seed, 1 thread");
    }
}
