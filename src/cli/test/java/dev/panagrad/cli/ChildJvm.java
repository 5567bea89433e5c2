package dev.panagrad.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a main class of the tests in a fresh JVM on this JVM's class path, for what one JVM can do only once. */
final class ChildJvm {
    private ChildJvm() {}

    /** The exit status and the combined output. */
    record Result(int status, String output) {}

    /** Runs {@code main} with the given JVM options, with {@code extraClassPath} (may be null) before the class path. */
    static Result run(Class<?> main, Path extraClassPath, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        String cp = System.getProperty("java.class.path");
        command.addAll(List.of("-cp", extraClassPath == null ? cp : extraClassPath + File.pathSeparator + cp, main.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return new Result(p.exitValue(), out);
    }
}
