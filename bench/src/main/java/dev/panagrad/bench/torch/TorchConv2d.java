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
 * The two convolutions of the Fashion-MNIST CNN, 3x3, stride 1, padding 1, with bias, float32.
 * {@code layer = "BxCxHxW:K"}: input batch x channels x height x width, K output channels.
 *
 * <ul>
 *   <li>{@code forward}: y = conv2d(x, w, b), recorded for autograd as in training;</li>
 *   <li>{@code forwardBackward}: the same, then {@code y.backward(dy)} with a fixed random dy:
 *   grad of w and b always, grad of x only where x requires it. The first layer reads the images
 *   (no grad), the second a hidden activation (grad needed), as in the network.</li>
 * </ul>
 * Gradients accumulate into .grad between calls (PyTorch's accumulate, not set-to-None): for the
 * second layer that is one extra pass over x's 3 MiB grad, under 1% of the call.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TorchConv2d extends TorchBenchmark {
    @Param({"128x1x28x28:32", "128x32x14x14:64"})
    public String layer;

    private NDArray xArr, wArr, bArr, dyArr;
    private long x, w, b, dy;

    @Setup(Level.Trial)
    public void data() {
        long[] s = parse(layer);
        long batch = s[0], cin = s[1], h = s[2], wd = s[3], cout = s[4];
        float bound = (float) (1 / Math.sqrt(cin * 9.0));
        xArr = Torch.randn(1, batch, cin, h, wd);
        wArr = Torch.uniform(2, -bound, bound, cout, cin, 3, 3);
        bArr = Torch.uniform(3, -bound, bound, cout);
        dyArr = Torch.randn(4, batch, cout, h, wd);
        x = Torch.handle(xArr);
        w = Torch.handle(wArr);
        b = Torch.handle(bArr);
        dy = Torch.handle(dyArr);
        Torch.requiresGrad(w);
        Torch.requiresGrad(b);
        if (cin > 1) {
            Torch.requiresGrad(x);
        }
    }

    /** "BxCxHxW:K" to {B, C, H, W, K}. */
    static long[] parse(String layer) {
        String[] io = layer.split(":");
        String[] d = io[0].split("x");
        return new long[] {Long.parseLong(d[0]), Long.parseLong(d[1]), Long.parseLong(d[2]),
                Long.parseLong(d[3]), Long.parseLong(io[1])};
    }

    @TearDown(Level.Trial)
    public void release() {
        xArr.close();
        wArr.close();
        bArr.close();
        dyArr.close();
    }

    @Benchmark
    public void forward() {
        Torch.free(Torch.conv2d(x, w, b, 1));
    }

    @Benchmark
    public void forwardBackward() {
        long y = Torch.conv2d(x, w, b, 1);
        Torch.backward(y, dy);
        Torch.free(y);
    }
}
