package dev.panagrad.djl.example;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import dev.panagrad.DType;
import dev.panagrad.data.IdxArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Fashion-MNIST trained with DJL's own training API ({@code Model}, {@code SequentialBlock}, {@code EasyTrain})
 * on any DJL engine, panagrad by default: the program behind {@code scripts/djl-train}. Images are kept as
 * uint8 and normalised per batch; labels are int32, as DJL applications usually hold them.
 *
 * <pre>{@code
 * scripts/djl-train --model cnn --epochs 5
 * double accuracy = FashionMnistDjl.train(new FashionMnistDjl.Settings(dir, "mlp", 1, 128, 0, "Panagrad", 2000));
 * }</pre>
 */
public final class FashionMnistDjl {
    /** Mean and standard deviation of the training pixels in [0, 1] (the usual Fashion-MNIST statistics). */
    private static final float MEAN = 0.2860f, STD = 0.3530f;

    private FashionMnistDjl() {}

    /**
     * What to train.
     *
     * @param data folder of the four MNIST-format files (gzip or not)
     * @param model {@code mlp} (784-512-512-10) or {@code cnn} (two conv/batch-norm/pool blocks)
     * @param epochs passes over the training set
     * @param batchSize examples per step
     * @param seed seed of the engine's and DJL's random numbers
     * @param engine DJL engine name ({@code Panagrad}, {@code PyTorch})
     * @param limit use only the first {@code limit} training and test images (0: all)
     */
    public record Settings(Path data, String model, int epochs, int batchSize, int seed, String engine, int limit) {}

