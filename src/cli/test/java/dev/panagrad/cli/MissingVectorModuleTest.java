package dev.panagrad.cli;

import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** A program on the class path started without {@code --add-modules jdk.incubator.vector}, as a new user might. */
class MissingVectorModuleTest {

    /** The program: one tensor op. */
    public static void main(String[] args) {
        System.out.println(Tensor.of(1f, 2f).exp());
    }

    @Test
    void theFirstOpSaysWhichFlagToAdd() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MissingVectorModuleTest.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("panagrad: the Vector API module is missing; add --add-modules jdk.incubator.vector"
                + " to the java command line"), out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
    }
}
