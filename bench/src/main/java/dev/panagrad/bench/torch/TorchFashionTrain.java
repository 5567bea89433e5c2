package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import dev.panagrad.bench.machine.ProcStatus;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The training of {@code scripts/train} (panagrad's {@code dev.panagrad.cli.Train}) written with libtorch ops
 * through DJL's PyTorch engine, as a PyTorch user would write it in Python, so that the two can be timed to
 * the same test accuracy from the command's start.
 *
 * <p>The recipe, as {@code scripts/train}'s defaults: Fashion-MNIST scaled to [0, 1] and standardised with
 * mean 0.2860 and std 0.3530; the MLP 784-512-512-10 (ReLU, dropout 0.2 after each hidden layer) or the CNN
 * of {@code FashionCnn} (conv 1-32 3x3 pad 1, batch norm, ReLU, max pool 2; conv 32-64, batch norm, ReLU,
 * max pool 2; linear 3136-128, ReLU, dropout 0.25, linear 128-10); PyTorch's default initialisation
 * (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases, batch norm 1 and 0); cross-entropy; Adam lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, written out as {@code torch.optim.Adam}'s update; cosine annealing of the rate
 * per epoch over the number of epochs down to 0; batch 128, reshuffled every epoch, the last batch short (96);
 * evaluation on the test set after every epoch in eval mode (no dropout, batch norm's running statistics).
 *
 * <pre>
 * java ... dev.panagrad.bench.torch.TorchFashionTrain --model mlp --epochs 10 --threads 2 --target 0.89
 * </pre>
 *
 * Every epoch prints the line {@code scripts/train} prints plus the seconds since the JVM started (so the
 * figure includes starting the JVM, loading libtorch and reading the data). Every handle a raw op returns is
 * freed when it is no longer needed; the autograd graph keeps alive what backward needs.
 */
public final class TorchFashionTrain {
    private TorchFashionTrain() {}

    static final Path DEFAULT_DATA = Path.of("/usr/share/datasets/fashion-mnist");
    /** Mean and standard deviation of the training pixels on the [0, 1] scale, as panagrad's FashionMnist. */
    static final double MEAN = 0.2860, STD = 0.3530;
    static final int BATCH = 128, EVAL_BATCH = 500, CLASSES = 10;
    static final double LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    static final String USAGE = """
            usage: TorchFashionTrain [options]
              --model mlp|cnn   784-512-512-10 perceptron, or two conv/batch-norm/pool blocks (default mlp)
              --epochs N        passes over the training set; the cosine schedule spans them (default 10)
              --threads N       libtorch intra-op threads (default: all %d cores)
              --data DIR        folder of MNIST-format files (default %s)
              --seed N          seed of libtorch's generator: initialisation, dropout, shuffling (default 0)
              --target ACC      stop after the first epoch whose test accuracy reaches ACC
              --metrics FILE    write per-epoch figures as JSON (the keys of scripts/train --metrics)
            """;

    record Options(String model, int epochs, int threads, Path data, long seed, double target, Path metrics) {}

    public static void main(String[] args) throws IOException {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o == null) {
            System.out.printf(USAGE, Runtime.getRuntime().availableProcessors(), DEFAULT_DATA);
            return;
        }
        Torch.threads(o.threads);
        Torch.gradMode(true);   // DJL turns grad mode off on the thread that loads the engine
        Torch.manualSeed(o.seed);

        Data train = Data.read(o.data, "train"), test = Data.read(o.data, "t10k");
        Net net = o.model.equals("mlp") ? new Mlp() : new Cnn();
        Adam adam = new Adam(net.params());
        System.out.printf(Locale.ROOT, "training %s (%d parameters) on %d images, testing on %d%n"
                        + "adam lr %s, batch %d, cosine schedule, %d threads, seed %d, libtorch %s through DJL%n",
                o.model, net.parameterCount(), train.n, test.n, LR, BATCH, Torch.threads(), o.seed, Torch.version());

        List<Map<String, Object>> records = new ArrayList<>();
        int reached = 0;
        double reachedAt = 0;
        for (int epoch = 0; epoch < o.epochs; epoch++) {
            double lr = LR * (1 + Math.cos(Math.PI * epoch / o.epochs)) / 2;   // CosineAnnealingLR, eta_min 0
            long t0 = System.nanoTime();
            double[] fit = trainEpoch(net, adam, train, lr);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            double[] eval = evaluate(net, test);
            double wall = (System.currentTimeMillis() - jvmStart) / 1e3;
            double samplesPerSecond = train.n / trainSeconds;
            System.out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f acc %.4f  test loss %.4f acc %.4f  "
                            + "%.0f samples/s  %.1f s  (%.1f s since start)%n", epoch + 1, o.epochs, fit[0], fit[1],
                    eval[0], eval[1], samplesPerSecond, trainSeconds, wall);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("epoch", epoch + 1);
            r.put("train_loss", fit[0]);
            r.put("train_accuracy", fit[1]);
            r.put("test_loss", eval[0]);
            r.put("test_accuracy", eval[1]);
            r.put("samples_per_second", samplesPerSecond);
            r.put("epoch_seconds", trainSeconds);
            r.put("wall_seconds", wall);
            r.put("lr", lr);
            r.put("rss_bytes", ProcStatus.bytes(Path.of("/proc/self/status"), "VmRSS"));   // flat when nothing leaks
            records.add(r);
            if (o.metrics != null) writeMetrics(o, records);
            if (eval[1] >= o.target) {
                reached = epoch + 1;
                reachedAt = wall;
                break;
            }
        }
        if (!Double.isNaN(o.target)) {
            System.out.println(reached > 0
                    ? String.format(Locale.ROOT, "time to %s: %.1f s (epoch %d)", o.target, reachedAt, reached)
                    : "target not reached");
        }
    }

    // ---- the training loop -------------------------------------------------------------------------

    /** One pass over the shuffled training set; returns the mean loss and the accuracy of the training batches. */
    static double[] trainEpoch(Net net, Adam adam, Data train, double lr) {
        long perm = Torch.randperm(train.n);
        long xs = Torch.take0(train.x, perm), ys = Torch.take0(train.y, perm);
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < train.n; start += BATCH) {
            long end = Math.min(start + BATCH, train.n), b = end - start;
            long x = Torch.slice(xs, 0, start, end), y = Torch.slice(ys, 0, start, end);
            long logits = net.forward(x, true);
            long loss = crossEntropy(logits, y, false);
            Torch.backward(loss, adam.one);
            adam.step(lr);
            lossSum += Torch.floatValue(loss) * b;
            correct += correct(logits, y);
            free(loss, logits, x, y);
        }
        free(xs, ys, perm);
        return new double[] {lossSum / train.n, (double) correct / train.n};
    }

    /** Mean loss and accuracy on a dataset, in eval mode and without autograd. */
    static double[] evaluate(Net net, Data data) {
        Torch.gradMode(false);
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < data.n; start += EVAL_BATCH) {
            long end = Math.min(start + EVAL_BATCH, data.n);
            long x = Torch.slice(data.x, 0, start, end), y = Torch.slice(data.y, 0, start, end);
            long logits = net.forward(x, false);
            long loss = crossEntropy(logits, y, true);
            lossSum += Torch.floatValue(loss);
            correct += correct(logits, y);
            free(loss, logits, x, y);
        }
        Torch.gradMode(true);
        return new double[] {lossSum / data.n, (double) correct / data.n};
    }

    /** {@code F.cross_entropy(logits, y)} (mean, or sum), as nll of log_softmax; y is int64 [b, 1]. */
    static long crossEntropy(long logits, long y, boolean sum) {
        long logp = Torch.logSoftmax(logits, 1);
        long picked = Torch.gather(logp, y, 1);
        long reduced = sum ? Torch.sum(picked) : Torch.mean(picked);
        long loss = Torch.neg(reduced);
        free(logp, picked, reduced);
        return loss;
    }

    /** How many rows have their largest logit at the label. */
    static long correct(long logits, long y) {
        long predicted = Torch.argmax(logits, 1, true);
        long hit = Torch.eq(predicted, y);
        long count = Torch.sum(hit);
        long n = Torch.longValue(count);
        free(predicted, hit, count);
        return n;
    }

    static void free(long... handles) {
        for (long h : handles) Torch.free(h);
    }

    // ---- models ------------------------------------------------------------------------------------

    /** A model: its parameters (leaves requiring grad) and a forward that returns the logits' handle. */
    abstract static class Net {
        final List<Long> params = new ArrayList<>();
        long count;

        /** A weight or bias initialised as PyTorch's Linear and Conv2d do: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
        long layerParam(long fanIn, long... shape) {
            double bound = 1 / Math.sqrt(fanIn);
            return param(Torch.uniform(-bound, bound, shape));
        }

        long param(long t) {
            Torch.requiresGrad(t);
            params.add(t);
            long n = 1;
            for (long d : shapeOf(t)) n *= d;
            count += n;
            return t;
        }

        List<Long> params() {
            return params;
        }

        long parameterCount() {
            return count;
        }

        abstract long forward(long x, boolean training);
    }

    static long[] shapeOf(long t) {
        return Torch.shape(t);
    }

    /** Flatten, then 784-512-512-10 with ReLU and dropout 0.2 after each hidden layer (FashionMlp). */
    static final class Mlp extends Net {
        static final double DROPOUT = 0.2;
        final long w1, b1, w2, b2, w3, b3;

        Mlp() {
            // the order of nn.Sequential's construction: each Linear draws its weight, then its bias
            w1 = layerParam(784, 512, 784);
            b1 = layerParam(784, 512);
            w2 = layerParam(512, 512, 512);
            b2 = layerParam(512, 512);
            w3 = layerParam(512, 10, 512);
            b3 = layerParam(512, 10);
        }

        @Override
        long forward(long x, boolean training) {
            long flat = Torch.reshape(x, -1, 784);
            long z1 = Torch.linear(flat, w1, b1), h1 = Torch.relu(z1), d1 = Torch.dropout(h1, DROPOUT, training);
            long z2 = Torch.linear(d1, w2, b2), h2 = Torch.relu(z2), d2 = Torch.dropout(h2, DROPOUT, training);
            long logits = Torch.linear(d2, w3, b3);
            free(flat, z1, h1, d1, z2, h2, d2);
            return logits;
        }
    }

    /**
     * FashionCnn: conv 1-32 3x3 pad 1, batch norm, ReLU, max pool 2; conv 32-64, batch norm, ReLU, max pool 2;
     * flatten; linear 3136-128, ReLU, dropout 0.25, linear 128-10.
     */
    static final class Cnn extends Net {
        static final double DROPOUT = 0.25;
        final long k1, c1, g1, be1, rm1, rv1, k2, c2, g2, be2, rm2, rv2, w3, b3, w4, b4;

        Cnn() {
            k1 = layerParam(9, 32, 1, 3, 3);
            c1 = layerParam(9, 32);
            g1 = param(Torch.full(1, 32));
            be1 = param(Torch.zerosRaw(32));
            k2 = layerParam(32 * 9, 64, 32, 3, 3);
            c2 = layerParam(32 * 9, 64);
            g2 = param(Torch.full(1, 64));
            be2 = param(Torch.zerosRaw(64));
            w3 = layerParam(3136, 128, 3136);
            b3 = layerParam(3136, 128);
            w4 = layerParam(128, 10, 128);
            b4 = layerParam(128, 10);
            rm1 = Torch.zerosRaw(32);
            rv1 = Torch.full(1, 32);
            rm2 = Torch.zerosRaw(64);
            rv2 = Torch.full(1, 64);
        }

        private static long norm(long x, long rm, long rv, long g, long b, boolean training) {
            return training ? Torch.batchNormTrain(x, rm, rv, g, b) : Torch.batchNormEval(x, rm, rv, g, b);
        }

        @Override
        long forward(long x, boolean training) {
            long a1 = Torch.conv2d(x, k1, c1, 1), n1 = norm(a1, rm1, rv1, g1, be1, training);
            long r1 = Torch.relu(n1), p1 = Torch.maxPool2(r1);                        // [b, 32, 14, 14]
            long a2 = Torch.conv2d(p1, k2, c2, 1), n2 = norm(a2, rm2, rv2, g2, be2, training);
            long r2 = Torch.relu(n2), p2 = Torch.maxPool2(r2);                        // [b, 64, 7, 7]
            long f = Torch.reshape(p2, -1, 3136);
            long z3 = Torch.linear(f, w3, b3), h3 = Torch.relu(z3), d3 = Torch.dropout(h3, DROPOUT, training);
            long logits = Torch.linear(d3, w4, b4);
            free(a1, n1, r1, p1, a2, n2, r2, p2, f, z3, h3, d3);
            return logits;
        }
    }

    // ---- Adam --------------------------------------------------------------------------------------

    /**
     * {@code torch.optim.Adam} (no weight decay, no amsgrad), one parameter at a time as its default
     * single-tensor form on the CPU: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2},
     * {@code p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}; then the gradients are zeroed.
     */
    static final class Adam {
        final List<Long> params;
        final long[] m, v;
        final long one = Torch.full(1, new long[0]);
        final long beta1 = Torch.full(BETA1, new long[0]), beta2 = Torch.full(BETA2, new long[0]);
        final long oneMinusBeta1 = Torch.full(1 - BETA1, new long[0]), oneMinusBeta2 = Torch.full(1 - BETA2, new long[0]);
        final long eps = Torch.full(EPS, new long[0]);
        long t;

        Adam(List<Long> params) {
            this.params = params;
            m = new long[params.size()];
            v = new long[params.size()];
            for (int i = 0; i < m.length; i++) {
                long[] shape = shapeOf(params.get(i));
                m[i] = Torch.zerosRaw(shape);
                v[i] = Torch.zerosRaw(shape);
            }
        }

        void step(double lr) {
            t++;
            double bias1 = 1 - Math.pow(BETA1, t), bias2 = 1 - Math.pow(BETA2, t);
            long stepSize = Torch.full(lr / bias1, new long[0]), bias2Sqrt = Torch.full(Math.sqrt(bias2), new long[0]);
            Torch.gradMode(false);
            for (int i = 0; i < m.length; i++) {
                long p = params.get(i), g = Torch.grad(p);
                Torch.mulInPlace(m[i], beta1);                     // m = b1 m + (1 - b1) g
                long mg = Torch.mul(g, oneMinusBeta1);
                Torch.addInPlace(m[i], mg);
                Torch.mulInPlace(v[i], beta2);                     // v = b2 v + (1 - b2) g^2
                long g2 = Torch.mul(g, g);
                Torch.mulInPlace(g2, oneMinusBeta2);
                Torch.addInPlace(v[i], g2);
                long denom = Torch.sqrt(v[i]);                     // sqrt(v) / sqrt(1 - b2^t) + eps
                Torch.divInPlace(denom, bias2Sqrt);
                Torch.addInPlace(denom, eps);
                long update = Torch.div(m[i], denom);              // p -= lr / (1 - b1^t) * m / denom
                Torch.mulInPlace(update, stepSize);
                Torch.subInPlace(p, update);
                free(mg, g2, denom, update, g);
                Torch.zeroGrad(p);
            }
            Torch.gradMode(true);
            free(stepSize, bias2Sqrt);
        }
    }

    // ---- data ------------------------------------------------------------------------------------

    /** Images float32 [n, 1, 28, 28], standardised; labels int64 [n, 1] (a column, ready for gather). */
    record Data(long n, long x, long y, NDArray images, NDArray labels) {
        static Data read(Path dir, String split) throws IOException {
            byte[] pixels = idx(find(dir, split + "-images-idx3-ubyte"), 3);
            byte[] classes = idx(find(dir, split + "-labels-idx1-ubyte"), 1);
            int n = classes.length;
            if (pixels.length != n * 784) {
                throw new IOException("mnist: " + split + " has " + pixels.length / 784 + " images of 28x28 and "
                        + n + " labels; expected one label per image");
            }
            // pixel p in 0..255 becomes (p / 255 - MEAN) / STD, computed as panagrad's FashionMnist does
            double scale = 1 / (255 * STD), shift = -MEAN / STD;
            ByteBuffer buf = ByteBuffer.allocateDirect(pixels.length * 4).order(ByteOrder.nativeOrder());
            FloatBuffer f = buf.asFloatBuffer();
            for (byte p : pixels) f.put((float) ((p & 0xff) * scale + shift));
            long[] y = new long[n];
            for (int i = 0; i < n; i++) y[i] = classes[i];
            NDArray images = Torch.manager().create(buf, new Shape(n, 1, 28, 28), DataType.FLOAT32);
            NDArray labels = Torch.manager().create(y, new Shape(n, 1));
            return new Data(n, Torch.handle(images), Torch.handle(labels), images, labels);
        }

        private static Path find(Path dir, String name) throws IOException {
            for (String candidate : new String[] {name + ".gz", name}) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) return p;
            }
            throw new IOException("mnist: neither " + name + ".gz nor " + name + " in " + dir
                    + "; expected a folder of MNIST-format files (--data DIR)");
        }

        /** The unsigned bytes of an IDX file of {@code dims} dimensions (gzipped or not). */
        private static byte[] idx(Path file, int dims) throws IOException {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                 DataInputStream in = new DataInputStream(file.toString().endsWith(".gz")
                         ? new GZIPInputStream(raw, 1 << 16) : raw)) {
                int magic = in.readInt();
                if (magic != (0x0800 | dims)) {
                    throw new IOException("mnist: " + file + " starts with 0x" + Integer.toHexString(magic)
                            + "; expected an IDX file of unsigned bytes in " + dims + " dims (0x80" + dims + ")");
                }
                long size = 1;
                for (int d = 0; d < dims; d++) size *= in.readInt();
                byte[] data = new byte[Math.toIntExact(size)];
                in.readFully(data);
                return data;
            }
        }
    }

    // ---- options, metrics --------------------------------------------------------------------------

    static Options parse(String[] args) {
        String model = "mlp";
        int epochs = 10, threads = Runtime.getRuntime().availableProcessors();
        Path data = DEFAULT_DATA, metrics = null;
        long seed = 0;
        double target = Double.NaN;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) return null;
            if (i + 1 >= args.length) throw new IllegalArgumentException("TorchFashionTrain: " + a + " needs a value");
            String v = args[++i];
            try {
                switch (a) {
                    case "--model" -> {
                        if (!v.equals("mlp") && !v.equals("cnn")) {
                            throw new IllegalArgumentException("TorchFashionTrain: --model is mlp or cnn; given " + v);
                        }
                        model = v;
                    }
                    case "--epochs" -> epochs = positive(a, Integer.parseInt(v));
                    case "--threads" -> threads = positive(a, Integer.parseInt(v));
                    case "--data" -> data = Path.of(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--target" -> target = Double.parseDouble(v);
                    case "--metrics" -> metrics = Path.of(v);
                    default -> throw new IllegalArgumentException("TorchFashionTrain: unknown option " + a
                            + " (try --help)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TorchFashionTrain: " + a + " expects a number; given " + v);
            }
        }
        return new Options(model, epochs, threads, data, seed, target, metrics);
    }

    private static int positive(String option, int v) {
        if (v < 1) throw new IllegalArgumentException("TorchFashionTrain: " + option + " must be at least 1; given " + v);
        return v;
    }

    private static void writeMetrics(Options o, List<Map<String, Object>> epochs) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("implementation", "pytorch " + Torch.version() + " (libtorch through DJL)");
        config.put("data", o.data.toString());
        config.put("model", o.model);
        config.put("epochs", o.epochs);
        config.put("batch_size", BATCH);
        config.put("optimizer", "adam");
        config.put("lr", LR);
        config.put("schedule", "cosine");
        config.put("threads", o.threads);
        config.put("seed", o.seed);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("config", config);
        all.put("epochs", epochs);
        Path tmp = o.metrics.resolveSibling(o.metrics.getFileName() + ".tmp");
        Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().create().toJson(all) + "\n");
        Files.move(tmp, o.metrics, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