    /** Runs {@code scripts/djl-train}: {@code --model mlp|cnn --epochs N --batch-size N --seed N --engine NAME --data DIR --limit N}. */
    public static void main(String[] args) throws IOException, TranslateException {
        Settings s = new Settings(Path.of("/usr/share/datasets/fashion-mnist"), "mlp", 10, 128, 0, "Panagrad", 0);
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            s = switch (args[i]) {
                case "--model" -> new Settings(s.data, v, s.epochs, s.batchSize, s.seed, s.engine, s.limit);
                case "--epochs" -> new Settings(s.data, s.model, Integer.parseInt(v), s.batchSize, s.seed, s.engine, s.limit);
                case "--batch-size" -> new Settings(s.data, s.model, s.epochs, Integer.parseInt(v), s.seed, s.engine, s.limit);
                case "--seed" -> new Settings(s.data, s.model, s.epochs, s.batchSize, Integer.parseInt(v), s.engine, s.limit);
                case "--engine" -> new Settings(s.data, s.model, s.epochs, s.batchSize, s.seed, v, s.limit);
                case "--data" -> new Settings(Path.of(v), s.model, s.epochs, s.batchSize, s.seed, s.engine, s.limit);
                case "--limit" -> new Settings(s.data, s.model, s.epochs, s.batchSize, s.seed, s.engine, Integer.parseInt(v));
                default -> throw new IllegalArgumentException("djl-train: unknown option " + args[i] + "; expected "
                        + "--model, --epochs, --batch-size, --seed, --engine, --data or --limit");
            };
        }
        if (args.length % 2 != 0) throw new IllegalArgumentException("djl-train: option " + args[args.length - 1] + " needs a value");
        double accuracy = train(s);
        System.out.printf(Locale.ROOT, "final test accuracy %.4f%n", accuracy);
    }

    /** The model: {@code mlp} or {@code cnn}, from DJL's blocks. */
    public static SequentialBlock block(String model) {
        SequentialBlock net = new SequentialBlock();
        switch (model) {
            case "mlp" -> net.add(Blocks.batchFlattenBlock(784))
                    .add(Linear.builder().setUnits(512).build()).add(Activation.reluBlock())
                    .add(Dropout.builder().optRate(0.2f).build())
                    .add(Linear.builder().setUnits(512).build()).add(Activation.reluBlock())
                    .add(Dropout.builder().optRate(0.2f).build())
                    .add(Linear.builder().setUnits(10).build());
            case "cnn" -> net.add(convBlock(32)).add(convBlock(64))
                    .add(Blocks.batchFlattenBlock(64 * 7 * 7))
                    .add(Linear.builder().setUnits(128).build()).add(Activation.reluBlock())
                    .add(Dropout.builder().optRate(0.2f).build())
                    .add(Linear.builder().setUnits(10).build());
            default -> throw new IllegalArgumentException("djl-train: unknown model '" + model + "'; expected mlp or cnn");
        }
        return net;
    }

    private static SequentialBlock convBlock(int filters) {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)));
    }

    /** Loads images (uint8, [N, 1, 28, 28]) and labels (int32) into a shuffling (or not) dataset. */
    public static ArrayDataset dataset(NDManager manager, Path dir, String split, int batchSize, boolean shuffle,
                                       int limit) throws IOException {
        IdxArray images = IdxArray.read(find(dir, split + "-images-idx3-ubyte"));
        IdxArray labels = IdxArray.read(find(dir, split + "-labels-idx1-ubyte"));
        int n = (int) labels.numel(), use = limit > 0 ? Math.min(limit, n) : n;
        byte[] pixels = images.toTensor(DType.UINT8).narrow(0, 0, use).contiguous().toByteArray();
        int[] classes = labels.toTensor(DType.INT32).narrow(0, 0, use).contiguous().toIntArray();
        NDArray x = manager.create(java.nio.ByteBuffer.wrap(pixels), new Shape(use, 1, 28, 28), DataType.UINT8);
        NDArray y = manager.create(classes, new Shape(use));
        return new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(batchSize, shuffle)
                .optPipeline(new Pipeline(a -> a.toType(DataType.FLOAT32, false).div(255f).sub(MEAN).div(STD)))
                .build();
    }

    private static Path find(Path dir, String stem) throws IOException {
        for (String name : new String[] {stem + ".gz", stem}) {
            Path p = dir.resolve(name);
            if (java.nio.file.Files.exists(p)) return p;
        }
        throw new IOException("djl-train: " + stem + "(.gz) is not in " + dir + "; install the Debian package "
                + "dataset-fashion-mnist or pass --data DIR");
    }

    /** Trains with DJL's EasyTrain, printing each epoch, and returns the final test accuracy. */
    public static double train(Settings s) throws IOException, TranslateException {
        Engine engine = Engine.getEngine(s.engine);
        engine.setRandomSeed(s.seed);
        try (Model model = Model.newInstance("fashion-" + s.model, Device.cpu(), s.engine)) {
            model.setBlock(block(s.model));
            NDManager manager = model.getNDManager();
            ArrayDataset train = dataset(manager, s.data, "train", s.batchSize, true, s.limit);
            ArrayDataset test = dataset(manager, s.data, "t10k", s.batchSize, false, s.limit);
            int steps = (int) ((train.size() + s.batchSize - 1) / s.batchSize) * s.epochs;
            Tracker lr = Tracker.cosine().setBaseValue(1e-3f).optFinalValue(0).setMaxUpdates(steps).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(lr).build())
                    .addEvaluator(new Accuracy())
                    .optDevices(new Device[] {Device.cpu()})
                    .addTrainingListeners(TrainingListener.Defaults.basic())
                    .addTrainingListeners(new EpochPrinter(s));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.setMetrics(new ai.djl.metric.Metrics());
                trainer.initialize(new Shape(1, 1, 28, 28));
                EasyTrain.fit(trainer, s.epochs, train, test);
                return trainer.getTrainingResult().getValidateEvaluation("Accuracy");
            }
        }
    }

    /** One line per epoch: loss, accuracies and time. */
    private static final class EpochPrinter extends TrainingListenerAdapter {
        private final Settings settings;
        private int epoch;
        private long start = System.nanoTime();

        EpochPrinter(Settings settings) {
            this.settings = settings;
        }

        @Override
        public void onEpoch(Trainer trainer) {
            var r = trainer.getTrainingResult();
            long now = System.nanoTime();
            System.out.printf(Locale.ROOT, "%s %s epoch %d/%d: train loss %.4f, train accuracy %.4f, test accuracy %.4f"
                    + " (%.1f s)%n", settings.engine, settings.model, ++epoch, settings.epochs, r.getTrainLoss(),
                    r.getTrainEvaluation("Accuracy"), r.getValidateEvaluation("Accuracy"), (now - start) / 1e9);
            start = now;
        }
    }
}
