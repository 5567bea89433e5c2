package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/** Square float32 matrix product {@code C = A @ B}, {@code dim x dim}: 2 dim^3 floating-point operations. */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TorchMatmul extends TorchBenchmark {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int dim;

    private NDArray aArr, bArr;
    private long a, b;

    @Setup(Level.Trial)
    public void data() {
        aArr = Torch.randn(1, dim, dim);
        bArr = Torch.randn(2, dim, dim);
        a = Torch.handle(aArr);
        b = Torch.handle(bArr);
    }

    @TearDown(Level.Trial)
    public void release() {
        aArr.close();
        bArr.close();
    }

    @Benchmark
    public void matmul() {
        Torch.free(Torch.matmul(a, b));
    }
}
