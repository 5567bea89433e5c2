package dev.panagrad.bench.panagrad;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Conv2d;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * panagrad's side of {@code TorchConv2d}: 3x3, stride 1, padding 1, with bias, float32,
 * {@code layer = "BxCxHxW:K"}. {@code forward} records for autograd as in training;
 * {@code forwardBackward} then backpropagates a fixed random dy: grad of w and b always, of x only
 * for the second layer (cin > 1). Gradients accumulate between calls, as on the PyTorch side.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PanagradConv2d extends PanagradBenchmark {
    @Param({"vector", "blas"})
    public String kernels;

    @Param({"128x1x28x28:32", "128x32x14x14:64"})
    public String layer;

    private Tensor x, w, b, dy;

    @Setup(Level.Trial)
    public void data() {
        start(kernels);
        Generator.manualSeed(1);
        String[] io = layer.split(":");
        String[] d = io[0].split("x");
        long batch = Long.parseLong(d[0]), cin = Long.parseLong(d[1]);
        long h = Long.parseLong(d[2]), wd = Long.parseLong(d[3]), cout = Long.parseLong(io[1]);
        double bound = 1 / Math.sqrt(cin * 9.0);
        x = Tensor.randn(batch, cin, h, wd);
        w = Tensor.rand(cout, cin, 3, 3).mul(2 * bound).sub(bound).requiresGrad(true);
        b = Tensor.rand(cout).mul(2 * bound).sub(bound).requiresGrad(true);
        dy = Tensor.randn(batch, cout, h, wd);
        if (cin > 1) {
            x.requiresGrad(true);
        }
        warm(this::forwardBackward, 20, 10_000);
    }

    @Benchmark
    public void forward() {
        try (Scope s = Scope.open()) {
            Conv2d.conv2d(x, w, b, 1, 1);
        }
    }

    @Benchmark
    public void forwardBackward() {
        try (Scope s = Scope.open()) {
            Conv2d.conv2d(x, w, b, 1, 1).backward(dy);
        }
    }
}
