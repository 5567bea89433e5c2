package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Autograd bookkeeping per op, where the arithmetic is free: a one-element tensor x that requires
 * grad goes through {@value #OPS} ops, alternately {@code y = y * 1.0001} and {@code y = y + 1e-4}
 * (0-dim constant tensors, created once). Scores are per op ({@code @OperationsPerInvocation}):
 * {@code forward} is the cost of one recorded op; {@code forwardBackward} minus {@code forward} is
 * the cost of one op's backward (the report derives it). x.grad accumulates between calls.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TorchAutogradChain extends TorchBenchmark {
    public static final int OPS = 1000;

    private NDArray xArr, mulArr, addArr, oneArr;
    private long x, mulC, addC, one;

    @Setup(Level.Trial)
    public void data() {
        xArr = Torch.ones(1);
        mulArr = Torch.scalar(1.0001f);
        addArr = Torch.scalar(1e-4f);
        oneArr = Torch.ones(1);
        x = Torch.handle(xArr);
        mulC = Torch.handle(mulArr);
        addC = Torch.handle(addArr);
        one = Torch.handle(oneArr);
        Torch.requiresGrad(x);
    }

    @TearDown(Level.Trial)
    public void release() {
        xArr.close();
        mulArr.close();
        addArr.close();
        oneArr.close();
    }

    private long chain() {
        long y = x;
        for (int i = 0; i < OPS; i++) {
            long next = (i & 1) == 0 ? Torch.mul(y, mulC) : Torch.add(y, addC);
            if (y != x) {
                Torch.free(y);      // the graph keeps what backward needs
            }
            y = next;
        }
        return y;
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void forward() {
        Torch.free(chain());
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void forwardBackward() {
        long y = chain();
        Torch.backward(y, one);
        Torch.free(y);
    }
}
