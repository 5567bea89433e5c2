package dev.panagrad.cli;

import dev.panagrad.io.internal.AtomicFile;
import dev.panagrad.io.internal.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics file of a training run: its settings and one record per epoch (loss, accuracy, samples/s,
 * times), rewritten atomically after every epoch so that it is complete whenever a run stops.
 *
 * <pre>{@code
 * Metrics m = new Metrics(Path.of("metrics.json"), Map.of("model", "mlp"));
 * m.add(Map.of("epoch", 1, "test_accuracy", 0.85));
 * // {"config":{"model":"mlp"},"epochs":[{"epoch":1,"test_accuracy":0.85}]}
 * }</pre>
 */
final class Metrics {
    private final Path file;
    private final Map<String, Object> config;
    private final List<Map<String, Object>> epochs = new ArrayList<>();

    /** Metrics written to {@code file} (none when null). */
    Metrics(Path file, Map<String, Object> config) {
        this.file = file;
        this.config = config;
    }

    /** Appends an epoch's record and rewrites the file. */
    void add(Map<String, Object> epoch) throws IOException {
        epochs.add(epoch);
        if (file == null) return;
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("config", config);
        all.put("epochs", epochs);
        AtomicFile.write(file, (Json.write(all) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
