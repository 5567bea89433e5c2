package dev.panagrad.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train's --nproc/--hostfile outside mpirun: scripts/train starts the ranks, Train alone explains how. */
class DistributedOptionsTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void severalProcessesNeedALauncher() {
        var e = assertThrows(IllegalArgumentException.class, () -> Train.run(new String[] {"--nproc", "2"}, QUIET));
        assertTrue(e.getMessage().startsWith("train: --nproc 2 needs a launcher: run scripts/train"), e.getMessage());
        var h = assertThrows(IllegalArgumentException.class,
                () -> Train.run(new String[] {"--hostfile", "hosts.txt"}, QUIET));
        assertTrue(h.getMessage().contains("--hostfile hosts.txt needs a launcher"), h.getMessage());
    }

    @Test
    void nprocMustBePositive() {
        var e = assertThrows(IllegalArgumentException.class, () -> Train.run(new String[] {"--nproc", "0"}, QUIET));
        assertTrue(e.getMessage().startsWith("train: --nproc expects an integer >= 1"), e.getMessage());
    }
}
