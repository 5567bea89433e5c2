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

/** panagrad's side of {@code TorchReduce}: sum and mean of {@code n} float32 elements to a 0-dim tensor. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PanagradReduce extends PanagradBenchmark {
    @Param({"vector", "blas"})
    public String kernels;

    @Param({"1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long n;

    private Tensor a;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        a = PanagradElementwise.uniform(n);
        Tensor small = PanagradElementwise.uniform(4096);
        warm(() -> {
            try (Scope s = Scope.open()) {
                small.sum();
                small.mean();
            }
        }, 200, 10_000);
    }

    @Benchmark
    public void sum() {
        try (Scope s = Scope.open()) {
            a.sum();
        }
    }

    @Benchmark
    public void mean() {
        try (Scope s = Scope.open()) {
            a.mean();
        }
    }
}
