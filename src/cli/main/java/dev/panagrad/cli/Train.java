package dev.panagrad.cli;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.data.Batch;
import dev.panagrad.data.DataLoader;
import dev.panagrad.cli.fashion.FashionMnist;
import dev.panagrad.data.TensorDataset;
import dev.panagrad.distributed.DistributedDataParallel;
import dev.panagrad.distributed.DistributedSampler;
import dev.panagrad.distributed.ProcessGroup;
import dev.panagrad.io.Checkpoint;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.memory.MemoryPool;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.Reduction;
import dev.panagrad.cli.fashion.FashionCnn;
import dev.panagrad.cli.fashion.FashionMlp;
import dev.panagrad.optim.Adam;
import dev.panagrad.optim.AdamW;
import dev.panagrad.optim.CosineAnnealingLR;
import dev.panagrad.optim.LRScheduler;
import dev.panagrad.optim.Optimizer;
import dev.panagrad.optim.SGD;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Trains a classifier on Fashion-MNIST (or any folder of MNIST-format files) and reports the test accuracy:
 * the program behind {@code scripts/train}. Each step runs in its own {@link Scope}; batches come from a
 * {@link DataLoader} that prepares them on a background thread; evaluation runs without autograd. Runs with the same seed and thread count give the same result,
 * and a run resumed from a checkpoint continues exactly as the uninterrupted run would have.
 *
 * <pre>{@code
 * scripts/train --model cnn --epochs 10 --save cnn.safetensors --metrics cnn.json
 * Train.run(new String[] {"--epochs", "1", "--limit", "4000"}, System.out);   // returns the test accuracy
 * }</pre>
 */
public final class Train {
    private Train() {}

    static final String USAGE = """
            usage: scripts/train [options]
              --data DIR          folder of MNIST-format files (default %s)
              --model mlp|cnn     784-512-512-10 perceptron, or two conv/batch-norm/pool blocks (default mlp)
              --epochs N          passes over the training set (default 10)
              --batch-size N      examples per step (default 128)
              --optimizer NAME    adam, adamw or sgd (momentum 0.9) (default adam)
              --lr X              learning rate (default 0.001 for adam/adamw, 0.05 for sgd)
              --schedule NAME     cosine (decay to 0 over the epochs) or none (default cosine)
              --threads N         threads for large ops (default: all %d cores, shared among the ranks on a machine)
                                  (1 at first, while the JIT compiler is busy with the hot code)
              --seed N            seed for initialisation, dropout and shuffling (default 0)
              --limit N           train on the first N training images only
              --test-limit N      evaluate on the first N test images only
              --save FILE         write a checkpoint (safetensors) after every epoch
              --resume FILE       continue from a checkpoint written by --save (or start from a state dict)
              --metrics FILE      write per-epoch loss, accuracy, samples/s and times as JSON
              --nproc N           train data-parallel in N processes on this machine (scripts/train starts
                                  them with mpirun); --batch-size is split among them
              --hostfile FILE     spread the processes over the machines Open MPI's hostfile lists
            """;

    /** Runs the command line; prints the problem and exits with status 2 on bad arguments or files, 1 on divergence. */
    public static void main(String[] args) {
        try {
            run(args, System.out);
            Ranks.finish();
        } catch (IllegalArgumentException | IOException e) {
            Ranks.exit(e.getMessage(), 2);
        } catch (IllegalStateException e) {
            Ranks.exit(e.getMessage(), 1);
        }
    }

