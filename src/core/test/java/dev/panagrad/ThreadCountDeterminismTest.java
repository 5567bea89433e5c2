package dev.panagrad;

import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.VectorKernels;
import dev.panagrad.nn.AvgPool2d;
import dev.panagrad.nn.BatchNorm;
import dev.panagrad.nn.Conv2d;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.MaxPool2d;
import dev.panagrad.nn.Parameter;
import dev.panagrad.optim.Adam;
import dev.panagrad.optim.AdamW;
import dev.panagrad.optim.Optimizer;
import dev.panagrad.optim.SGD;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every reduction, softmax, matrix product, convolution, batch norm (forward and backward) and fused optimizer step
 * gives bit-identical results
 * for 1, 2, 3 and 4 threads: partial results are cut at boundaries fixed by the shape and combined in a fixed
 * order, and each element of a split product comes from one GEMM call over the whole depth.
 */
class ThreadCountDeterminismTest {

    private static Tensor random(long seed, DType dt, long... shape) {
        return Ref.tensor(Ref.random(seed, Ref.numel(shape), -1, 1), dt, shape);
    }

    /** Leaves of one case, made fresh for each run so that gradients never accumulate across runs. */
    private static Tensor leaf(long seed, long... shape) {
        return random(seed, DType.FLOAT32, shape).requiresGrad(true);
    }

