package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * What the Java-to-libtorch path costs per op, to read the small-size PyTorch figures with:
 * <ul>
 *   <li>{@code jniRoundTrip}: one JNI call that does no tensor work (torch.get_num_threads);</li>
 *   <li>{@code addRaw}: 1-element add + release through the raw JNI handles the suite uses;</li>
 *   <li>{@code addNdArray}: the same through DJL's NDArray API (wrapper object, manager
 *   registration, close);</li>
 *   <li>{@code mulScalarNdArray}: {@code a.mul(1.0001f)} through the NDArray API, which also
 *   creates a 0-dim tensor for the scalar every call.</li>
 * </ul>
 * Not paired with a panagrad benchmark; the report lists it under overheads.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TorchDjlOverhead extends TorchBenchmark {
    private NDArray aArr, bArr;
    private long a, b;

    @Setup(Level.Trial)
    public void data() {
        aArr = Torch.ones(1);
        bArr = Torch.ones(1);
        a = Torch.handle(aArr);
        b = Torch.handle(bArr);
    }

    @TearDown(Level.Trial)
    public void release() {
        aArr.close();
        bArr.close();
    }

    @Benchmark
    public int jniRoundTrip() {
        return Torch.threads();
    }

    @Benchmark
    public void addRaw() {
        Torch.free(Torch.add(a, b));
    }

    @Benchmark
    public void addNdArray() {
        aArr.add(bArr).close();
    }

    @Benchmark
    public void mulScalarNdArray() {
        aArr.mul(1.0001f).close();
    }
}
