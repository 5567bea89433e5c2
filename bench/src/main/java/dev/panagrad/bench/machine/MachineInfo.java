package dev.panagrad.bench.machine;

import com.google.gson.GsonBuilder;
import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Facts about the machine a run happened on: CPU model and family, cores, vector width, cache
 * sizes, memory, JDK. Caches come from {@code /sys/devices/system/cpu/cpu0/cache/index*} where the
 * kernel exposes them; some virtual machines (this one: Firecracker) do not, so the fallbacks are
 * {@code getconf -a} (glibc's CPUID decoding) and then {@code /proc/cpuinfo}'s "cache size". The
 * source is recorded, because a VM's CPUID can report the host's total L3 rather than the slice
 * the guest shares (here getconf says 508 MiB of L3): the stream sweep shows where DRAM begins.
 *
 * <p>{@code main} prints the JSON (scripts/bench saves it as machine.json next to the results).
 */
public final class MachineInfo {
    private MachineInfo() {}

    /** One cache level: level 1 data, 2, 3 (instruction caches are left out). */
    public record Cache(int level, String type, long bytes) {}

    public static Map<String, Object> collect() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, String> cpu = cpuinfo();
        m.put("cpuModel", cpu.getOrDefault("model name", "unknown"));
        m.put("cpuFamily", cpu.getOrDefault("cpu family", "?"));
        m.put("cpuModelNumber", cpu.getOrDefault("model", "?"));
        m.put("cpuMHz", cpu.getOrDefault("cpu MHz", "?"));
        m.put("vendor", cpu.getOrDefault("vendor_id", "?"));
        m.put("microarchitecture", microarchitecture(cpu));
        String flags = cpu.getOrDefault("flags", "");
        m.put("avx512f", flags.contains("avx512f"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("floatLanes", FloatVector.SPECIES_PREFERRED.length());
        m.put("vectorBits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        List<Cache> caches = new ArrayList<>();
        m.put("cacheSource", caches(caches));
        List<Map<String, Object>> cl = new ArrayList<>();
        for (Cache c : caches) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("level", c.level());
            e.put("type", c.type());
            e.put("bytes", c.bytes());
            cl.add(e);
        }
        m.put("caches", cl);
        m.put("memTotalBytes", memTotal());
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        String torch = pytorch();
        if (torch != null) {
            m.put("pytorch", torch);
        }
        return m;
    }

    static String microarchitecture(Map<String, String> cpu) {
        if (!"AuthenticAMD".equals(cpu.get("vendor_id"))) {
            return "?";
        }
        return switch (cpu.getOrDefault("cpu family", "")) {
            case "23" -> "Zen/Zen 2 (family 17h)";
            case "25" -> "Zen 3/Zen 4 (family 19h)";
            case "26" -> "Zen 5 (family 1Ah)";
            default -> "AMD family " + cpu.get("cpu family");
        };
    }

    /** The libtorch build on the class path, read from the native jar's descriptor (no loading). */
    static String pytorch() {
        try (var in = MachineInfo.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return null;
            }
            var p = new java.util.Properties();
            p.load(in);
            return "libtorch " + p.getProperty("version", "?") + " " + p.getProperty("flavor", "")
                    + " (" + p.getProperty("classifier", "") + ") through DJL's pytorch-engine";
        } catch (IOException e) {
            return null;
        }
    }

    static Map<String, String> cpuinfo() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.isBlank()) {
                    break;      // first processor only
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            // not Linux: leave empty
        }
        return m;
    }

    /** Fills {@code out} with the data/unified caches and says where the sizes came from. */
    static String caches(List<Cache> out) {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        try (var entries = Files.list(dir)) {
            for (Path idx : entries.filter(p -> p.getFileName().toString().startsWith("index")).sorted().toList()) {
                String type = Files.readString(idx.resolve("type")).trim();
                if (type.equals("Instruction")) {
                    continue;
                }
                int level = Integer.parseInt(Files.readString(idx.resolve("level")).trim());
                out.add(new Cache(level, type, parseSize(Files.readString(idx.resolve("size")).trim())));
            }
            if (!out.isEmpty()) {
                return dir.toString();
            }
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        try {
            Process p = new ProcessBuilder("getconf", "-a").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            long l1 = getconf(text, "LEVEL1_DCACHE_SIZE"), l2 = getconf(text, "LEVEL2_CACHE_SIZE"),
                    l3 = getconf(text, "LEVEL3_CACHE_SIZE");
            if (l1 > 0) out.add(new Cache(1, "Data", l1));
            if (l2 > 0) out.add(new Cache(2, "Unified", l2));
            if (l3 > 0) out.add(new Cache(3, "Unified", l3));
            if (!out.isEmpty()) {
                return "getconf -a (CPUID as the guest sees it)";
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            out.clear();
        }
        String size = cpuinfo().get("cache size");
        if (size != null) {
            out.add(new Cache(2, "Unified", parseSize(size.replace(" ", ""))));
            return "/proc/cpuinfo cache size (L2 assumed)";
        }
        return "unknown";
    }

    private static long getconf(String text, String key) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(key)) {
                try {
                    return Long.parseLong(f[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** "48K", "1024 KB", "32M", "1048576" to bytes. */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase().replace("B", "").replace("I", "");
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1024;
        } else if (t.endsWith("M")) {
            mult = 1024 * 1024;
        } else if (t.endsWith("G")) {
            mult = 1024L * 1024 * 1024;
        }
        if (mult > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t.trim()) * mult;
    }

    static long memTotal() {
        return Math.max(0, ProcStatus.bytes(Path.of("/proc/meminfo"), "MemTotal"));
    }

    public static void main(String[] args) {
        System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(collect()));
    }
}
