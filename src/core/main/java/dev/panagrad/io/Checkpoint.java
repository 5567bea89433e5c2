package dev.panagrad.io;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Module;
import dev.panagrad.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A training checkpoint in one safetensors file: the model's state dict under its own names (so that
 * PyTorch's {@code model.load_state_dict(load_file(f), strict=False)} reads it), the optimizer's state under
 * {@code optimizer.} names, and string metadata such as the number of epochs done. Saving is atomic;
 * {@link #restore} changes the model and optimizer only when every entry fits both.
 *
 * <pre>{@code
 * Checkpoint.save(Path.of("ckpt.safetensors"), model, optimizer, Map.of("epoch", "3"));
 * Checkpoint c = Checkpoint.read(Path.of("ckpt.safetensors"));
 * c.restore(model, optimizer);
 * int done = Integer.parseInt(c.metadata().get("epoch"));
 * }</pre>
 *
 * @param model     the model's state dict
 * @param optimizer the optimizer's state dict (empty when none was saved)
 * @param metadata  the file's metadata
 */
public record Checkpoint(Map<String, Tensor> model, Map<String, Tensor> optimizer, Map<String, String> metadata) {
    /** The prefix of optimizer entries. */
    public static final String OPTIMIZER_PREFIX = "optimizer.";

    /** Saves the model's state, the optimizer's (when not null) and the metadata atomically. */
    public static void save(Path file, Module model, Optimizer optimizer, Map<String, String> metadata)
            throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(model.stateDict());
        for (String k : all.keySet()) {
            if (k.startsWith(OPTIMIZER_PREFIX)) {
                throw new IllegalArgumentException("checkpoint: model entry '" + k + "' starts with '"
                        + OPTIMIZER_PREFIX + "', which marks optimizer entries; expected other module names");
            }
        }
        if (optimizer != null) optimizer.stateDict().forEach((k, v) -> all.put(OPTIMIZER_PREFIX + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        Safetensors.save(file, all, meta);
    }

    /** Reads a checkpoint (or any safetensors state dict) and splits model and optimizer entries. */
    public static Checkpoint read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, Tensor> model = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith(OPTIMIZER_PREFIX)) optimizer.put(k.substring(OPTIMIZER_PREFIX.length()), v);
            else model.put(k, v);
        });
        return new Checkpoint(model, optimizer, c.metadata());
    }

    /**
     * Loads the model's state and, when {@code optimizer} is not null, the optimizer's. The names are checked
     * against both first: the optimizer's groups must be the optimizer's, and every parameter with state must
     * have the same state entries (a damaged name would otherwise restart one moment from zero). If anything
     * does not fit, throws IllegalArgumentException naming the entries and leaves both as they were.
     */
    public void restore(Module model, Optimizer optimizer) {
        if (optimizer != null && this.optimizer.isEmpty()) {
            throw new IllegalArgumentException("checkpoint: it holds no optimizer state; expected entries named "
                    + OPTIMIZER_PREFIX + "*, or restore the model alone");
        }
        if (optimizer != null) checkOptimizerNames(optimizer.stateDict());
        Map<String, Tensor> previous = Scope.unscoped(() -> {
            Map<String, Tensor> copy = new LinkedHashMap<>();
            try (var off = GradMode.noGrad()) {
                model.stateDict().forEach((k, v) -> copy.put(k, v.clone()));
            }
            return copy;
        });
        model.loadStateDict(this.model);   // checks everything before it copies
        if (optimizer == null) return;
        try {
            optimizer.loadStateDict(this.optimizer);
        } catch (RuntimeException e) {
            model.loadStateDict(previous);
            throw e;
        }
    }

    /** Compares the optimizer entries' names with {@code current}, the state dict of the optimizer to restore. */
    private void checkOptimizerNames(Map<String, Tensor> current) {
        List<String> problems = new ArrayList<>();
        Set<String> groups = new TreeSet<>(), savedGroups = new TreeSet<>();
        for (String k : current.keySet()) if (k.startsWith("param_groups.")) groups.add(k);
        Map<String, Set<String>> saved = stateNames(this.optimizer, savedGroups, problems);
        if (!groups.equals(savedGroups)) {
            problems.add("group entries " + savedGroups + " differ from the optimizer's " + groups);
        }
        Set<String> expected = stateNames(current, new TreeSet<>(), new ArrayList<>()).values().stream()
                .findFirst().orElse(null);
        for (Map.Entry<String, Set<String>> e : saved.entrySet()) {
            if (expected == null) expected = e.getValue();
            if (!e.getValue().equals(expected)) {
                problems.add("parameter " + e.getKey() + " has state " + e.getValue() + "; expected " + expected);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("checkpoint: the optimizer entries do not fit the optimizer: "
                    + String.join("; ", problems) + "; nothing was restored");
        }
    }

    /** Parameter index to the names of its state entries; group entries go to {@code groups}, others to problems. */
    private static Map<String, Set<String>> stateNames(Map<String, Tensor> dict, Set<String> groups,
                                                       List<String> problems) {
        Map<String, Set<String>> names = new TreeMap<>();
        for (String k : dict.keySet()) {
            String[] parts = k.split("\\.", 3);
            if (parts[0].equals("param_groups")) groups.add(k);
            else if (parts.length == 3 && parts[0].equals("state")) {
                names.computeIfAbsent(parts[1], i -> new TreeSet<>()).add(parts[2]);
            } else problems.add("unexpected entry " + OPTIMIZER_PREFIX + k);
        }
        return names;
    }
}
