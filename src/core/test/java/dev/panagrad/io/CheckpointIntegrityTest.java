package dev.panagrad.io;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.io.internal.Json;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.ReLU;
import dev.panagrad.nn.Sequential;
import dev.panagrad.optim.Adam;
import dev.panagrad.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Damaged, read-only, truncated and half-written checkpoints: detected, loaded, survived, cleaned up. */
class CheckpointIntegrityTest {
    @TempDir
    Path dir;

    private static Module model() {
        return new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 3));
    }

    /** A model after one Adam step, so that the optimizer has moments. */
    private static Optimizer train(Module model) {
        Optimizer opt = new Adam(model.parameters(), 1e-2);
        try (Scope step = Scope.open()) {
            Losses.crossEntropy(model.forward(Tensor.randn(2, 6)), Tensor.of(new long[] {0, 2}, 2)).backward();
            opt.step();
        }
        return opt;
    }

    private Path saved() throws IOException {
        Generator.manualSeed(7);
        Module m = model();
        Path f = dir.resolve("ckpt.safetensors");
        Checkpoint.save(f, m, train(m), Map.of("epoch", "1"));
        return f;
    }

    private static IOException readFails(Path f) {
        return assertThrows(IOException.class, () -> Checkpoint.read(f));
    }

    @Test
    void aFlippedBitInATensorNameIsDetected() throws IOException {
        Path f = saved();
        byte[] bytes = Files.readAllBytes(f);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("optimizer.state.0.exp_avg\"") + "optimizer.state.0.exp_a".length();
        bytes[at] ^= 1;   // exp_avg -> exp_awg: the moment would silently restart from zero
        Files.write(f, bytes);
        assertTrue(readFails(f).getMessage().contains("checksum"));
    }

    @Test
    void swappedDataOffsetsAreDetected() throws IOException {
        Path f = saved();
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(header);
        // two tensors of the same size, the first-layer weight's two Adam moments, exchange their data
        Map<String, Object> a = entry(json, "optimizer.state.0.exp_avg"), b = entry(json, "optimizer.state.0.exp_avg_sq");
        Object offsets = a.get("data_offsets");
        a.put("data_offsets", b.get("data_offsets"));
        b.put("data_offsets", offsets);
        byte[] swapped = Json.write(json).getBytes(StandardCharsets.UTF_8);
        assertEquals(header.strip().length(), swapped.length, "same header length, only the order of the numbers changed");
        System.arraycopy(swapped, 0, bytes, 8, swapped.length);
        Files.write(f, bytes);
        assertTrue(readFails(f).getMessage().contains("checksum"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Map<String, Object> json, String name) {
        return (Map<String, Object>) json.get(name);
    }

    @Test
    void changedDataIsDetected() throws IOException {
        Path f = saved();
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(f, bytes);
        assertTrue(readFails(f).getMessage().contains("checksum"));
    }

    @Test
    void optimizerNamesAreCheckedBeforeAnythingIsRestored() throws IOException {
        Path f = saved();
        Map<String, Tensor> entries = new LinkedHashMap<>(Safetensors.load(f));
        // a well-formed file (valid checksum) whose names do not fit: one moment renamed
        entries.put("optimizer.state.1.exp_avf", entries.remove("optimizer.state.1.exp_avg"));
        Path renamed = dir.resolve("renamed.safetensors");
        Safetensors.save(renamed, entries);
        Generator.manualSeed(8);
        Module target = model();
        Optimizer opt = train(target);
        List<float[]> before = target.parameters().stream().map(Tensor::toFloatArray).toList();
        Checkpoint c = Checkpoint.read(renamed);
        var e = assertThrows(IllegalArgumentException.class, () -> c.restore(target, opt));
        assertTrue(e.getMessage().contains("exp_avf"), e.getMessage());
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), target.parameters().get(i).toFloatArray(), "parameter " + i + " untouched");
        }
        Checkpoint.read(f).restore(target, opt);   // the intact file fits
    }

    @Test
    void readOnlyFilesLoad() throws IOException {
        Path f = saved();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));   // as a read-only volume
        try {
            Checkpoint c = Checkpoint.read(f);
            assertEquals("1", c.metadata().get("epoch"));
            assertEquals(4, c.model().size());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFileTruncatedAfterLoadingCannotCrashTheComputation() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Safetensors.save(f, Map.of("w", Tensor.randn(256, 256)));
        Tensor w = Safetensors.load(f).get("w");
        double expected = w.matmul(w).sum().item();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(0);   // as cp over it or rsync --inplace from another process; a mapped view would fault
        }
        assertFalse(w.segment().isMapped());
        assertEquals(expected, w.matmul(w).sum().item());   // OpenBLAS reads memory the tensor owns
        Files.write(f, new byte[16]);
        assertThrows(IOException.class, () -> Safetensors.load(f));
    }

    @Test
    void temporariesOfKilledSavesAreRemovedByTheNextSaveOrLoad() throws Exception {
        Path f = saved();
        Process victim = new ProcessBuilder("sleep", "60").start();
        Path orphan;
        try {
            long start = victim.info().startInstant().orElseThrow().toEpochMilli();
            orphan = Files.write(dir.resolve(".ckpt.safetensors." + victim.pid() + "-" + start + ".1f2e.tmp"), new byte[100]);
            Checkpoint.read(f);
            assertTrue(Files.exists(orphan), "the temporary of a save still running is kept");
        } finally {
            victim.destroyForcibly().waitFor();   // kill -9 mid-save
        }
        Checkpoint.read(f);
        assertFalse(Files.exists(orphan), "load removed the killed save's temporary");
        Path other = Files.write(dir.resolve(".ckpt.safetensors.999999999-1.ab.tmp"), new byte[100]);
        Path unrelated = Files.write(dir.resolve(".other.safetensors.999999999-1.ab.tmp"), new byte[100]);
        Generator.manualSeed(1);
        Module m = model();
        Checkpoint.save(f, m, train(m), Map.of());
        assertFalse(Files.exists(other), "save removed a dead process's temporary");
        assertTrue(Files.exists(unrelated), "another target's temporaries are left alone");
    }
}
