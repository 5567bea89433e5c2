package dev.panagrad.bench.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sizes that Linux reports in {@code /proc} as {@code Key:  N kB} lines ({@code /proc/meminfo},
 * {@code /proc/self/status}).
 *
 * <pre>{@code
 * long rss = ProcStatus.bytes(Path.of("/proc/self/status"), "VmRSS");   // -1 where there is no such line
 * }</pre>
 */
public final class ProcStatus {
    private ProcStatus() {}

    /** The value of line {@code key} of {@code file} in bytes, or -1 when the file or the line is missing. */
    public static long bytes(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a line of another form
        }
        return -1;
    }
}
