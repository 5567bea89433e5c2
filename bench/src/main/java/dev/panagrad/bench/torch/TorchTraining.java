package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One full training step at batch {@value #BATCH} on synthetic Fashion-MNIST-shaped data
 * (1x28x28 images, 10 classes): forward, cross-entropy, backward, plain SGD (lr {@value #LR}), as
 * {@code loss.backward(); with torch.no_grad(): p -= lr * p.grad; p.grad.zero_()}.
 *
 * <ul>
 *   <li>{@code mlpStep}: Linear 784-512, ReLU, Linear 512-512, ReLU, Linear 512-10;</li>
 *   <li>{@code cnnStep}: Conv 1-32 3x3 pad 1, BatchNorm, ReLU, MaxPool 2; Conv 32-64 3x3 pad 1,
 *   BatchNorm, ReLU, MaxPool 2; flatten; Linear 3136-128, ReLU; Linear 128-10.</li>
 * </ul>
 * Cross-entropy is {@code -mean(gather(log_softmax(z), y))}, which is what
 * {@code F.cross_entropy} computes (nll_loss of log_softmax) in three small ops on [128, 10].
 * Parameters are initialised like PyTorch's defaults (uniform within 1/sqrt(fan_in)); gradients are
 * zeroed in place after the update (DJL has no set-to-None; the difference is one memset of the
 * parameters, about 2.7 MB for the MLP). The report turns the time per step into samples/s.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TorchTraining extends TorchBenchmark {
    public static final int BATCH = 128;
    public static final float LR = 0.01f;

    private final List<NDArray> owned = new ArrayList<>();
    private long lr, one;
    private long xFlat, xImg, labels;
    // MLP
    private long w1, b1, w2, b2, w3, b3;
    private long[] mlpParams;
    // CNN
    private long k1, kb1, g1, be1, rm1, rv1, k2, kb2, g2, be2, rm2, rv2, w4, b4, w5, b5;
    private long[] cnnParams;

    private long keep(NDArray a) {
        owned.add(a);
        return Torch.handle(a);
    }

    private long param(long seed, long fanIn, long... shape) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        long h = keep(Torch.uniform(seed, -bound, bound, shape));
        Torch.requiresGrad(h);
        return h;
    }

    @Setup(Level.Trial)
    public void model() {
        lr = keep(Torch.scalar(LR));
        one = keep(Torch.scalar(1f));
        xImg = keep(Torch.uniform(1, 0f, 1f, BATCH, 1, 28, 28));
        xFlat = keep(Torch.uniform(1, 0f, 1f, BATCH, 784));
        labels = keep(Torch.labels(2, BATCH, 10));

        w1 = param(10, 784, 512, 784);
        b1 = param(11, 784, 512);
        w2 = param(12, 512, 512, 512);
        b2 = param(13, 512, 512);
        w3 = param(14, 512, 10, 512);
        b3 = param(15, 512, 10);
        mlpParams = new long[] {w1, b1, w2, b2, w3, b3};

        k1 = param(20, 9, 32, 1, 3, 3);
        kb1 = param(21, 9, 32);
        g1 = keep(Torch.ones(32));
        be1 = keep(Torch.zeros(32));
        Torch.requiresGrad(g1);
        Torch.requiresGrad(be1);
        rm1 = keep(Torch.zeros(32));
        rv1 = keep(Torch.ones(32));
        k2 = param(22, 32 * 9, 64, 32, 3, 3);
        kb2 = param(23, 32 * 9, 64);
        g2 = keep(Torch.ones(64));
        be2 = keep(Torch.zeros(64));
        Torch.requiresGrad(g2);
        Torch.requiresGrad(be2);
        rm2 = keep(Torch.zeros(64));
        rv2 = keep(Torch.ones(64));
        w4 = param(24, 3136, 128, 3136);
        b4 = param(25, 3136, 128);
        w5 = param(26, 128, 10, 128);
        b5 = param(27, 128, 10);
        cnnParams = new long[] {k1, kb1, g1, be1, k2, kb2, g2, be2, w4, b4, w5, b5};
    }

    @TearDown(Level.Trial)
    public void release() {
        owned.forEach(NDArray::close);
        owned.clear();
    }

    /** Frees every handle in {@code hs} (intermediate results; the graph keeps what it needs). */
    private static void free(long... hs) {
        for (long h : hs) {
            Torch.free(h);
        }
    }

    /** loss = cross_entropy(logits, labels); backward; frees the loss's own handles. */
    private void crossEntropyBackward(long logits) {
        long logp = Torch.logSoftmax(logits, 1);
        long picked = Torch.gather(logp, labels, 1);
        long mean = Torch.mean(picked);
        long loss = Torch.neg(mean);
        Torch.backward(loss, one);
        free(logp, picked, mean, loss);
    }

    /** p -= lr * p.grad; p.grad.zero_(), under no_grad. */
    private void sgd(long[] params) {
        Torch.gradMode(false);
        for (long p : params) {
            long g = Torch.grad(p);
            long step = Torch.mul(g, lr);
            Torch.subInPlace(p, step);
            free(step, g);
            Torch.zeroGrad(p);
        }
        Torch.gradMode(true);
    }

    @Benchmark
    public void mlpStep() {
        long z1 = Torch.linear(xFlat, w1, b1);
        long h1 = Torch.relu(z1);
        long z2 = Torch.linear(h1, w2, b2);
        long h2 = Torch.relu(z2);
        long logits = Torch.linear(h2, w3, b3);
        free(z1, h1, z2, h2);
        crossEntropyBackward(logits);
        Torch.free(logits);
        sgd(mlpParams);
    }

    @Benchmark
    public void cnnStep() {
        long c1 = Torch.conv2d(xImg, k1, kb1, 1);
        long n1 = Torch.batchNormTrain(c1, rm1, rv1, g1, be1);
        long r1 = Torch.relu(n1);
        long p1 = Torch.maxPool2(r1);                 // [128, 32, 14, 14]
        long c2 = Torch.conv2d(p1, k2, kb2, 1);
        long n2 = Torch.batchNormTrain(c2, rm2, rv2, g2, be2);
        long r2 = Torch.relu(n2);
        long p2 = Torch.maxPool2(r2);                 // [128, 64, 7, 7]
        long f = Torch.reshape(p2, BATCH, 3136);
        long z4 = Torch.linear(f, w4, b4);
        long h4 = Torch.relu(z4);
        long logits = Torch.linear(h4, w5, b5);
        free(c1, n1, r1, p1, c2, n2, r2, p2, f, z4, h4);
        crossEntropyBackward(logits);
        Torch.free(logits);
        sgd(cnnParams);
    }
}
