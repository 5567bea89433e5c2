package dev.panagrad.bench.panagrad;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** panagrad's side of {@code TorchMatmul}: square {@code C = A @ B} in float32 or float64, 2 dim^3 FLOPs. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PanagradMatmul extends PanagradBenchmark {
    @Param({"scalar", "vector", "blas"})
    public String kernels;

    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int dim;

    @Param({"float32", "float64"})
    public String dtype;

    private Tensor a, b;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        DType type = DType.valueOf(dtype.toUpperCase(Locale.ROOT));
        a = Tensor.randn(dim, dim).to(type);
        b = Tensor.randn(dim, dim).to(type);
        Tensor sa = Tensor.randn(64, 64).to(type), sb = Tensor.randn(64, 64).to(type);
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
