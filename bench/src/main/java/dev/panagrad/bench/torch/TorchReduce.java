package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/** Full reductions of a float32 tensor of {@code n} elements to a 0-dim tensor: sum and mean. */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TorchReduce extends TorchBenchmark {
    @Param({"1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long n;

    private NDArray aArr;
    private long a;

    @Setup(Level.Trial)
    public void data() {
        aArr = Torch.uniform(1, -1f, 1f, n);
        a = Torch.handle(aArr);
    }

    @TearDown(Level.Trial)
    public void release() {
        aArr.close();
    }

    @Benchmark
    public void sum() {
        Torch.free(Torch.sum(a));
    }

    @Benchmark
    public void mean() {
        Torch.free(Torch.mean(a));
    }
}
