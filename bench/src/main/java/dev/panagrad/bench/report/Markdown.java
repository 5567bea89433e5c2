package dev.panagrad.bench.report;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** report.md: machine and limits, the panagrad/PyTorch headline, every result against its limit. */
final class Markdown {
    private Markdown() {}

    static String render(String title, List<Path> inputs, Map<String, Object> machine, Report.Limits limits,
                         List<Result> results, LoadLog load, List<String> charts) {
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Report.order());
        StringBuilder md = new StringBuilder();
        md.append("# panagrad benchmark report").append(title == null ? "" : ": " + title).append("\n\n");
        md.append("Generated ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(" from ").append(inputs.stream().map(p -> "`" + p.getFileName() + "`")
                        .collect(Collectors.joining(", ")))
                .append(". Times are JMH averages per call; ± is JMH's 99.9% confidence half-width, as a share of the "
                        + "average; best iteration is the fastest measurement iteration (less sensitive to other load, "
                        + "but not what the ratios and fractions use).\n\n");

        machine(md, machine, limits);
        headline(md, sorted);
        rawBlas(md, sorted);
        allResults(md, sorted);
        chain(md, sorted);
        training(md, sorted);
        disturbed(md, sorted, load);
        if (!charts.isEmpty()) {
            md.append("## Charts\n\n");
            for (String c : charts) {
                md.append("- [").append(c).append("](").append(c).append(")")
                        .append(Charts.describe(c)).append("\n");
            }
            md.append('\n');
        }
        return md.toString();
    }

    // ---- machine ---------------------------------------------------------------------------

    private static void machine(StringBuilder md, Map<String, Object> m, Report.Limits limits) {
        md.append("## Machine\n\n");
        md.append(String.format(Locale.ROOT, "- CPU: %s, %s, %s cores, %s-bit vectors (%s float lanes)%s%n",
                m.getOrDefault("cpuModel", "?"), m.getOrDefault("microarchitecture", "?"),
                num(m.get("cores")), num(m.get("vectorBits")), num(m.get("floatLanes")),
                Boolean.TRUE.equals(m.get("avx512f")) ? ", AVX-512" : ""));
        md.append("- Caches: ").append(caches(m)).append(" (from ").append(m.getOrDefault("cacheSource", "?"))
                .append(")\n");
        Object mem = m.get("memTotalBytes");
        if (mem instanceof Number n) {
            md.append(String.format(Locale.ROOT, "- Memory: %.1f GiB%n", n.doubleValue() / (1L << 30)));
        }
        md.append("- JVM: ").append(m.getOrDefault("java", "?")).append("; OS: ").append(m.getOrDefault("os", "?"))
                .append('\n');
        if (m.containsKey("pytorch")) {
            md.append("- PyTorch: ").append(m.get("pytorch")).append('\n');
        }
        md.append('\n');

        md.append("### Machine limits (measured in this run)\n\n");
        if (limits.isEmpty()) {
            md.append("No machine benchmarks (PeakFlops, StreamBandwidth) in the results: fractions of limit are left blank.\n\n");
            return;
        }
        var threads = limits.threadCounts();
        md.append("| limit |");
        threads.forEach(t -> md.append(' ').append(Report.threads(t)).append(" |"));
        md.append("\n|---|");
        threads.forEach(t -> md.append("---:|"));
        md.append('\n');
        md.append("| peak FP32 FMA, GFLOP/s |");
        threads.forEach(t -> md.append(' ').append(limits.peak.containsKey(t) ? f3(limits.peak.get(t)) : "").append(" |"));
        md.append('\n');
        for (String k : limits.stream.keySet()) {
            md.append("| stream ").append(k).append(", largest n (DRAM), GB/s |");
            threads.forEach(t -> {
                Report.Limits.Point p = limits.dram(k, t);
                md.append(' ').append(p == null ? "" : f3(p.value()) + " (n=" + sizeName(p.n()) + ")").append(" |");
            });
            md.append('\n');
        }
        md.append('\n');
        // bandwidth by size
        TreeSet<Long> sizes = new TreeSet<>();
        limits.stream.values().forEach(bt -> bt.values().forEach(bn -> sizes.addAll(bn.keySet())));
        if (!sizes.isEmpty()) {
            md.append("Stream bandwidth by size, GB/s (a kernel's bytes per element: copy 8, add 12, triad 12, read 4):\n\n");
            md.append("| n |");
            List<String[]> cols = new ArrayList<>();
            for (String k : limits.stream.keySet()) {
                for (int t : limits.stream.get(k).keySet()) {
                    cols.add(new String[] {k, String.valueOf(t)});
                    md.append(' ').append(k).append(' ').append(t).append("t |");
                }
            }
            md.append("\n|---:|");
            cols.forEach(c -> md.append("---:|"));
            md.append('\n');
            for (long n : sizes) {
                md.append("| ").append(sizeName(n)).append(" |");
                for (String[] c : cols) {
                    Double v = limits.stream.get(c[0]).get(Integer.parseInt(c[1])).get(n);
                    md.append(' ').append(v == null ? "" : f3(v)).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
    }

    @SuppressWarnings("unchecked")
    private static String caches(Map<String, Object> m) {
        Object c = m.get("caches");
        if (!(c instanceof List<?> list) || list.isEmpty()) {
            return "unknown";
        }
        List<String> parts = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> e = (Map<String, Object>) o;
            int level = ((Number) e.get("level")).intValue();
            long bytes = ((Number) e.get("bytes")).longValue();
            parts.add("L" + level + (level == 1 ? "d" : "") + " " + bytes(bytes));
        }
        return String.join(", ", parts);
    }

    // ---- headline --------------------------------------------------------------------------

    private static void headline(StringBuilder md, List<Result> sorted) {
        md.append("## Headline: panagrad vs PyTorch\n\n");
        List<Result> torch = sorted.stream().filter(r -> r.implementation.equals(Naming.PYTORCH)).toList();
        List<Result> pg = sorted.stream().filter(r -> Naming.isPanagrad(r.implementation)).toList();
        if (torch.isEmpty() && pg.isEmpty()) {
            md.append("No PyTorch or panagrad results in this run.\n\n");
            return;
        }
        if (pg.isEmpty()) {
            md.append("No panagrad results in this run (no classes in `dev.panagrad.bench.panagrad` ran), so there are no ratios yet; ")
                    .append("the table lists the PyTorch side alone.\n\n");
        } else {
            md.append("ratio = panagrad throughput / PyTorch throughput = PyTorch time / panagrad time: ")
                    .append("**> 1 means panagrad is faster**. panagrad column: its fastest kernel set for that case and thread count.\n\n");
        }
        TreeSet<Integer> threads = new TreeSet<>();
        sorted.stream().filter(r -> !r.implementation.equals(Naming.MACHINE)).forEach(r -> threads.add(r.threads));
        md.append("| case |");
        for (int t : threads) {
            md.append(" PyTorch ").append(t).append("t | panagrad ").append(t).append("t | ratio ").append(t).append("t |");
        }
        md.append("\n|---|");
        threads.forEach(t -> md.append("---:|---:|---:|"));
        md.append('\n');
        for (String c : Report.distinct(sorted.stream().filter(r -> (r.implementation.equals(Naming.PYTORCH)
                || Naming.isPanagrad(r.implementation)) && !Naming.UNPAIRED_FAMILIES.contains(r.family)).toList(),
                r -> r.caseKey)) {
            md.append("| ").append(c).append(" |");
            for (int t : threads) {
                Optional<Result> tr = torch.stream().filter(r -> r.caseKey.equals(c) && r.threads == t).findFirst();
                Optional<Result> best = pg.stream().filter(r -> r.caseKey.equals(c) && r.threads == t)
                        .min((a, b) -> Double.compare(a.secondsPerCall, b.secondsPerCall));
                md.append(' ').append(tr.map(Markdown::timeAndMetric).orElse("")).append(" |");
                md.append(' ').append(best.map(r -> timeAndMetric(r) + (r.kernels == null ? "" : " (" + r.kernels + ")"))
                        .orElse(pg.isEmpty() ? "" : "missing")).append(" |");
                String ratio = "";
                if (tr.isPresent() && best.isPresent()) {
                    ratio = String.format(Locale.ROOT, "%.2f", tr.get().secondsPerCall / best.get().secondsPerCall);
                }
                md.append(' ').append(ratio).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    // ---- raw OpenBLAS ----------------------------------------------------------------------

    /** Each raw OpenBLAS result beside panagrad with the blas kernel set on the same case and threads. */
    private static void rawBlas(StringBuilder md, List<Result> sorted) {
        List<Result> raw = sorted.stream().filter(r -> r.implementation.equals(Naming.OPENBLAS_RAW)).toList();
        if (raw.isEmpty()) {
            return;
        }
        md.append("## panagrad's matmul against raw OpenBLAS\n\n");
        md.append("raw: `OpenBlas.sgemm`/`dgemm` on segments allocated once (no tensor, no scope, no autograd); ")
                .append("panagrad: `Tensor.matmul` with the blas kernel set, a fresh output per call. ")
                .append("overhead = panagrad time / raw time - 1, from the averages and from the best iterations ")
                .append("(the latter less sensitive to other load).\n\n");
        md.append("| case | threads | raw OpenBLAS | panagrad-blas | overhead | overhead, best iterations | load |\n");
        md.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Result r : raw) {
            Optional<Result> pg = sorted.stream().filter(p -> "blas".equals(p.kernels) && p.caseKey.equals(r.caseKey)
                    && p.threads == r.threads).findFirst();
            md.append("| ").append(r.caseKey).append(" | ").append(r.threads).append(" | ")
                    .append(timeAndMetric(r)).append(" | ")
                    .append(pg.map(Markdown::timeAndMetric).orElse("missing")).append(" | ")
                    .append(pg.map(p -> signedPct(p.secondsPerCall / r.secondsPerCall - 1)).orElse("")).append(" | ")
                    .append(pg.filter(p -> p.bestSecondsPerCall != null && r.bestSecondsPerCall != null)
                            .map(p -> signedPct(p.bestSecondsPerCall / r.bestSecondsPerCall - 1)).orElse(""))
                    .append(" | ").append(loadText(r))
                    .append(pg.filter(p -> p.load != null && p.load.disturbed).map(p -> "; panagrad: " + loadText(p))
                            .orElse(""))
                    .append(" |\n");
        }
        md.append('\n');
    }

    // ---- all results -----------------------------------------------------------------------

    private static void allResults(StringBuilder md, List<Result> sorted) {
        md.append("## Every result against its machine limit\n\n");
        md.append("compute-bound work is held against the FMA peak at the same thread count (float64: half the float32 ")
                .append("peak), memory-bound work against ")
                .append("the stream kernel with the same access pattern at the nearest size (add for a + b, copy for ")
                .append("exp/tanh/sigmoid/softmax, read for sum/mean). Load: `ok`, or why the run is flagged.\n\n");
        String family = null;
        for (Result r : sorted) {
            if (!r.family.equals(family)) {
                family = r.family;
                md.append("\n### ").append(family).append("\n\n");
                md.append("| case | implementation | threads | time/call | ± | best iteration | figure | limit | fraction | load |\n");
                md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
            }
            md.append("| ").append(r.caseKey).append(" | ").append(r.implementation).append(" | ").append(r.threads)
                    .append(" | ").append(time(r.secondsPerCall))
                    .append(" | ").append(r.scoreError == null ? "" : pct(r.scoreError / r.score))
                    .append(" | ").append(r.bestSecondsPerCall == null ? "" : time(r.bestSecondsPerCall))
                    .append(" | ").append(r.derived == null ? "" : f3(r.derived) + " " + r.derivedUnit)
                    .append(r.nsPerElement == null ? "" : " (" + f3(r.nsPerElement) + " ns/elem)")
                    .append(" | ").append(r.limit == null ? "" : f3(r.limit) + " " + r.limitUnit)
                    .append(" | ").append(r.fractionOfLimit == null ? "" : pct(r.fractionOfLimit))
                    .append(" | ").append(loadText(r)).append(" |\n");
        }
        md.append('\n');
    }

    private static String loadText(Result r) {
        if (r.load == null) {
            return "no data";
        }
        return r.load.disturbed ? "**" + r.load.why + "**" : "ok";
    }

    // ---- chain -----------------------------------------------------------------------------

    private static void chain(StringBuilder md, List<Result> sorted) {
        List<Result> ch = sorted.stream().filter(r -> r.family.equals("AutogradChain")).toList();
        List<Result> djl = sorted.stream().filter(r -> r.family.equals("DjlOverhead")).toList();
        if (ch.isEmpty() && djl.isEmpty()) {
            return;
        }
        md.append("## Autograd overhead per op\n\n");
        if (!ch.isEmpty()) {
            md.append("1,000 alternating `y * 1.0001` / `y + 1e-4` on a one-element tensor that requires grad. ")
                    .append("backward per op = (forward + backward) - forward.\n\n");
            md.append("| implementation | threads | forward per op | backward per op | forward + backward per op |\n");
            md.append("|---|---:|---:|---:|---:|\n");
            Map<String, Map<String, Result>> by = new TreeMap<>();
            for (Result r : ch) {
                by.computeIfAbsent(r.implementation + "|" + r.threads, k -> new LinkedHashMap<>()).put(r.method, r);
            }
            by.forEach((k, m) -> {
                String[] it = k.split("\\|");
                Result f = m.get("forward"), fb = m.get("forwardBackward");
                md.append("| ").append(it[0]).append(" | ").append(it[1]).append(" | ")
                        .append(f == null ? "" : time(f.secondsPerCall)).append(" | ")
                        .append(f == null || fb == null ? "" : time(fb.secondsPerCall - f.secondsPerCall)).append(" | ")
                        .append(fb == null ? "" : time(fb.secondsPerCall)).append(" |\n");
            });
            md.append('\n');
        }
        if (!djl.isEmpty()) {
            md.append("Cost of the Java-to-libtorch path itself (DjlOverhead; the suite uses the raw JNI path):\n\n");
            md.append("| call | threads | time |\n|---|---:|---:|\n");
            for (Result r : djl) {
                md.append("| ").append(r.method).append(" | ").append(r.threads).append(" | ")
                        .append(time(r.secondsPerCall)).append(" |\n");
            }
            md.append('\n');
        }
    }

    // ---- training --------------------------------------------------------------------------

    private static void training(StringBuilder md, List<Result> sorted) {
        List<Result> tr = sorted.stream().filter(r -> r.family.equals("Training")).toList();
        if (tr.isEmpty()) {
            return;
        }
        md.append("## Training steps (batch 128: forward, cross-entropy, backward, SGD)\n\n");
        md.append("| model | implementation | threads | time/step | samples/s | GFLOP/s | of FMA peak |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Result r : tr) {
            md.append("| ").append(r.method.replace("Step", "").toUpperCase(Locale.ROOT)).append(" | ")
                    .append(r.implementation).append(" | ").append(r.threads).append(" | ")
                    .append(time(r.secondsPerCall)).append(" | ")
                    .append(r.derived == null ? "" : String.format(Locale.ROOT, "%,.0f", r.derived)).append(" | ")
                    .append(r.gflops == null ? "" : f3(r.gflops)).append(" | ")
                    .append(r.fractionOfLimit == null ? "" : pct(r.fractionOfLimit)).append(" |\n");
        }
        md.append('\n');
    }

    // ---- disturbed -------------------------------------------------------------------------

    private static void disturbed(StringBuilder md, List<Result> sorted, LoadLog load) {
        md.append("## Disturbed runs\n\n");
        if (load.isEmpty()) {
            md.append("No load log was given, so no run could be checked for other load on the machine.\n\n");
            return;
        }
        md.append(String.format(Locale.ROOT,
                "A run is flagged when, during its measurement iterations, other processes used more than %.2f cores on "
                        + "average or more than %.2f cores in any iteration, or the hypervisor stole more than %.0f%% of CPU "
                        + "time (from /proc/stat and /proc/self/stat around every iteration), or its own JVM's JIT compiled for "
                        + "more than %.0f%% of an iteration (its code was still changing). Own cores: CPU this benchmark's JVM got "
                        + "(a 1-thread run that got 0.3 cores ran about 3x slower than alone). A load average well above the "
                        + "core count means many runnable threads shared the cores. Rerun flagged runs before trusting them.%n%n",
                LoadLog.MEAN_OTHER_LIMIT, LoadLog.MAX_OTHER_LIMIT, 100 * LoadLog.STEAL_LIMIT, 100 * LoadLog.JIT_LIMIT));
        List<Result> flagged = sorted.stream().filter(r -> r.load != null && r.load.disturbed).toList();
        long missing = sorted.stream().filter(r -> r.load == null).count();
        if (flagged.isEmpty()) {
            md.append("None flagged").append(missing > 0 ? " (" + missing + " results had no load data)" : "").append(".\n\n");
            return;
        }
        md.append(flagged.size()).append(" of ").append(sorted.size()).append(" results flagged")
                .append(missing > 0 ? "; " + missing + " had no load data" : "").append(":\n\n");
        md.append("| benchmark | params | own cores (mean) | other cores, mean / max | steal, max | JIT, max | load1 start → end |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Result r : flagged) {
            md.append("| ").append(r.workload).append(" (").append(r.implementation).append(") | ")
                    .append(r.params).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f of %d", r.load.meanSelfCores, r.threads)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f / %.2f", r.load.meanOtherCores, r.load.maxOtherCores))
                    .append(" | ").append(pct(r.load.maxStealFraction)).append(" | ").append(pct(r.load.maxJitShare))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f → %.2f", r.load.load1First, r.load.load1Last))
                    .append(" |\n");
        }
        md.append('\n');
    }

    // ---- formatting ------------------------------------------------------------------------

    private static String timeAndMetric(Result r) {
        String t = time(r.secondsPerCall);
        if (r.derived != null && !"ns/op".equals(r.derivedUnit)) {
            t += ", " + f3(r.derived) + " " + r.derivedUnit;
        }
        return t;
    }

    static String time(double s) {
        if (!Double.isFinite(s)) {
            return "?";
        }
        double a = Math.abs(s);
        if (a < 1e-6) {
            return String.format(Locale.ROOT, "%.1f ns", s * 1e9);
        }
        if (a < 1e-3) {
            return String.format(Locale.ROOT, "%.2f µs", s * 1e6);
        }
        if (a < 1) {
            return String.format(Locale.ROOT, "%.2f ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    /** Three significant figures, no exponent for everyday magnitudes. */
    static String f3(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** "+2.1%", "-0.4%". */
    static String signedPct(double f) {
        return String.format(Locale.ROOT, "%+.1f%%", 100 * f);
    }

    static String pct(double f) {
        return String.format(Locale.ROOT, f < 0.1 ? "%.1f%%" : "%.0f%%", 100 * f);
    }

    static String bytes(long b) {
        if (b >= 1L << 30 && b % (1L << 30) == 0) {
            return (b >> 30) + " GiB";
        }
        if (b >= 1L << 20) {
            return (b % (1L << 20) == 0 ? String.valueOf(b >> 20) : String.format(Locale.ROOT, "%.1f", b / 1048576.0)) + " MiB";
        }
        if (b >= 1L << 10) {
            return (b >> 10) + " KiB";
        }
        return b + " B";
    }

    /** 1024 -> 1K, 1048576 -> 1M. */
    static String sizeName(long n) {
        if (n >= 1L << 20 && n % (1L << 20) == 0) {
            return (n >> 20) + "M";
        }
        if (n >= 1L << 10 && n % (1L << 10) == 0) {
            return (n >> 10) + "K";
        }
        return String.valueOf(n);
    }

    private static String num(Object o) {
        return o instanceof Number n ? String.valueOf(n.longValue()) : String.valueOf(o);
    }
}
