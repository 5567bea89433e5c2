package dev.panagrad.bench.report;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lines {@link dev.panagrad.bench.machine.LoadProbe} wrote, summarised per run (benchmark and
 * params; all forks together, measurement iterations only).
 */
final class LoadLog {
    /** Flag a run whose measurement iterations saw this much CPU used by others on average (cores). */
    static final double MEAN_OTHER_LIMIT = 0.2;
    /** ... or this much in any one iteration (cores). */
    static final double MAX_OTHER_LIMIT = 0.5;
    /** ... or this share of CPU time stolen by the hypervisor in any iteration. */
    static final double STEAL_LIMIT = 0.02;
    /** ... or JIT compilation in the benchmark's own JVM for this share of any iteration's time. */
    static final double JIT_LIMIT = 0.10;

    static final class Stats {
        public int iterations;
        public double meanOtherCores;
        public double maxOtherCores;
        public double maxStealFraction;
        /** The most JIT compile time in one iteration, as a share of its wall time (0 in logs without it). */
        public double maxJitShare;
        public double meanSelfCores;
        public double load1First = Double.NaN;
        public double load1Last = Double.NaN;
        public boolean disturbed;
        public String why;

        private transient double sumOther, sumSelf;

        void add(JsonObject o) {
            double other = o.get("otherCores").getAsDouble();
            double steal = o.get("stealFraction").getAsDouble();
            iterations++;
            sumOther += other;
            sumSelf += o.get("selfCores").getAsDouble();
            maxOtherCores = Math.max(maxOtherCores, other);
            maxStealFraction = Math.max(maxStealFraction, steal);
            if (o.has("jitMillis")) {
                maxJitShare = Math.max(maxJitShare, o.get("jitMillis").getAsDouble() / 1000 / o.get("seconds").getAsDouble());
            }
            if (Double.isNaN(load1First)) {
                load1First = o.get("load1Before").getAsDouble();
            }
            load1Last = o.get("load1After").getAsDouble();
        }

        void finish() {
            meanOtherCores = iterations == 0 ? 0 : sumOther / iterations;
            meanSelfCores = iterations == 0 ? 0 : sumSelf / iterations;
            StringBuilder w = new StringBuilder();
            if (meanOtherCores > MEAN_OTHER_LIMIT) {
                w.append(String.format("others used %.2f cores on average", meanOtherCores));
            } else if (maxOtherCores > MAX_OTHER_LIMIT) {
                w.append(String.format("others used up to %.2f cores in an iteration", maxOtherCores));
            }
            if (maxStealFraction > STEAL_LIMIT) {
                if (!w.isEmpty()) {
                    w.append("; ");
                }
                w.append(String.format("hypervisor stole %.0f%% of CPU time", 100 * maxStealFraction));
            }
            if (maxJitShare > JIT_LIMIT) {
                if (!w.isEmpty()) {
                    w.append("; ");
                }
                w.append(String.format("the JIT compiled for %.0f%% of an iteration", 100 * maxJitShare));
            }
            disturbed = !w.isEmpty();
            why = disturbed ? w.toString() : null;
        }
    }

    private final Map<String, Stats> byRun = new HashMap<>();

    static LoadLog read(Path file) throws IOException {
        LoadLog log = new LoadLog();
        if (file == null || !Files.exists(file)) {
            return log;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonObject o;
            try {
                o = JsonParser.parseString(line).getAsJsonObject();
            } catch (RuntimeException e) {
                continue;   // a line cut short by a killed fork
            }
            if (!"MEASUREMENT".equals(o.get("phase").getAsString())) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            o.getAsJsonObject("params").entrySet().forEach(e -> params.put(e.getKey(), e.getValue().getAsString()));
            String key = Naming.runKey(o.get("benchmark").getAsString(), params);
            log.byRun.computeIfAbsent(key, k -> new Stats()).add(o);
        }
        log.byRun.values().forEach(Stats::finish);
        return log;
    }

    Stats get(String benchmark, Map<String, String> params) {
        return byRun.get(Naming.runKey(benchmark, params));
    }

    boolean isEmpty() {
        return byRun.isEmpty();
    }
}