    private record Settings(Path data, String model, int epochs, int batchSize, String optimizer, double lr,
                            String schedule, int threads, long seed, long limit, long testLimit, Path save,
                            Path resume, Path metrics, int nproc, Path hostfile) {
        Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data.toString());
            m.put("model", model);
            m.put("epochs", epochs);
            m.put("batch_size", batchSize);
            m.put("optimizer", optimizer);
            m.put("lr", lr);
            m.put("schedule", schedule);
            m.put("threads", threads);
            m.put("seed", seed);
            m.put("kernels", Kernels.active().name());
            return m;
        }
    }

    private static Settings parse(String[] argv) {
        Args a = new Args("train", argv, Set.of("help"));
        if (a.flag("help")) return null;
        String data = a.string("data", FashionMnist.DEFAULT_DIR.toString());
        String model = a.choice("model", "mlp", Set.of("mlp", "cnn"));
        int epochs = (int) a.integer("epochs", 10, 1);
        int batchSize = (int) a.integer("batch-size", 128, 1);
        String optimizer = a.choice("optimizer", "adam", Set.of("adam", "adamw", "sgd"));
        double lr = a.positive("lr", optimizer.equals("sgd") ? 0.05 : 1e-3);
        String schedule = a.choice("schedule", "cosine", Set.of("cosine", "none"));
        int threads = (int) a.integer("threads", Ranks.defaultThreads(), 1);
        long seed = a.integer("seed", 0, Long.MIN_VALUE);
        long limit = a.integer("limit", Long.MAX_VALUE, 1);
        long testLimit = a.integer("test-limit", Long.MAX_VALUE, 1);
        Settings s = new Settings(Path.of(data), model, epochs, batchSize, optimizer, lr, schedule, threads, seed,
                limit, testLimit, a.path("save"), a.path("resume"), a.path("metrics"), (int) a.integer("nproc", 1, 1),
                a.path("hostfile"));
        a.finish();
        return s;
    }

    /**
     * Trains as the arguments say, printing one line per epoch and finally {@code test accuracy: 0.xxxx} to
     * {@code out} (with a progress bar while an epoch runs, when {@code out} is the terminal); returns the final
     * test accuracy (NaN for {@code --help}).
     */
    public static double run(String[] args, PrintStream out) throws IOException {
        Settings s = parse(args);
        if (s == null) {
            out.printf(USAGE, FashionMnist.DEFAULT_DIR, Runtime.getRuntime().availableProcessors());
            return Double.NaN;
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();   // wall_seconds count from the JVM's start
        ProcessGroup group = Ranks.start(s.nproc, s.hostfile);
        int ranks = group == null ? 1 : group.size();
        if (s.batchSize % ranks != 0) {
            throw new IllegalArgumentException("train: --batch-size " + s.batchSize + " is split among " + ranks
                    + " processes; expected a multiple of " + ranks);
        }
        if (!Ranks.writes()) out = new PrintStream(java.io.OutputStream.nullOutputStream());
        WarmUpThreads warmUp = new WarmUpThreads(s.threads);
        TensorDataset train, test;
        try (KernelWarmUp w = KernelWarmUp.start(() -> warmUpStep(s))) {
            train = FashionMnist.train(s.data);
            test = FashionMnist.test(s.data);
        }
        if (s.limit < train.size()) train = train.narrow(0, s.limit);
        if (s.testLimit < test.size()) test = test.narrow(0, s.testLimit);

        Generator.manualSeed(s.seed);
        Module model = newModel(s);
        Optimizer optimizer = newOptimizer(s, model);
        LRScheduler schedule = s.schedule.equals("cosine") ? new CosineAnnealingLR(optimizer, s.epochs, 0) : null;
        int done = s.resume == null ? 0 : resume(s, model, optimizer);
        for (int e = 0; schedule != null && e < done; e++) schedule.step();
        // every rank restored the same checkpoint; DDP still copies rank 0's parameters to all
        DistributedDataParallel ddp = group == null ? null : new DistributedDataParallel(model, group);

        // two lines, so that the header fits 100 columns
        out.printf(Locale.ROOT, "training %s (%d parameters) on %d images, testing on %d%n%s lr %s, batch %d, "
                        + "%s schedule, %d threads, seed %d, %s kernels%s%n", s.model, model.parameterCount(),
                train.size(), test.size(), s.optimizer, s.lr, s.batchSize, s.schedule, s.threads, s.seed,
                Kernels.active().name(), ranks > 1 ? " in each of " + ranks + " processes" : "");
        Metrics metrics = new Metrics(Ranks.writes() ? s.metrics : null, s.describe());
        DataLoader loader = new DataLoader(train, s.batchSize / ranks).shuffle(s.seed).setEpoch(done);
        if (group != null) loader.sampler(new DistributedSampler(group));
        boolean terminal = out == System.out && System.console() != null && System.console().isTerminal();
        double accuracy = Double.NaN;
        for (int epoch = done; epoch < s.epochs; epoch++) {
            // dropout masks depend only on the seed and the epoch, so a resumed run repeats them
            Generator.manualSeed(s.seed * 1_000_003L + epoch + 7919L * (group == null ? 0 : group.rank()));
            String label = String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, s.epochs);
            ProgressBar bar = new ProgressBar(out, label, loader.batchCount(), terminal);
            double lr = optimizer.lr(0);   // the rate this epoch trains with; the schedule steps after it
            long t0 = System.nanoTime();
            double[] fit = trainEpoch(model, ddp, optimizer, loader, bar, epoch, warmUp);
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            bar.clear();
            double[] eval = evaluate(model, test);
            accuracy = eval[1];
            if (schedule != null) schedule.step();
            double samplesPerSecond = loader.exampleCount() * ranks / trainSeconds;
            double wall = (System.currentTimeMillis() - jvmStart) / 1e3;
            out.printf(Locale.ROOT, "%s  train loss %.4f acc %.4f  test loss %.4f acc %.4f  %.0f samples/s  %.1f s%n",
                    label, fit[0], fit[1], eval[0], eval[1], samplesPerSecond, trainSeconds);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("epoch", epoch + 1);
            record.put("train_loss", fit[0]);
            record.put("train_accuracy", fit[1]);
            record.put("test_loss", eval[0]);
            record.put("test_accuracy", eval[1]);
            record.put("samples_per_second", samplesPerSecond);
            record.put("epoch_seconds", trainSeconds);
            record.put("wall_seconds", wall);
            record.put("lr", lr);
            record.put("reserved_bytes", MemoryPool.reservedBytes());
            metrics.add(record);
            if (s.save != null && Ranks.writes()) {
                Checkpoint.save(s.save, model, optimizer, checkpointMetadata(s, epoch + 1));
                out.printf(Locale.ROOT, "saved epoch %d to %s%n", epoch + 1, s.save.toAbsolutePath().normalize());
            }
        }
        if (Double.isNaN(accuracy)) accuracy = evaluate(model, test)[1];
        out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
        return accuracy;
    }

    /** The model the settings name, initialised from the default generator. */
    private static Module newModel(Settings s) {
        return s.model.equals("mlp") ? new FashionMlp() : new FashionCnn();
    }

    private static Optimizer newOptimizer(Settings s, Module model) {
        return switch (s.optimizer) {
            case "adam" -> new Adam(model.parameters(), s.lr);
            case "adamw" -> new AdamW(model.parameters(), s.lr);
            default -> new SGD(model.parameters(), s.lr).momentum(0.9);
        };
    }

    /** A training step of a throwaway copy of the model and optimizer on a few random images ({@link KernelWarmUp}). */
    private static Runnable warmUpStep(Settings s) {
        Module model = newModel(s);
        Optimizer optimizer = newOptimizer(s, model);
        Generator g = new Generator(0);
        Tensor x = g.randn(DType.FLOAT32, WARM_UP_BATCH, 1, 28, 28), y = g.randint(0, 10, WARM_UP_BATCH);
        model.train();
        return () -> {
            try (Scope step = Scope.open()) {
                Tensor loss = Losses.crossEntropy(model.forward(x), y);
                optimizer.zeroGrad(false);
                loss.backward();
                optimizer.step();
            }
        };
    }

    private static final int WARM_UP_BATCH = 32;

    private static Map<String, String> checkpointMetadata(Settings s, int epochsDone) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epoch", Integer.toString(epochsDone));
        m.put("model", s.model);
        m.put("optimizer", s.optimizer);
        m.put("seed", Long.toString(s.seed));
        return m;
    }

    /**
     * Restores a checkpoint of the same model and optimizer kind (or a plain state dict of the model); returns the
     * number of epochs it had done (0 when its metadata does not say).
     */
    private static int resume(Settings s, Module model, Optimizer optimizer) throws IOException {
        Checkpoint c = Checkpoint.read(s.resume);
        for (String key : new String[] {"model", "optimizer"}) {
            String saved = c.metadata().get(key), given = key.equals("model") ? s.model : s.optimizer;
            if (saved != null && !saved.equals(given)) {
                throw new IllegalArgumentException("train: " + s.resume + " was written with --" + key + " " + saved
                        + "; given --" + key + " " + given);
            }
        }
        // a plain state dict (for example one written by PyTorch) starts the optimizer afresh
        c.restore(model, c.optimizer().isEmpty() ? null : optimizer);
        String epoch = c.metadata().getOrDefault("epoch", "0");
        try {
            return Integer.parseInt(epoch);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("train: " + s.resume + " has epoch '" + epoch
                    + "' in its metadata; expected a whole number");
        }
    }

    /** One pass over the training data; returns the mean loss and the accuracy on the batches seen. */
    private static double[] trainEpoch(Module model, DistributedDataParallel ddp, Optimizer optimizer,
                                       DataLoader loader, ProgressBar bar, int epoch,
                                       WarmUpThreads warmUp) {
        model.train();
        double lossSum = 0;
        long seen = 0, correct = 0, batches = 0;
        for (Batch b : loader) {
            try (Scope step = Scope.open()) {
                Tensor logits = model.forward(b.inputs());
                Tensor loss = Losses.crossEntropy(logits, b.targets());
                optimizer.zeroGrad(false);   // zeroed in place: the gradients' memory is reused every step
                loss.backward();
                if (ddp != null) ddp.finish();   // gradients averaged over the ranks
                optimizer.step();
                double l = loss.item();
                if (!Double.isFinite(l)) {
                    throw new IllegalStateException("train: the loss became " + l + " in epoch " + (epoch + 1)
                            + ", batch " + (batches + 1) + "; expected a finite loss (try a smaller --lr)");
                }
                lossSum += l * b.size();
                correct += correct(logits, b.targets());
            }
            seen += b.size();
            bar.update(++batches, seen, lossSum / seen);
            warmUp.afterStep();
        }
        double[] all = Ranks.sum(lossSum, correct, seen);
        return new double[] {all[0] / all[2], all[1] / all[2]};
    }

    /** Mean loss and accuracy on a dataset, in evaluation mode and without autograd. */
    private static double[] evaluate(Module model, TensorDataset data) {
        model.eval();
        double lossSum = 0;
        long correct = 0;
        try (var off = GradMode.noGrad()) {
            for (Batch b : new DataLoader(data, 500)) {
                try (Scope step = Scope.open()) {
                    Tensor logits = model.forward(b.inputs());
                    lossSum += Losses.crossEntropy(logits, b.targets(), Losses.IGNORE_INDEX, 0, Reduction.SUM).item();
                    correct += correct(logits, b.targets());
                }
            }
        }
        model.train();
        return new double[] {lossSum / data.size(), (double) correct / data.size()};
    }

    /** The number of rows whose largest logit is at the target class. */
    private static long correct(Tensor logits, Tensor targets) {
        long[] predicted = logits.argmax(1, false).toLongArray(), expected = targets.toLongArray();
        long n = 0;
        for (int i = 0; i < predicted.length; i++) if (predicted[i] == expected[i]) n++;
        return n;
    }
}
