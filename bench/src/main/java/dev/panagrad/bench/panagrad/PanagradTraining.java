package dev.panagrad.bench.panagrad;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.cli.fashion.FashionCnn;
import dev.panagrad.cli.fashion.FashionMlp;
import dev.panagrad.optim.SGD;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * panagrad's side of {@code TorchTraining}: one training step at batch {@value #BATCH} on random
 * Fashion-MNIST-shaped data (created once): forward, fused cross-entropy, backward, plain SGD (lr
 * {@value #LR}). {@code mlpStep}: 784-512-512-10 with ReLU ({@link FashionMlp} without dropout);
 * {@code cnnStep}: conv-BN-ReLU-pool x2, 3136-128-10 ({@link FashionCnn} without dropout). Each step
 * runs in its own scope, so every temporary and graph node is freed at its end; parameters,
 * gradients and optimizer state live outside.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PanagradTraining extends PanagradBenchmark {
    public static final int BATCH = 128;
    public static final double LR = 0.01;

    @Param({"vector", "blas"})
    public String kernels;

    private Tensor xFlat, xImg, labels;
    private Module mlp, cnn;
    private SGD mlpOpt, cnnOpt;

    @Setup(Level.Trial)
    public void model(BenchmarkParams benchmark) {
        start(kernels);
        Generator.manualSeed(1);
        xImg = Tensor.rand(BATCH, 1, 28, 28);
        xFlat = Tensor.rand(BATCH, 784);
        labels = Tensor.randint(0, 10, BATCH);
        mlp = new FashionMlp(512, 512, 0);
        cnn = new FashionCnn(0);
        mlp.train();
        cnn.train();
        mlpOpt = new SGD(mlp.parameters(), LR);
        cnnOpt = new SGD(cnn.parameters(), LR);
        // Warm the step this fork measures (JMH gives every benchmark method its own fork) until the JIT compiler
        // falls quiet: the per-step code (forward, backward, optimizer) reaches C2 a method at a time over
        // thousands of steps, later still with both cores busy stepping, and the step improves all the while.
        // Methods that run once per step cross C2's thresholds only after 6,000-8,000 steps, so the MLP's fork
        // steps 12,000 times at least; the CNN's step is too long for that, and its Java share too small to matter.
        boolean cnn = benchmark.getBenchmark().endsWith(".cnnStep");
        warm(cnn ? this::cnnStep : this::mlpStep, cnn ? 100 : 12_000, 15, 60_000, true);
    }

    private static void step(Module model, SGD opt, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad(false);   // in place, as the PyTorch side's grad.zero_()
            Losses.crossEntropy(model.forward(x), y).backward();
            opt.step();
        }
    }

    @Benchmark
    public void mlpStep() {
        step(mlp, mlpOpt, xFlat, labels);
    }

    @Benchmark
    public void cnnStep() {
        step(cnn, cnnOpt, xImg, labels);
    }
}
