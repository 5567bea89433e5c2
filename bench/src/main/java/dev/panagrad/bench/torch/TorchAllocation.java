package dev.panagrad.bench.torch;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * The cost of allocating and freeing a tensor: {@code torch.empty(numel)} (float32, uninitialised)
 * and its release, through the raw JNI path of the suite ({@code torchEmpty}, the call behind DJL's
 * {@code NDManager.create(shape)}, then {@code torchDeleteTensor}). The figure includes DJL's JNI
 * overhead: two JNI transitions and the copy of the shape and device arrays across JNI per call;
 * {@link TorchDjlOverhead} measures what a JNI round trip alone costs. libtorch's CPU allocator
 * takes the memory from glibc malloc (64-byte aligned), which after the first free keeps blocks of
 * these sizes (under 32 MiB) for reuse instead of returning them to the kernel.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TorchAllocation extends TorchBenchmark {
    @Param({"1", "1024", "1048576"})
    public int numel;

    private long[] shape;

    @Setup(Level.Trial)
    public void shape() {
        shape = new long[] {numel};
    }

    @Benchmark
    public void empty() {
        Torch.free(Torch.empty(shape));
    }
}
