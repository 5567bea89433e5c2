package dev.panagrad.bench.panagrad;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.panagrad.bench.ProbedBenchmark;
import dev.panagrad.bench.torch.Torch;
import dev.panagrad.djl.example.FashionMnistDjl;
import dev.panagrad.kernels.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * DJL's own training step (the body of {@code EasyTrain.trainBatch}: forward, softmax cross-entropy,
 * backward, Adam step) for the Fashion-MNIST models of {@code scripts/djl-train}, at batch {@value #BATCH}
 * on synthetic 1x28x28 images, on the engine given by {@code engine}: the same DJL program on panagrad and
 * on DJL's PyTorch engine. Dropout is active (training mode), as in training.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DjlTraining extends ProbedBenchmark {
    public static final int BATCH = 128;

    @Param({"Panagrad", "PyTorch"})
    public String engine;

    @Param({"mlp", "cnn"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private Model djlModel;
    private Trainer trainer;
    private NDManager data;
    private NDList x, y;

    @Setup(Level.Trial)
    public void build() {
        Parallel.setThreads(threads);
        if (engine.equals("PyTorch")) Torch.threads(threads);
        Engine.getEngine(engine).setRandomSeed(0);
        djlModel = Model.newInstance("bench-" + model, Device.cpu(), engine);
        djlModel.setBlock(FashionMnistDjl.block(model));
        trainer = djlModel.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().build()).optDevices(new Device[] {Device.cpu()}));
        Shape input = new Shape(BATCH, 1, 28, 28);
        trainer.initialize(input);
        Random r = new Random(1);
        float[] pixels = new float[Math.toIntExact(input.size())];
        for (int i = 0; i < pixels.length; i++) pixels[i] = r.nextFloat();
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) labels[i] = r.nextInt(10);
        data = trainer.getManager().newSubManager();
        x = new NDList(data.create(pixels, input));
        y = new NDList(data.create(labels));
        // DJL's Java layers (blocks, NDArray wrappers, the trainer, and on panagrad the whole engine) reach C2 over
        // thousands of steps, much longer than a short JMH warm-up: warm both engines until the compiler is quiet.
        engineThreads();
        PanagradBenchmark.warm(this::step, 100, 15, 40_000, true);
    }

    @Setup(Level.Iteration)
    public void engineThreads() {
        if (engine.equals("PyTorch")) {
            Torch.gradMode(true);
            Torch.threads(threads);
        }
    }

    @Benchmark
    public float step() {
        float loss;
        try (NDManager batch = trainer.getManager().newSubManager()) {
            // as EasyTrain's batches: the step's arrays belong to a manager closed after the step
            x.tempAttach(batch);
            y.tempAttach(batch);
            NDList in = new NDList(x.get(0)), labels = new NDList(y.get(0));
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray l = trainer.getLoss().evaluate(labels, trainer.forward(in, labels));
                loss = l.getFloat();
                gc.backward(l);
            }
            trainer.step();
        }
        return loss;
    }

    @TearDown(Level.Trial)
    public void close() {
        data.close();
        trainer.close();
        djlModel.close();
    }
}
