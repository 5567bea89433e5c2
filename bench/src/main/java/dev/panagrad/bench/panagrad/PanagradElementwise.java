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

/**
 * panagrad's side of {@code TorchElementwise}: out-of-place float32 {@code a + b}, {@code exp(a)},
 * {@code tanh(a)}, {@code sigmoid(a)} with a fresh output per call (freed by the call's scope, so it
 * goes back to the pool), and {@code a.add_(b)} in place. Inputs are uniform in [-1, 1).
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PanagradElementwise extends PanagradBenchmark {
    @Param({"vector", "blas"})
    public String kernels;

    @Param({"1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long n;

    private Tensor a, b;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        a = uniform(n);
        b = uniform(n);
        Tensor sa = uniform(4096), sb = uniform(4096);
        warm(() -> {
            try (Scope s = Scope.open()) {
                sa.add(sb);
                sa.exp();
                sa.tanh();
                sa.sigmoid();
            }
        }, 200, 10_000);
    }

    /** Uniform values in [-1, 1). */
    static Tensor uniform(long n) {
        return Tensor.rand(n).mul(2).sub(1);
    }

    @Benchmark
    public void add() {
        try (Scope s = Scope.open()) {
            a.add(b);
        }
    }

    @Benchmark
    public void addInPlace() {
        try (Scope s = Scope.open()) {
            a.add_(b);
        }
    }

    @Benchmark
    public void exp() {
        try (Scope s = Scope.open()) {
            a.exp();
        }
    }

    @Benchmark
    public void tanh() {
        try (Scope s = Scope.open()) {
            a.tanh();
        }
    }

    @Benchmark
    public void sigmoid() {
        try (Scope s = Scope.open()) {
            a.sigmoid();
        }
    }
}
