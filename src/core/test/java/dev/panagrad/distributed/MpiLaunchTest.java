package dev.panagrad.distributed;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two ranks under {@code mpirun -np 2}, each a JVM running {@link MpiWorker} on this test's class path, with a
 * time limit per launch so that a hang fails the test instead of the build. Skipped when {@code mpirun} is not
 * installed (scripts/test installs Open MPI).
 */
class MpiLaunchTest {
    private static final String SHARED_MEMORY = "vader,self", TCP = "tcp,self";

    @TempDir
    Path dir;

    @Test
    void collectivesOverSharedMemory() throws Exception {
        expectOk(launch(SHARED_MEMORY, 120, "collectives"));
    }

    @Test
    void collectivesOverTcp() throws Exception {
        expectOk(launch(TCP, 120, "collectives"));
    }

    @Test
    void bufferOverTwoGibibytesIsSentInPieces() throws Exception {
        // 2 GiB + 20 bytes per rank, over the 1 GiB limit of one call; -Xmx stays small: the buffer is off-heap
        expectOk(launch(SHARED_MEMORY, 300, "large"));
    }

    @Test
    void twoRanksWithHalfBatchesTrainLikeOneProcess() throws Exception {
        Path out = dir.resolve("params");
        expectOk(launch(SHARED_MEMORY, 180, "ddp", out.toString()));
        List<float[]> alone = MpiWorker.trainDdp(ProcessGroup.init());
        List<float[]> rank0 = MpiWorker.readParameters(Path.of(out + ".rank0"));
        List<float[]> rank1 = MpiWorker.readParameters(Path.of(out + ".rank1"));
        assertEquals(alone.size(), rank0.size());
        for (int i = 0; i < alone.size(); i++) {
            assertArrayEquals(rank0.get(i), rank1.get(i), "parameter " + i + ": the ranks disagree");
            // the same 128 examples per step; only the order of the float32 sums differs
            assertArrayEquals(alone.get(i), rank0.get(i), 2e-5f, "parameter " + i);
        }
    }

    @Test
    void differentModelsAreRejectedAtStart() throws Exception {
        Result r = launch(SHARED_MEMORY, 120, "mismatch");
        assertNotEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("the model's parameters differ between ranks"), r.output);
    }

    @Test
    void aKilledRankEndsTheJob() throws Exception {
        Result r = launch(SHARED_MEMORY, 120, "die");
        assertNotEquals(0, r.exit, r.output);
        // mpirun names the rank that died
        assertTrue(r.output.contains("rank 1"), r.output);
        assertTrue(r.output.contains("signal 9") || r.output.contains("Killed"), r.output);
    }

    @Test
    void aStuckRankIsEndedByTheWatchdog() throws Exception {
        Result r = launch(SHARED_MEMORY, 120, "stuck");
        assertNotEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("rank 0 of 2: allReduce of 1000 float32 elements did not complete within"),
                r.output);
    }

    private record Result(int exit, String output) {}

    private static void expectOk(Result r) {
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("rank 0 ok") && r.output.contains("rank 1 ok"), r.output);
    }

    /** Runs {@code mpirun -np 2} over the given transports; fails when it runs longer than {@code limitSeconds}. */
    private Result launch(String btl, int limitSeconds, String... task) throws IOException, InterruptedException,
            URISyntaxException {
        String mpirun = findMpirun();
        Assumptions.assumeTrue(mpirun != null, "mpirun not installed (apt-get install openmpi-bin)");
        List<String> cmd = new ArrayList<>(List.of(mpirun, "--allow-run-as-root", "--oversubscribe", "--bind-to",
                "none", "-x", "UCX_ERROR_SIGNALS=", "--mca", "pml", "ob1", "--mca", "btl", btl, "-np", "2",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:MaxDirectMemorySize=4g",
                // a short watchdog for the stuck-rank case; the others allow for slow JVM starts on a busy machine
                "-D" + ProcessGroup.TIMEOUT_PROPERTY + "=" + (task[0].equals("stuck") ? 5 : 60),
                "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", classPath(), MpiWorker.class.getName()));
        cmd.addAll(List.of(task));
        Path log = dir.resolve("mpirun-" + task[0] + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // this JVM may itself be an MPI singleton (rank 0 of 1), whose Open MPI variables would confuse mpirun
        pb.environment().keySet().removeIf(k -> k.startsWith("OMPI_") || k.startsWith("PMIX_") || k.startsWith("OPAL_"));
        Process p = pb.start();
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("mpirun " + task[0] + " still running after " + limitSeconds + " s:\n"
                    + java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
    }

    private static String findMpirun() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (new File(d, "mpirun").canExecute()) return new File(d, "mpirun").getPath();
        }
        return null;
    }

    /** The test classes, the library and its dependencies, all on one plain class path. */
    private static String classPath() throws URISyntaxException {
        Set<String> parts = new LinkedHashSet<>();
        parts.add(Path.of(MpiWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            for (String s : System.getProperty(key, "").split(File.pathSeparator)) if (!s.isEmpty()) parts.add(s);
        }
        return String.join(File.pathSeparator, parts);
    }
}
