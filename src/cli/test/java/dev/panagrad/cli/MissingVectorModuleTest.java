package dev.panagrad.cli;

import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/** A program on the class path started without {@code --add-modules jdk.incubator.vector}, as a new user might. */
class MissingVectorModuleTest {

    /** The program: one tensor op. */
    public static void main(String[] args) {
        System.out.println(Tensor.of(1f, 2f).exp());
    }

    @Test
    void theFirstOpSaysWhichFlagToAdd() throws IOException, InterruptedException {
        ChildJvm.Result r = ChildJvm.run(MissingVectorModuleTest.class, null, "--enable-native-access=ALL-UNNAMED");
        assertNotEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("panagrad: the Vector API module is missing; add --add-modules "
                + "jdk.incubator.vector to the java command line"), r.output());
        assertFalse(r.output().contains("NoClassDefFoundError"), r.output());
    }
}
