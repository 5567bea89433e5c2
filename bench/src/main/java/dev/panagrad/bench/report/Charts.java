package dev.panagrad.bench.report;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.imageio.ImageIO;

/**
 * PNG charts (XChart, headless):
 * <ul>
 *   <li>{@code matmul-gflops.png}: float32 GFLOP/s against matrix size, one line per implementation
 *   (each panagrad kernel set, raw OpenBLAS, PyTorch) and thread count, the machine's FMA peak as
 *   dashed lines;</li>
 *   <li>{@code bandwidth-<op>.png} for each memory-bound op (add, exp, ..., sum, mean): GB/s
 *   against elements, the stream kernel that bounds it dashed, and vertical lines where the op's
 *   working set fills L1, L2, L3;</li>
 *   <li>{@code stream.png}: the machine's stream bandwidth by size, all kernels;</li>
 *   <li>{@code ratios.png}: panagrad/PyTorch throughput ratio per case at each thread count (only
 *   when the run has pairs);</li>
 *   <li>{@code training.png}: samples/s of the training steps, one panel per model.</li>
 * </ul>
 */
final class Charts {
    private Charts() {}

    private static final int W = 1000, H = 620;
    private static final int TRAINING_PANEL_W = 560;


    static String describe(String file) {
        if (file.equals("matmul-gflops.png")) {
            return ": float32 matmul GFLOP/s vs size per implementation, machine FMA peak dashed";
        }
        if (file.startsWith("bandwidth-")) {
            return ": GB/s vs elements for " + file.substring(10, file.length() - 4)
                    + ", bounding stream kernel dashed, L1/L2/L3 boundaries of its working set marked";
        }
        if (file.equals("stream.png")) {
            return ": machine stream bandwidth vs size (copy, add, triad, read)";
        }
        if (file.equals("ratios.png")) {
            return ": panagrad/PyTorch throughput ratio per case (> 1: panagrad faster)";
        }
        if (file.equals("training.png")) {
            return ": training step samples/s per implementation";
        }
        return "";
    }

