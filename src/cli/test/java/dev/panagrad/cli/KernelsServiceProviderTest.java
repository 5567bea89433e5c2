package dev.panagrad.cli;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.VectorKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Another library's kernel set, declared in META-INF/services, replaces the built-in choice. */
class KernelsServiceProviderTest {
    @TempDir
    Path dir;

    /** The provider: the Vector API kernels under another name. */
    public static final class Provided extends VectorKernels {
        /** Required by ServiceLoader. */
        public Provided() {}

        @Override
        public String name() {
            return "provided";
        }
    }

    /** The program: one op, then the name of the kernel set that ran it. */
    public static void main(String[] args) {
        Tensor.of(0f).exp();
        System.out.println("active: " + Kernels.active().name());
    }

    private ChildJvm.Result runWithProvider(String... extraOptions) throws IOException, InterruptedException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(Kernels.class.getName()), Provided.class.getName() + "\n");
        String[] options = new String[extraOptions.length + 3];
        options[0] = "--add-modules";
        options[1] = "jdk.incubator.vector";
        options[2] = "--enable-native-access=ALL-UNNAMED";
        System.arraycopy(extraOptions, 0, options, 3, extraOptions.length);
        return ChildJvm.run(KernelsServiceProviderTest.class, dir, options);
    }

    @Test
    void aDeclaredProviderIsUsed() throws IOException, InterruptedException {
        ChildJvm.Result r = runWithProvider();
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("active: provided"), r.output());
        assertTrue(r.output().contains("panagrad kernels: provided (service provider " + Provided.class.getName() + ")"),
                r.output());
    }

    @Test
    void thePropertyStillChoosesABuiltInSet() throws IOException, InterruptedException {
        ChildJvm.Result r = runWithProvider("-Dpanagrad.kernels=scalar");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("active: scalar"), r.output());
    }
}
