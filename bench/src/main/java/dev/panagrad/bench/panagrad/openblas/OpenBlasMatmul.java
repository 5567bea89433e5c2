package dev.panagrad.bench.panagrad.openblas;

import dev.panagrad.bench.ProbedBenchmark;
import dev.panagrad.blas.OpenBlas;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The floor under panagrad's matmul with the blas kernel set: {@link OpenBlas#sgemm} or
 * {@link OpenBlas#dgemm} ({@code dtype}) called directly, {@code C = A @ B} on square row-major
 * matrices in off-heap segments allocated once, with no tensor, scope, pool or autograd in between.
 * Same workload, params and thread counts as {@code PanagradMatmul}; the report labels it
 * {@code openblas-raw} and sets it beside {@code panagrad-blas} of the same case, so the difference
 * is what {@code Tensor.matmul} adds to the downcall.
 *
 * <pre>
 * scripts/bench --quick -- 'Matmul' -p dim=512 -p threads=1
 * </pre>
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OpenBlasMatmul extends ProbedBenchmark {
    @Param({"1", "2"})
    public int threads;

    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int dim;

    @Param({"float32", "float64"})
    public String dtype;

    private Arena arena;
    private MemorySegment a, b, c;
    private boolean single;

    @Setup(Level.Trial)
    public void data() {
        if (!OpenBlas.available()) {
            throw new IllegalStateException("bench: OpenBLAS is not available: " + OpenBlas.unavailableReason());
        }
        OpenBlas.setThreads(threads);
        single = switch (dtype) {
            case "float32" -> true;
            case "float64" -> false;
            default -> throw new IllegalArgumentException("bench: dtype '" + dtype + "'; expected float32 or float64");
        };
        long elements = (long) dim * dim;
        long bytes = elements * (single ? Float.BYTES : Double.BYTES);
        arena = Arena.ofShared();
        // 64-byte aligned like panagrad's pooled blocks
        a = arena.allocate(bytes, 64);
        b = arena.allocate(bytes, 64);
        c = arena.allocate(bytes, 64);
        Random random = new Random(1);
        for (long i = 0; i < elements; i++) {
            double x = random.nextGaussian(), y = random.nextGaussian();
            if (single) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) x);
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) y);
            } else {
                a.setAtIndex(ValueLayout.JAVA_DOUBLE, i, x);
                b.setAtIndex(ValueLayout.JAVA_DOUBLE, i, y);
            }
        }
    }

    @TearDown(Level.Trial)
    public void release() {
        arena.close();
    }

    @Benchmark
    public void matmul() {
        if (single) {
            OpenBlas.sgemm(false, false, dim, dim, dim, 1f, a, 0, dim, b, 0, dim, 0f, c, 0, dim);
        } else {
            OpenBlas.dgemm(false, false, dim, dim, dim, 1.0, a, 0, dim, b, 0, dim, 0.0, c, 0, dim);
        }
    }
}
