package dev.panagrad.kernels;

import dev.panagrad.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Vector API kernels give the same bits interpreted as JIT-compiled: this JVM warms them until C2 has
 * compiled them, and a second JVM runs them with {@code -Xint} (the Vector API's Java fallback) on the same
 * inputs.
 */
class InterpretedRoundingTest {
    private static final UnaryOp[] OPS = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SOFTPLUS,
            UnaryOp.ERF, UnaryOp.GELU};
    private static final int N = 1000, ROWS = 4, COLS = 1003;

    /** Every op's float32 output, then row sums and softmax rows, as raw bytes. */
    static byte[] results() {
        Kernels k = new VectorKernels();
        Arena arena = Arena.ofAuto();
        Random r = new Random(5);
        MemorySegment x = arena.allocate(4L * ROWS * COLS, 64), y = arena.allocate(4L * ROWS * COLS, 64);
        for (int i = 0; i < ROWS * COLS; i++) {
            // magnitudes from 1e-6 to 1e2, both signs: every branch of the polynomials
            float v = (float) (Math.pow(10, -6 + 8 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        List<float[]> out = new ArrayList<>();
        for (UnaryOp op : OPS) {
            MemorySegment in = x;
            if (op == UnaryOp.LOG) {   // log of |x|
                in = arena.allocate(4L * N, 64);
                for (int i = 0; i < N; i++) in.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.abs(x.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
            }
            k.unary(op, DType.FLOAT32, in, 0, 1, y, 0, 1, N);
            out.add(y.asSlice(0, 4L * N).toArray(ValueLayout.JAVA_FLOAT));
        }
        k.reduce(ReduceOp.SUM, DType.FLOAT32, x, 0, ROWS, COLS, 1, y, 0);
        out.add(y.asSlice(0, 4L * ROWS).toArray(ValueLayout.JAVA_FLOAT));
        k.softmax(false, DType.FLOAT32, x, 0, ROWS, COLS, y, 0);
        out.add(y.toArray(ValueLayout.JAVA_FLOAT));
        k.softmax(true, DType.FLOAT32, x, 0, ROWS, COLS, y, 0);
        out.add(y.toArray(ValueLayout.JAVA_FLOAT));
        int total = out.stream().mapToInt(a -> a.length).sum();
        MemorySegment bytes = MemorySegment.ofArray(new byte[4 * total]);
        long at = 0;
        for (float[] a : out) {
            MemorySegment.copy(MemorySegment.ofArray(a), 0, bytes, at, 4L * a.length);
            at += 4L * a.length;
        }
        return bytes.toArray(ValueLayout.JAVA_BYTE);
    }

    /** The interpreted side: writes {@link #results()} to the file named by the first argument. */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), results());
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits(@TempDir Path dir) throws Exception {
        byte[] compiled = null;
        for (int i = 0; i < 3000; i++) compiled = results();   // enough calls for C2 to compile the loops
        Path file = dir.resolve("interpreted.bin");
        String cp = System.getProperty("jdk.module.path", "") + java.io.File.pathSeparator
                + System.getProperty("java.class.path", "") + java.io.File.pathSeparator + Path.of("target", "classes")
                + java.io.File.pathSeparator + Path.of("target", "test-classes");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xint",
                "--add-modules", "jdk.incubator.vector", "-cp", cp, InterpretedRoundingTest.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the interpreted JVM did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("child.log")));
        byte[] interpreted = Files.readAllBytes(file);
        assertEquals(compiled.length, interpreted.length);
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < compiled.length; i += 4) {
            if (compiled[i] != interpreted[i] || compiled[i + 1] != interpreted[i + 1] || compiled[i + 2] != interpreted[i + 2]
                    || compiled[i + 3] != interpreted[i + 3]) {
                differing.add(i / 4);
            }
        }
        assertTrue(differing.isEmpty(), differing.size() + " of " + compiled.length / 4
                + " floats differ (first indices " + differing.subList(0, Math.min(10, differing.size())) + ")");
    }
}
