package dev.panagrad.bench.panagrad;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/** panagrad's side of {@code TorchMatmul}: square float32 {@code C = A @ B}, 2 dim^3 FLOPs. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PanagradMatmul extends PanagradBenchmark {
    @Param({"scalar", "vector", "blas"})
    public String kernels;

    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int dim;

    private Tensor a, b;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        a = Tensor.randn(dim, dim);
        b = Tensor.randn(dim, dim);
        Tensor sa = Tensor.randn(64, 64), sb = Tensor.randn(64, 64);
        warm(() -> {
            try (Scope s = Scope.open()) {
                sa.matmul(sb);
            }
        }, 50, 10_000);
    }

    @Benchmark
    public void matmul() {
        try (Scope s = Scope.open()) {
            a.matmul(b);
        }
    }
}
