package dev.panagrad.bench.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.panagrad.bench.machine.MachineInfo;
import org.openjdk.jmh.util.ListStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns JMH JSON results into {@code results.json}, {@code report.md} and PNG charts.
 *
 * <pre>
 * java -cp ... dev.panagrad.bench.report.Report --out DIR [--load load.jsonl] [--machine machine.json]
 *      [--title TEXT] jmh-result.json [more.json ...]
 * </pre>
 *
 * Implementations and pairs come from the benchmark names ({@link Naming}); work per call from
 * {@link Workloads}; limits from the machine benchmarks in the same files. Any part may be absent
 * (no panagrad results yet, no machine benchmarks, no load log): the report says so and goes on.
 */
public final class Report {
    private Report() {}

    public static void main(String[] args) throws IOException {
        Path out = null, loadFile = null, machineFile = null;
        String title = null;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--load" -> loadFile = Path.of(args[++i]);
                case "--machine" -> machineFile = Path.of(args[++i]);
                case "--title" -> title = args[++i];
                default -> inputs.add(Path.of(args[i]));
            }
        }
        if (out == null || inputs.isEmpty()) {
            System.err.println("usage: Report --out DIR [--load load.jsonl] [--machine machine.json] [--title TEXT] jmh.json...");
            System.exit(2);
        }
        Files.createDirectories(out);
        System.setProperty("java.awt.headless", "true");

        Map<String, Object> machine = machineFile != null && Files.exists(machineFile)
                ? readMachine(machineFile) : MachineInfo.collect();
        LoadLog load = LoadLog.read(loadFile);
        List<Result> results = readJmh(inputs, load);
        Limits limits = Limits.from(results);
        results.forEach(r -> derive(r, limits));

        writeJson(out.resolve("results.json"), machine, limits, results);
        List<String> charts = Charts.write(out, results, limits, machine);
        String md = Markdown.render(title, inputs, machine, limits, results, load, charts);
        Files.writeString(out.resolve("report.md"), md);
        System.out.println("report: " + out.resolve("report.md") + " (" + results.size() + " results, "
                + charts.size() + " charts)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMachine(Path file) throws IOException {
        return new Gson().fromJson(Files.readString(file), LinkedHashMap.class);
    }

    static List<Result> readJmh(List<Path> files, LoadLog load) throws IOException {
        // a run (benchmark + params) found in several files is one run whose forks ran at different times (the
        // training steps go in rounds): its forks are pooled
        Map<String, JsonObject> byRun = new LinkedHashMap<>();
        for (Path f : files) {
            JsonElement root = JsonParser.parseString(Files.readString(f));
            JsonArray arr = root.isJsonArray() ? root.getAsJsonArray() : new JsonArray();
            for (JsonElement e : arr) {
                JsonObject o = e.getAsJsonObject();
                JsonObject first = byRun.putIfAbsent(Naming.runKey(o.get("benchmark").getAsString(), params(o)), o);
                if (first != null) poolForks(first, o);
            }
        }
        List<Result> results = new ArrayList<>();
        for (JsonObject o : byRun.values()) {
            Result r = parse(o);
            r.load = load.get(r.benchmark, r.params);
            results.add(r);
        }
        return results;
    }

    /** Adds more's forks to into's, and sets into's score and error as JMH does: over every fork's iterations. */
    private static void poolForks(JsonObject into, JsonObject more) {
        JsonObject pm = into.getAsJsonObject("primaryMetric");
        JsonArray forks = pm.getAsJsonArray("rawData");
        more.getAsJsonObject("primaryMetric").getAsJsonArray("rawData").forEach(forks::add);
        ListStatistics all = new ListStatistics();
        for (JsonElement fork : forks) {
            for (JsonElement it : fork.getAsJsonArray()) {
                Double v = number(it);
                if (v != null) all.addValue(v);
            }
        }
        pm.addProperty("score", all.getMean());
        pm.addProperty("scoreError", all.getMeanErrorAt(0.999));
    }

    private static Map<String, String> params(JsonObject o) {
        Map<String, String> params = new TreeMap<>();
        if (o.has("params")) {
            o.getAsJsonObject("params").entrySet().forEach(e -> params.put(e.getKey(), e.getValue().getAsString()));
        }
        return params;
    }

    static Result parse(JsonObject o) {
        Result r = new Result();
        r.benchmark = o.get("benchmark").getAsString();
        r.mode = o.get("mode").getAsString();
        Map<String, String> params = params(o);
        r.params = params;
        Naming.Parsed p = Naming.parse(r.benchmark, params);
        r.family = p.family();
        r.method = p.method();
        r.workload = p.workload();
        r.implementation = p.implementation();
        r.kernels = Naming.isPanagrad(r.implementation) ? params.get("kernels") : null;
        r.caseKey = Naming.caseKey(r.workload, params);
        r.threads = params.containsKey("threads") ? Integer.parseInt(params.get("threads")) : 1;
        for (String k : Naming.SIZE_PARAMS) {
            if (params.containsKey(k)) {
                r.sizeParam = k;
                r.size = params.get(k);
                break;
            }
        }
        JsonObject pm = o.getAsJsonObject("primaryMetric");
        r.score = pm.get("score").getAsDouble();
        r.scoreError = number(pm.get("scoreError"));
        r.scoreUnit = pm.get("scoreUnit").getAsString();
        r.secondsPerCall = secondsPerCall(r.score, r.scoreUnit);
        r.bestSecondsPerCall = best(pm, r.scoreUnit);
        r.work = Workloads.of(r.family, r.method, params);
        r.sizeValue = r.work.elements() > 0 ? r.work.elements()
                : r.size != null ? parseLeadingNumber(r.size) : 0;
        if (r.family.equals("Matmul") && r.size != null) {
            r.sizeValue = Double.parseDouble(r.size);
        }
        return r;
    }

    /** The fastest iteration in primaryMetric.rawData (all forks), in seconds per call. */
    private static Double best(JsonObject pm, String unit) {
        if (!pm.has("rawData")) {
            return null;
        }
        double best = Double.NaN;
        for (JsonElement fork : pm.getAsJsonArray("rawData")) {
            for (JsonElement it : fork.getAsJsonArray()) {
                Double v = number(it);
                if (v != null) {
                    double s = secondsPerCall(v, unit);
                    if (Double.isNaN(best) || s < best) {
                        best = s;
                    }
                }
            }
        }
        return Double.isNaN(best) ? null : best;
    }

    private static Double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        try {
            double d = e.getAsDouble();
            return Double.isFinite(d) ? d : null;
        } catch (RuntimeException ex) {
            return null;   // JMH writes "NaN" when there is a single iteration
        }
    }

    private static double parseLeadingNumber(String s) {
        String digits = s.replaceAll("^(\\d+).*$", "$1");
        try {
            return Double.parseDouble(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** "ns/op", "us/op", "ms/op", "s/op", or a throughput "ops/s", "ops/ms", ... to seconds per call. */
    static double secondsPerCall(double score, String unit) {
        String[] parts = unit.split("/");
        if (parts.length == 2 && parts[1].equals("op")) {
            return score * timeUnit(parts[0]);
        }
        if (parts.length == 2 && parts[0].equals("ops")) {
            return timeUnit(parts[1]) / score;
        }
        return Double.NaN;
    }

    private static double timeUnit(String u) {
        return switch (u) {
            case "ns" -> 1e-9;
            case "us", "\u00b5s" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> Double.NaN;
        };
    }

    /** Fills the derived figures and the fraction of the bounding limit. */
    static void derive(Result r, Limits limits) {
        Workloads.Work w = r.work;
        r.bound = w.bound().name().toLowerCase(Locale.ROOT);
        double s = r.secondsPerCall;
        if (!(s > 0)) {
            return;
        }
        switch (w.bound()) {
            case LIMIT -> {
                if (w.flops() > 0) {
                    r.gflops = w.flops() / s / 1e9;
                    r.derived = r.gflops;
                    r.derivedUnit = "GFLOP/s";
                } else {
                    r.gbps = w.bytes() / s / 1e9;
                    r.derived = r.gbps;
                    r.derivedUnit = "GB/s";
                }
            }
            case COMPUTE -> {
                r.gflops = w.flops() / s / 1e9;
                if (w.samples() > 0) {
                    r.derived = w.samples() / s;
                    r.derivedUnit = "samples/s";
                } else {
                    r.derived = r.gflops;
                    r.derivedUnit = "GFLOP/s";
                }
                Double peak = limits.peak(r.threads);
                if (peak != null) {
                    peak *= w.peakShare();
                    r.limit = peak;
                    r.limitUnit = "GFLOP/s";
                    r.limitSource = (w.peakShare() == 1 ? "FMA peak, " : "float64 FMA peak (float32 x "
                            + w.peakShare() + "), ") + threads(r.threads);
                    r.fractionOfLimit = r.gflops / peak;
                }
            }
            case MEMORY -> {
                r.gbps = w.bytes() / s / 1e9;
                r.derived = r.gbps;
                r.derivedUnit = "GB/s";
                if (w.elements() > 0) {
                    r.nsPerElement = s * 1e9 / w.elements();
                }
                Limits.Point lim = limits.stream(w.limitKernel(), r.threads, w.elements());
                if (lim != null) {
                    r.limit = lim.value();
                    r.limitUnit = "GB/s";
                    r.limitSource = "stream " + w.limitKernel() + " at n=" + lim.n() + ", " + threads(r.threads);
                    r.fractionOfLimit = r.gbps / lim.value();
                }
            }
            case OVERHEAD -> {
                r.derived = s * 1e9;
                r.derivedUnit = "ns/op";
            }
            default -> { }
        }
    }

    static String threads(int t) {
        return t == 1 ? "1 thread" : t + " threads";
    }

    private static void writeJson(Path file, Map<String, Object> machine, Limits limits, List<Result> results)
            throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        root.put("machine", machine);
        root.put("limits", limits.toJson());
        root.put("results", results);
        Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
        Files.writeString(file, gson.toJson(root));
    }

    /** Machine limits measured in the same run. */
    static final class Limits {
        record Point(long n, double value) {}

        /** threads -> GFLOP/s */
        final TreeMap<Integer, Double> peak = new TreeMap<>();
        /** kernel -> threads -> n -> GB/s */
        final Map<String, TreeMap<Integer, TreeMap<Long, Double>>> stream = new TreeMap<>();

        static Limits from(List<Result> results) {
            Limits l = new Limits();
            for (Result r : results) {
                if (!r.implementation.equals(Naming.MACHINE) || !(r.secondsPerCall > 0)) {
                    continue;
                }
                if (r.family.equals("PeakFlops")) {
                    l.peak.put(r.threads, r.work.flops() / r.secondsPerCall / 1e9);
                } else if (r.family.equals("StreamBandwidth")) {
                    l.stream.computeIfAbsent(r.method, k -> new TreeMap<>())
                            .computeIfAbsent(r.threads, k -> new TreeMap<>())
                            .put(Long.parseLong(r.params.get("n")), r.work.bytes() / r.secondsPerCall / 1e9);
                }
            }
            return l;
        }

        /** Peak at this thread count; scaled from 1 thread if only that was measured. */
        Double peak(int threads) {
            Double p = peak.get(threads);
            if (p == null && peak.containsKey(1)) {
                p = peak.get(1) * threads;
            }
            return p;
        }

        /** Stream bandwidth of the kernel at the measured size nearest (in log scale) to elements. */
        Point stream(String kernel, int threads, double elements) {
            var byThreads = stream.get(kernel);
            if (byThreads == null || !byThreads.containsKey(threads) || elements <= 0) {
                return null;
            }
            Point best = null;
            double bestDist = Double.MAX_VALUE;
            for (var e : byThreads.get(threads).entrySet()) {
                double d = Math.abs(Math.log((double) e.getKey() / elements));
                if (d < bestDist) {
                    bestDist = d;
                    best = new Point(e.getKey(), e.getValue());
                }
            }
            return best;
        }

        /** The kernel's bandwidth at the largest size measured: the DRAM figure. */
        Point dram(String kernel, int threads) {
            var byThreads = stream.get(kernel);
            if (byThreads == null || !byThreads.containsKey(threads)) {
                return null;
            }
            var last = byThreads.get(threads).lastEntry();
            return new Point(last.getKey(), last.getValue());
        }

        Set<Integer> threadCounts() {
            Set<Integer> t = new TreeSet<>(peak.keySet());
            stream.values().forEach(m -> t.addAll(m.keySet()));
            return t;
        }

        boolean isEmpty() {
            return peak.isEmpty() && stream.isEmpty();
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Double> p = new LinkedHashMap<>();
            peak.forEach((t, v) -> p.put(String.valueOf(t), v));
            m.put("peakGflops", p);
            Map<String, Object> s = new LinkedHashMap<>();
            stream.forEach((k, byT) -> {
                Map<String, Object> bt = new LinkedHashMap<>();
                byT.forEach((t, byN) -> {
                    Map<String, Double> bn = new LinkedHashMap<>();
                    byN.forEach((n, v) -> bn.put(String.valueOf(n), v));
                    bt.put(String.valueOf(t), bn);
                });
                s.put(k, bt);
            });
            m.put("streamGBps", s);
            return m;
        }
    }

    /** Order of families in tables and charts; unknown families follow, alphabetically. */
    static final List<String> FAMILY_ORDER = List.of("Elementwise", "Reduce", "Softmax", "Matmul", "Conv2d",
            "AutogradChain", "Training", "Allocation", "DjlOverhead", "PeakFlops", "StreamBandwidth");

    static Comparator<Result> order() {
        return Comparator.<Result>comparingInt(r -> {
                    int i = FAMILY_ORDER.indexOf(r.family);
                    return i < 0 ? FAMILY_ORDER.size() : i;
                })
                .thenComparing(r -> r.family)
                .thenComparing(r -> r.method)
                .thenComparingDouble(r -> r.sizeValue)
                .thenComparing(r -> r.caseKey)
                .thenComparing(r -> r.implementation)
                .thenComparingInt(r -> r.threads);
    }

    /** Distinct values in first-seen order. */
    static <T> List<T> distinct(List<Result> rs, java.util.function.Function<Result, T> f) {
        return new ArrayList<>(rs.stream().map(f).collect(Collectors.toCollection(LinkedHashSet::new)));
    }
}
