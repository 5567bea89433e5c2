package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Softmax over the last dimension of a float32 matrix {@code shape = "rows x cols"}: 128x1000 (a
 * classifier's logits) and 1024x1024 (4 MiB, attention-sized).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TorchSoftmax extends TorchBenchmark {
    @Param({"128x1000", "1024x1024"})
    public String shape;

    private NDArray xArr;
    private long x;

    @Setup(Level.Trial)
    public void data() {
        String[] rc = shape.split("x");
        xArr = Torch.randn(1, Long.parseLong(rc[0]), Long.parseLong(rc[1]));
        x = Torch.handle(xArr);
    }

    @TearDown(Level.Trial)
    public void release() {
        xArr.close();
    }

    @Benchmark
    public void softmax() {
        Torch.free(Torch.softmax(x, -1));
    }
}