    private static Map<String, Supplier<List<Tensor>>> cases() {
        Map<String, Supplier<List<Tensor>>> c = new LinkedHashMap<>();
        Tensor big = random(1, DType.FLOAT32, 1_000_003), bigD = random(2, DType.FLOAT64, 700_001);
        Tensor wide = random(3, DType.FLOAT32, 3000, 700), logits = random(4, DType.FLOAT32, 128, 1000);
        c.put("sum/mean of 1M float32", () -> List.of(big.sum(), big.mean(), big.square().sum()));
        c.put("sum/mean of 700K float64", () -> List.of(bigD.sum(), bigD.mean()));
        c.put("sum along each dim", () -> List.of(wide.sum(0, false), wide.sum(1, false), wide.t().sum(0, false)));
        c.put("exp/tanh/log/sigmoid of 1M", () -> List.of(big.exp(), big.tanh(), big.abs().log(), big.sigmoid()));
        c.put("softmax and logSoftmax", () -> List.of(logits.softmax(-1), logits.logSoftmax(-1), logits.softmax(0)));
        long[][] shapes = {{128, 784, 512}, {512, 512, 512}, {1000, 300, 7}, {7, 300, 1000}, {300, 2000, 300},
                {1, 4096, 1024}, {130, 390, 1030}};
        for (long[] s : shapes) {
            Tensor a = random(s[0] + s[1], DType.FLOAT32, s[0], s[1]), b = random(s[2], DType.FLOAT32, s[1], s[2]);
            c.put("matmul " + Arrays.toString(s), () -> List.of(a.matmul(b), a.t().t().matmul(b.t().contiguous().t())));
        }
        c.put("vector-kernel GEMM", ThreadCountDeterminismTest::vectorGemm);
        c.put("linear forward and backward", () -> {
            Tensor x = leaf(5, 256, 784), w = leaf(6, 512, 784), b = leaf(7, 512);
            Tensor y = Linear.linear(x, w, b).relu();
            Tensor loss = Losses.crossEntropy(y.narrow(1, 0, 10), classes(256, 10));
            loss.backward();
            return List.of(y, loss, x.grad(), w.grad(), b.grad());
        });
        c.put("conv2d and pooling forward and backward", () -> {
            Tensor x = leaf(8, 32, 8, 28, 28), w = leaf(9, 16, 8, 3, 3), b = leaf(10, 16);
            Tensor y = Conv2d.conv2d(x, w, b, 1, 1);
            Tensor p = MaxPool2d.maxPool2d(y, 2);
            Tensor q = AvgPool2d.avgPool2d(y, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, true);
            p.square().sum().add(q.sum()).backward();
            return List.of(y, p, q, x.grad(), w.grad(), b.grad());
        });
        c.put("batch norm forward and backward", () -> {
            Tensor x = leaf(11, 64, 32, 14, 14), w = leaf(12, 32), b = leaf(13, 32);
            Tensor rm = Tensor.zeros(32), rv = Tensor.ones(32);
            Tensor y = BatchNorm.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5);
            y.mul(random(14, DType.FLOAT32, 64, 32, 14, 14)).sum().backward();
            return List.of(y, rm, rv, x.grad(), w.grad(), b.grad());
        });
        c.put("batch norm of a batch smaller than its chunks (chunks cut into channel ranges)", () -> {
            Tensor x = leaf(21, 3, 40, 30, 30), w = leaf(22, 40), b = leaf(23, 40);
            Tensor y = BatchNorm.batchNorm(x, Tensor.zeros(40), Tensor.ones(40), w, b, true, 0.1, 1e-5);
            y.mul(random(24, DType.FLOAT32, 3, 40, 30, 30)).sum().backward();
            return List.of(y, x.grad(), w.grad(), b.grad());
        });
        c.put("fused Adam, AdamW and SGD steps over odd-sized parameters", () -> {
            List<Tensor> out = new ArrayList<>();
            for (int kind = 0; kind < 3; kind++) {
                List<Tensor> params = List.of(Parameter.of(random(15, DType.FLOAT32, 100_003)),
                        Parameter.of(random(16, DType.FLOAT32, 333, 301)), Parameter.of(random(17, DType.FLOAT32, 7)));
                Optimizer opt = switch (kind) {
                    case 0 -> new Adam(params, 1e-2).weightDecay(0.1);
                    case 1 -> new AdamW(params, 1e-2);
                    default -> new SGD(params, 0.1).momentum(0.9).nesterov(true);
                };
                for (int step = 0; step < 3; step++) {
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).setGrad(random(20 + step * 3 + i, DType.FLOAT32, params.get(i).shape()));
                    }
                    opt.step();
                }
                out.addAll(params);
            }
            return out;
        });
        return c;
    }

    /** int64 class indices 0, 1, ..., c - 1, 0, 1, ... of length n. */
    private static Tensor classes(int n, int c) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i % c;
        return Ref.tensor(v, DType.INT64, n);
    }

    /** The pure-Java GEMM (used when OpenBLAS is absent) on a product large enough to split. */
    private static List<Tensor> vectorGemm() {
        int m = 300, n = 260, k = 500;
        Arena arena = Arena.ofAuto();
        MemorySegment a = arena.allocate((long) m * k * 4, 64), b = arena.allocate((long) k * n * 4, 64),
                out = arena.allocate((long) m * n * 4, 64);
        double[] av = Ref.random(11, m * k, -1, 1), bv = Ref.random(12, k * n, -1, 1);
        for (int i = 0; i < m * k; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) av[i]);
        for (int i = 0; i < k * n; i++) b.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) bv[i]);
        new VectorKernels().gemm(DType.FLOAT32, false, true, m, n, k, 1.0, a, 0, k, b, 0, k, 0.0, out, 0, n);
        return List.of(Tensor.of(out.toArray(ValueLayout.JAVA_FLOAT)));
    }

    @Test
    void everyResultIsBitIdenticalForOneToFourThreads() {
        int saved = Parallel.threads();
        List<String> differing = new ArrayList<>();
        try {
            for (var e : cases().entrySet()) {
                Parallel.setThreads(1);
                List<double[]> one = values(e.getValue().get());
                for (int t = 2; t <= 4; t++) {
                    Parallel.setThreads(t);
                    List<double[]> other = values(e.getValue().get());
                    for (int i = 0; i < one.size(); i++) {
                        if (!Arrays.equals(one.get(i), other.get(i))) differing.add(e.getKey() + " #" + i + " at " + t + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
        assertTrue(differing.isEmpty(), "results that depend on the thread count: " + differing);
    }

    private static List<double[]> values(List<Tensor> results) {
        List<double[]> v = new ArrayList<>();
        for (Tensor t : results) v.add(t.toDoubleArray());
        return v;
    }
}
