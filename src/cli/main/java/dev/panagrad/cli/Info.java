package dev.panagrad.cli;

import dev.panagrad.blas.OpenBlas;
import dev.panagrad.kernels.KernelInfo;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.MemoryPool;

import java.io.PrintStream;

/**
 * Prints what panagrad runs on: the JVM, the Vector API's preferred species, the kernel set chosen and why,
 * OpenBLAS (version, CPU kernels, where it was loaded from), thread counts and the memory pool. Run it with
 * {@code scripts/info}, or:
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *      -cp target/classes:openblas-0.3.31-1.5.13-linux-x86_64.jar dev.panagrad.cli.Info
 * }</pre>
 */
public final class Info {
    private Info() {}

    /** Prints the report; with {@code --core}, only the OpenBLAS core name (used to show CPU detection). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--core")) {
            System.out.println(OpenBlas.available() ? OpenBlas.coreName() : "unavailable");
            return;
        }
        print(System.out);
    }

    /** Writes the report to {@code out}. */
    public static void print(PrintStream out) {
        Runtime rt = Runtime.getRuntime();
        out.println("panagrad info");
        row(out, "java", Runtime.version() + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        row(out, "java home", System.getProperty("java.home"));
        row(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + rt.availableProcessors() + " processors, max heap " + (rt.maxMemory() >> 20) + " MiB");
        row(out, "vector", KernelInfo.vectorShape() + ": float x" + KernelInfo.floatLanes()
                + ", double x" + KernelInfo.doubleLanes());
        row(out, "", KernelInfo.floatSpecies() + ", " + KernelInfo.doubleSpecies());
        row(out, "kernels", KernelInfo.activeName() + " (" + KernelInfo.selectionReason() + ")");
        if (OpenBlas.available()) {
            row(out, "openblas", OpenBlas.version() + ", core " + OpenBlas.coreName());
            row(out, "", "loaded from " + OpenBlas.loadedFrom());
            row(out, "", "config: " + OpenBlas.config());
        } else {
            row(out, "openblas", "unavailable: " + OpenBlas.unavailableReason());
        }
        // OpenBLAS obeys these at load time; OPENBLAS_CORETYPE in particular replaces its CPU detection.
        System.getenv().entrySet().stream()
                .filter(e -> e.getKey().startsWith("OPENBLAS_") || e.getKey().startsWith("GOTO_")
                        || e.getKey().equals("OMP_NUM_THREADS"))
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> row(out, "", "env " + e.getKey() + "=" + e.getValue()
                        + (e.getKey().equals("OPENBLAS_CORETYPE") ? " (overrides OpenBLAS's CPU detection)" : "")));
        row(out, "threads", Parallel.threads() + " (OpenBLAS calls run single-threaded, split over these)");
        row(out, "memory", MemoryPool.stats());
    }

    private static void row(PrintStream out, String key, String value) {
        out.printf("  %-10s %s%n", key, value);
    }
}
