package dev.panagrad.bench.machine;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * What else the machine was doing while a benchmark iteration ran. Reads {@code /proc/stat} (all
 * CPUs: busy, idle, steal), {@code /proc/self/stat} (this JVM's own CPU time, all its threads
 * including libtorch's OpenMP workers) and {@code /proc/loadavg} before and after an iteration, and
 * appends one JSON line per iteration to the file named by {@code -Dpanagrad.bench.loadlog} or the
 * environment variable {@code PANAGRAD_BENCH_LOADLOG} (JMH forks inherit the environment).
 *
 * <p>{@code otherCores} = CPUs kept busy by anything but this JVM, averaged over the iteration
 * (busy cores minus this JVM's cores); {@code stealFraction} = share of CPU time the hypervisor
 * gave to other guests; {@code jitMillis} = time this JVM's JIT compilers worked during the iteration
 * (code that still changes: the run was not yet at steady state). The report flags a result as disturbed
 * when any of them is high. Reading the three files takes tens of microseconds and happens outside the
 * measured interval.
 */
public final class LoadProbe {
    private static final Path LOG = logPath();

    private long[] cpuBefore;
    private long selfBefore;
    private double load1Before;
    private long nanosBefore;
    private long jitMillisBefore;
    private int iteration;

    private static Path logPath() {
        String p = System.getProperty("panagrad.bench.loadlog");
        if (p == null || p.isBlank()) {
            p = System.getenv("PANAGRAD_BENCH_LOADLOG");
        }
        return p == null || p.isBlank() ? null : Path.of(p);
    }

    public static boolean enabled() {
        return LOG != null;
    }

    public void start() {
        if (LOG == null) {
            return;
        }
        load1Before = load1();
        cpuBefore = cpuTicks();
        selfBefore = selfTicks();
        jitMillisBefore = jitMillis();
        nanosBefore = System.nanoTime();
    }

    /**
     * Closes the interval begun by {@link #start()} and appends its line.
     *
     * @param benchmark fully qualified benchmark method name
     * @param params    JMH parameters of this trial
     * @param phase     "WARMUP" or "MEASUREMENT"
     */
    public void stop(String benchmark, Map<String, String> params, String phase) {
        if (LOG == null || cpuBefore == null) {
            return;
        }
        long nanos = System.nanoTime() - nanosBefore;
        long jit = jitMillis() - jitMillisBefore;
        long self = selfTicks() - selfBefore;
        long[] cpu = cpuTicks();
        double load1After = load1();
        long total = 0;
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] -= cpuBefore[i];
            total += cpu[i];
        }
        // /proc/stat "cpu" columns: user nice system idle iowait irq softirq steal guest guest_nice;
        // guest time is already counted in user, so only the first eight add up to the total.
        long idle = cpu[3] + cpu[4];
        long steal = cpu[7];
        int cpus = Runtime.getRuntime().availableProcessors();
        double busyCores = total == 0 ? 0 : (double) (total - idle - steal) / total * cpus;
        double selfCores = total == 0 ? 0 : (double) self / total * cpus;
        double otherCores = Math.max(0, busyCores - selfCores);
        double stealFraction = total == 0 ? 0 : (double) steal / total;

        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"benchmark\":\"").append(benchmark).append("\",\"params\":{");
        boolean first = true;
        for (var e : new TreeMap<>(params).entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
        }
        sb.append("},\"pid\":").append(ProcessHandle.current().pid())
                .append(",\"phase\":\"").append(phase).append('"')
                .append(",\"iteration\":").append(++iteration)
                .append(",\"seconds\":").append(fmt(nanos / 1e9))
                .append(",\"busyCores\":").append(fmt(busyCores))
                .append(",\"selfCores\":").append(fmt(selfCores))
                .append(",\"otherCores\":").append(fmt(otherCores))
                .append(",\"stealFraction\":").append(fmt(stealFraction))
                .append(",\"load1Before\":").append(fmt(load1Before))
                .append(",\"load1After\":").append(fmt(load1After))
                .append(",\"ticks\":").append(total)
                .append(",\"jitMillis\":").append(jit)
                .append("}\n");
        try {
            Files.writeString(LOG, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("LoadProbe: cannot append to " + LOG + ": " + e.getMessage());
        }
        cpuBefore = null;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /** The aggregate "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal. */
    static long[] cpuTicks() {
        try (var lines = Files.lines(Path.of("/proc/stat"))) {
            String line = lines.filter(l -> l.startsWith("cpu ")).findFirst().orElse("cpu");
            String[] f = line.trim().split("\\s+");
            long[] t = new long[8];
            for (int i = 0; i < t.length && i + 1 < f.length; i++) {
                t[i] = Long.parseLong(f[i + 1]);
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return new long[8];
        }
    }

    /** utime + stime of this process (all threads), in clock ticks. */
    static long selfTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) may contain spaces; fields after its closing ')' are plain
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12]
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Milliseconds this JVM's JIT compilers have worked so far (0 where the JVM does not say). */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