    static List<String> write(Path out, List<Result> results, Report.Limits limits, Map<String, Object> machine)
            throws IOException {
        List<String> files = new ArrayList<>();
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Report.order());
        draw(files, "matmul-gflops.png", () -> matmul(out, sorted, limits));
        for (String workload : Report.distinct(sorted, r -> r.workload)) {
            List<Result> rs = sorted.stream().filter(r -> r.workload.equals(workload)
                    && r.work.bound() == Workloads.Bound.MEMORY && r.sizeParam != null && r.sizeParam.equals("n")).toList();
            if (rs.isEmpty()) {
                continue;
            }
            String name = "bandwidth-" + rs.get(0).method + ".png";
            if (!files.contains(name)) {
                draw(files, name, () -> bandwidth(out.resolve(name), workload, rs, limits, machine));
            }
        }
        draw(files, "stream.png", () -> stream(out.resolve("stream.png"), limits, machine));
        draw(files, "ratios.png", () -> ratios(out.resolve("ratios.png"), sorted));
        draw(files, "training.png", () -> training(out.resolve("training.png"), sorted));
        return files;
    }

    private interface Drawing {
        boolean draw() throws IOException;
    }

    /** One chart failing (odd data, a font problem) costs that chart, not the report. */
    private static void draw(List<String> files, String name, Drawing d) {
        try {
            if (d.draw()) {
                files.add(name);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("report: chart " + name + " not drawn: " + e);
        }
    }

    /** Log-log chart for bandwidths, which span two orders of magnitude from L1 to DRAM. */
    private static XYChart logLog(String title, String x, String y) {
        XYChart c = xy(title, x, y);
        c.getStyler().setYAxisMin(null);
        c.getStyler().setYAxisLogarithmic(true);
        return c;
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y).build();
        Styler s = c.getStyler();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        // x is log2 of the size, labelled with the size itself (64, 1K, 16M): XChart's own log axis
        // labels only powers of ten
        c.setCustomXAxisTickLabelsFormatter(v -> Math.abs(v - Math.rint(v)) < 1e-6
                ? Markdown.sizeName(Math.round(Math.pow(2, v))) : "");
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setMarkerSize(7);
        return c;
    }

    private static String label(String impl, int threads) {
        return impl + ", " + Report.threads(threads);
    }

    // ---- matmul ----------------------------------------------------------------------------

    private static boolean matmul(Path out, List<Result> sorted, Report.Limits limits) throws IOException {
        // float32 only: one point per implementation, threads and size, and the FMA peak lines are float32's
        List<Result> mm = sorted.stream().filter(r -> r.workload.equals("Matmul.matmul") && r.gflops != null
                && !"float64".equals(r.params.get("dtype"))).toList();
        if (mm.isEmpty()) {
            return false;
        }
        XYChart c = xy("float32 matmul: GFLOP/s vs size (C = A @ B, n x n)" + flagged(mm), "n", "GFLOP/s");
        Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
        for (Result r : mm) {
            series.computeIfAbsent(label(r.implementation, r.threads), k -> new TreeMap<>()).put(r.sizeValue, r.gflops);
        }
        double lo = mm.stream().mapToDouble(r -> r.sizeValue).min().orElse(1);
        double hi = mm.stream().mapToDouble(r -> r.sizeValue).max().orElse(2);
        series.forEach((name, pts) -> addXY(c, name, pts));
        for (int t : limits.peak.keySet()) {
            XYSeries s = c.addSeries("machine FMA peak, " + Report.threads(t),
                    new double[] {log2(lo), log2(hi)}, new double[] {limits.peak.get(t), limits.peak.get(t)});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setLineColor(t == 1 ? Color.DARK_GRAY : Color.GRAY);
        }
        BitmapEncoder.saveBitmap(c, out.resolve("matmul-gflops.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /** " (k of n points flagged as disturbed)" or "". */
    private static String flagged(List<Result> rs) {
        long k = rs.stream().filter(r -> r.load != null && r.load.disturbed).count();
        return k == 0 ? "" : " [" + k + " of " + rs.size() + " points disturbed]";
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    /** Adds a series with x on the log2 scale of {@link #xy}. */
    private static XYSeries addXY(XYChart c, String name, TreeMap<Double, Double> pts) {
        double[] x = pts.keySet().stream().mapToDouble(Charts::log2).toArray();
        double[] y = pts.values().stream().mapToDouble(Double::doubleValue).toArray();
        return c.addSeries(name, x, y);
    }

    // ---- bandwidth -------------------------------------------------------------------------

    private static boolean bandwidth(Path file, String workload, List<Result> rs, Report.Limits limits,
                                     Map<String, Object> machine) throws IOException {
        List<Result> ok = rs.stream().filter(r -> r.gbps != null && r.sizeValue > 0).toList();
        if (ok.isEmpty()) {
            return false;
        }
        Result first = ok.get(0);
        double bytesPerElement = first.work.bytes() / first.work.elements();
        XYChart c = logLog(workload + " (float32): GB/s vs elements (" + (int) bytesPerElement + " bytes/element)"
                        + flagged(ok),
                "elements", "GB/s");
        Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
        for (Result r : ok) {
            series.computeIfAbsent(label(r.implementation, r.threads), k -> new TreeMap<>()).put(r.sizeValue, r.gbps);
        }
        series.forEach((name, pts) -> addXY(c, name, pts));
        double lo = ok.stream().mapToDouble(r -> r.sizeValue).min().orElse(1);
        double hi = ok.stream().mapToDouble(r -> r.sizeValue).max().orElse(2);
        double ymax = ok.stream().mapToDouble(r -> r.gbps).max().orElse(1);
        String kernel = first.work.limitKernel();
        var byThreads = kernel == null ? null : limits.stream.get(kernel);
        if (byThreads != null) {
            for (var e : byThreads.entrySet()) {
                TreeMap<Double, Double> pts = new TreeMap<>();
                e.getValue().forEach((n, v) -> {
                    if (n >= lo / 1.5 && n <= hi * 1.5) {
                        pts.put((double) n, v);
                    }
                });
                if (!pts.isEmpty()) {
                    XYSeries s = addXY(c, "machine stream " + kernel + ", " + Report.threads(e.getKey()), pts);
                    s.setLineStyle(SeriesLines.DASH_DASH);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(e.getKey() == 1 ? Color.DARK_GRAY : Color.GRAY);
                    ymax = Math.max(ymax, pts.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
                }
            }
        }
        cacheLines(c, machine, bytesPerElement, lo, hi, ymax);
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /** Vertical lines where a working set of bytesPerElement x n fills each cache level. */
    @SuppressWarnings("unchecked")
    private static void cacheLines(XYChart c, Map<String, Object> machine, double bytesPerElement,
                                   double lo, double hi, double ymax) {
        if (!(machine.get("caches") instanceof List<?> caches)) {
            return;
        }
        int i = 0;
        for (Object o : caches) {
            Map<String, Object> e = (Map<String, Object>) o;
            int level = ((Number) e.get("level")).intValue();
            long bytes = ((Number) e.get("bytes")).longValue();
            double n = bytes / bytesPerElement;
            if (n < lo || n > hi) {
                continue;
            }
            c.addAnnotation(new AnnotationLine(log2(n), true, false));
            c.addAnnotation(new AnnotationText("L" + level + " " + Markdown.bytes(bytes), log2(n),
                    ymax * Math.pow(0.8, i++), false));
        }
    }

    private static boolean stream(Path file, Report.Limits limits, Map<String, Object> machine) throws IOException {
        if (limits.stream.isEmpty()) {
            return false;
        }
        XYChart c = logLog("machine stream bandwidth (Vector API, 64-byte aligned, float32)", "elements per array", "GB/s");
        double lo = Double.MAX_VALUE, hi = 0, ymax = 0;
        for (var k : limits.stream.entrySet()) {
            for (var t : k.getValue().entrySet()) {
                TreeMap<Double, Double> pts = new TreeMap<>();
                t.getValue().forEach((n, v) -> pts.put((double) n, v));
                addXY(c, k.getKey() + ", " + Report.threads(t.getKey()), pts);
                lo = Math.min(lo, pts.firstKey());
                hi = Math.max(hi, pts.lastKey());
                ymax = Math.max(ymax, pts.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
            }
        }
        // boundaries for the add kernel's 12 bytes per element
        cacheLines(c, machine, 12, lo, hi, ymax);
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    // ---- ratios ----------------------------------------------------------------------------

    private static boolean ratios(Path file, List<Result> sorted) throws IOException {
        Map<Integer, Map<String, Double>> byThreads = new TreeMap<>();
        List<String> cases = new ArrayList<>();
        for (Result t : sorted) {
            if (!t.implementation.equals(Naming.PYTORCH)) {
                continue;
            }
            sorted.stream()
                    .filter(p -> Naming.isPanagrad(p.implementation) && p.caseKey.equals(t.caseKey) && p.threads == t.threads)
                    .mapToDouble(p -> p.secondsPerCall).min()
                    .ifPresent(best -> {
                        if (!cases.contains(t.caseKey)) {
                            cases.add(t.caseKey);
                        }
                        byThreads.computeIfAbsent(t.threads, k -> new LinkedHashMap<>())
                                .put(t.caseKey, t.secondsPerCall / best);
                    });
        }
        if (cases.isEmpty()) {
            return false;
        }
        CategoryChart c = new CategoryChartBuilder().width(Math.max(W, 40 * cases.size() + 300)).height(H + 200)
                .title("panagrad / PyTorch throughput (best panagrad kernel set; > 1: panagrad faster)")
                .xAxisTitle("case").yAxisTitle("ratio").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setXAxisLabelRotation(60);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        for (var e : byThreads.entrySet()) {
            // a case measured at one thread count only gets an empty bar at the other
            List<Double> ys = new ArrayList<>();
            for (String k : cases) {
                ys.add(e.getValue().getOrDefault(k, 0.0));
            }
            c.addSeries(Report.threads(e.getKey()), cases, ys);
        }
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    // ---- training --------------------------------------------------------------------------

    private static boolean training(Path file, List<Result> sorted) throws IOException {
        List<Result> tr = sorted.stream().filter(r -> r.family.equals("Training") && r.derived != null).toList();
        if (tr.isEmpty()) {
            return false;
        }
        // one panel per model with its own axis: an MLP step runs ~40x more samples/s than a CNN step, so on a
        // shared axis the CNN's bars vanish
        List<String> models = Report.distinct(tr, Charts::model);
        List<BufferedImage> panels = new ArrayList<>();
        for (String m : models) {
            List<Result> rs = tr.stream().filter(r -> model(r).equals(m)).toList();
            CategoryChart c = new CategoryChartBuilder().width(TRAINING_PANEL_W).height(H)
                    .title(m + " training step, batch 128").xAxisTitle("implementation, threads")
                    .yAxisTitle("samples/s").build();
            CategoryStyler st = c.getStyler();
            st.setLegendVisible(false);
            st.setChartBackgroundColor(Color.WHITE);
            st.setXAxisLabelRotation(30);
            // one bar per category, labelled with 3 significant digits: labels cannot collide
            st.setLabelsVisible(true);
            st.setLabelsPosition(1.0);   // at the top of the bar, inside it
            st.setLabelsFontColorAutomaticEnabled(false);
            st.setLabelsFontColor(Color.BLACK);
            c.setCustomYAxisTickLabelsFormatter(Charts::significant3);
            c.addSeries("samples/s", rs.stream().map(r -> label(r.implementation, r.threads)).toList(),
                    rs.stream().map(r -> (Number) r.derived).toList());
            panels.add(BitmapEncoder.getBufferedImage(c));
        }
        BufferedImage all = new BufferedImage(TRAINING_PANEL_W * panels.size(), H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), i * TRAINING_PANEL_W, 0, null);
        }
        g.dispose();
        ImageIO.write(all, "png", file.toFile());
        return true;
    }

    /** {@code v} rounded to 3 significant digits, without exponent or trailing zeros: 39141.2 as 39100, 0.98765 as 0.988. */
    static String significant3(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static String model(Result r) {
        return r.method.replace("Step", "").toUpperCase(Locale.ROOT);
    }
}
