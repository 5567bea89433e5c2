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
 * Out-of-place float32 elementwise ops, {@code c = a + b}, {@code exp(a)}, {@code tanh(a)},
 * {@code sigmoid(a)} on contiguous 1-d tensors of {@code n} elements. The sizes cross the caches
 * (an add touches 12 bytes per element: 4K elements fill a 48 KiB L1, 64K a 1 MiB L2) out to
 * DRAM. Each call allocates a fresh output, as {@code a + b} does in PyTorch; for large n that
 * allocation is part of what PyTorch costs: glibc hands blocks over 32 MiB back to the kernel on
 * free, so every 64 MiB output is fresh pages, and a first touch costs about 16 us per 4 KiB page on
 * this VM (64 MiB: ~270 ms fresh vs ~4 ms to rewrite warm pages).
 *
 * <p>{@code addInPlace} ({@code a.add_(b)}: same three streams, no allocation) separates the
 * kernel from the allocator. It drifts a by a random walk, harmless for timing.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TorchElementwise extends TorchBenchmark {
    @Param({"1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long n;

    private NDArray aArr, bArr;
    private long a, b;

    @Setup(Level.Trial)
    public void data() {
        aArr = Torch.uniform(1, -1f, 1f, n);
        bArr = Torch.uniform(2, -1f, 1f, n);
        a = Torch.handle(aArr);
        b = Torch.handle(bArr);
    }

    @TearDown(Level.Trial)
    public void release() {
        aArr.close();
        bArr.close();
    }

    @Benchmark
    public void add() {
        Torch.free(Torch.add(a, b));
    }

    @Benchmark
    public void addInPlace() {
        Torch.addInPlace(a, b);
    }

    @Benchmark
    public void exp() {
        Torch.free(Torch.exp(a));
    }

    @Benchmark
    public void tanh() {
        Torch.free(Torch.tanh(a));
    }

    @Benchmark
    public void sigmoid() {
        Torch.free(Torch.sigmoid(a));
    }
}
