package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Square matrix product {@code C = A @ B}, {@code dim x dim}, in float32 or float64 ({@code dtype}):
 * 2 dim^3 floating-point operations.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TorchMatmul extends TorchBenchmark {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int dim;

    @Param({"float32", "float64"})
    public String dtype;

    private NDArray aArr, bArr;
    private long a, b;

    @Setup(Level.Trial)
    public void data() {
        DataType type = DataType.valueOf(dtype.toUpperCase(Locale.ROOT));
        aArr = Torch.randn(1, type, dim, dim);
        bArr = Torch.randn(2, type, dim, dim);
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
