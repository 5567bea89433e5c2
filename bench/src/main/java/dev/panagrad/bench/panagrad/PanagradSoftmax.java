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

/** panagrad's side of {@code TorchSoftmax}: softmax over the last dim of a float32 {@code rows x cols} matrix. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PanagradSoftmax extends PanagradBenchmark {
    @Param({"vector", "blas"})
    public String kernels;

    @Param({"128x1000", "1024x1024"})
    public String shape;

    private Tensor x;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        String[] rc = shape.split("x");
        x = Tensor.randn(Long.parseLong(rc[0]), Long.parseLong(rc[1]));
        warm(this::softmax, 50, 10_000);   // both shapes are small enough to warm on

    }

    @Benchmark
    public void softmax() {
        try (Scope s = Scope.open()) {
            x.softmax(-1);
        }
    }
}
