package dev.panagrad.bench.panagrad;

import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * panagrad's side of {@code TorchAutogradChain}: a one-element tensor x that requires grad goes through
 * {@value #OPS} ops, alternately {@code y = y * 1.0001} and {@code y = y + 1e-4} (0-dim constants created
 * once). Scores are per op: {@code forward} is one recorded op; {@code forwardBackward} minus
 * {@code forward} is one op's backward. x.grad accumulates between calls.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PanagradAutogradChain extends PanagradBenchmark {
    public static final int OPS = 1000;

    @Param({"blas"})
    public String kernels;

    private Tensor x, mulC, addC, one;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        x = Tensor.ones(1).requiresGrad(true);
        mulC = Tensor.of(1.0001);
        addC = Tensor.of(1e-4);
        one = Tensor.ones(1);
        warm(this::forwardBackward, 20_000, 100, 30_000, false);   // Engine.run and backward() run once per call
    }

    private Tensor chain() {
        Tensor y = x;
        for (int i = 0; i < OPS; i++) {
            y = (i & 1) == 0 ? y.mul(mulC) : y.add(addC);
        }
        return y;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void forward() {
        try (Scope s = Scope.open()) {
            chain();
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void forwardBackward() {
        try (Scope s = Scope.open()) {
            chain().backward(one);
        }
    }
}
