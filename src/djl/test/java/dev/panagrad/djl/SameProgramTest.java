package dev.panagrad.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One DJL training program run on panagrad and on DJL's PyTorch engine with the same weights and batches:
 * the losses of the first steps agree to float tolerance, for an MLP (Adam), a small CNN with batch
 * norm (SGD with momentum) and a 1-D CNN over sequences (Adam).
 */
class SameProgramTest {

    @Test
    void mlpWithAdamFollowsPyTorch() {
        Supplier<Block> mlp = () -> new SequentialBlock().add(Blocks.batchFlattenBlock(64))
                .add(Linear.builder().setUnits(32).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(10).build());
        compare(mlp, () -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(), new Shape(16, 1, 8, 8));
    }

    @Test
    void cnnWithSgdFollowsPyTorch() {
        Supplier<Block> cnn = () -> new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(6).build())
                .add(BatchNorm.builder().build()).add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock(6 * 4 * 4)).add(Linear.builder().setUnits(10).build());
        compare(cnn, () -> Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build(),
                new Shape(16, 1, 8, 8));
    }

    @Test
    void sequenceCnnWithAdamFollowsPyTorch() {
        Supplier<Block> cnn = () -> new SequentialBlock()
                .add(Conv1d.builder().setKernelShape(new Shape(3)).optPadding(new Shape(1)).setFilters(6).build())
                .add(Activation.reluBlock())
                .add(Conv1d.builder().setKernelShape(new Shape(3)).optStride(new Shape(2)).setFilters(4).build())
                .add(Blocks.batchFlattenBlock(4 * 5)).add(Linear.builder().setUnits(10).build());
        compare(cnn, () -> Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build(), new Shape(16, 2, 12));
    }

    /** Runs the program on both engines; each trainer gets its own optimizer (optimizers keep per-parameter state). */
    private static void compare(Supplier<Block> block, Supplier<Optimizer> optimizer, Shape input) {
        Random r = new Random(7);
        float[] x = new float[Math.toIntExact(input.size())];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[Math.toIntExact(input.get(0))];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);

        try (Model torch = Model.newInstance("reference", Device.cpu(), "PyTorch");
             Model mine = Model.newInstance("panagrad", Device.cpu(), "Panagrad")) {
            torch.setBlock(block.get());
            mine.setBlock(block.get());
            try (Trainer t = torch.newTrainer(config(optimizer.get())); Trainer p = mine.newTrainer(config(optimizer.get()))) {
                t.initialize(input);
                p.initialize(input);
                ParameterList tp = torch.getBlock().getParameters(), pp = mine.getBlock().getParameters();
                for (int i = 0; i < tp.size(); i++) {
                    pp.get(i).getValue().getArray().set(tp.get(i).getValue().getArray().toByteBuffer());
                }
                float[] ref = losses(t, x, labels, input), got = losses(p, x, labels, input);
                for (int s = 0; s < ref.length; s++) {
                    assertEquals(ref[s], got[s], 1e-4 + 1e-4 * Math.abs(ref[s]), "loss at step " + s);
                }
            }
        }
    }

    private static DefaultTrainingConfig config(Optimizer optimizer) {
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(optimizer)
                .optDevices(new Device[] {Device.cpu()});
    }

    /** Five steps on the same batch: forward, loss, backward, optimizer step; the loss of each. */
    private static float[] losses(Trainer trainer, float[] x, int[] labels, Shape input) {
        float[] out = new float[5];
        for (int s = 0; s < out.length; s++) {
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDList data = new NDList(batch.create(x, input));
                NDList label = new NDList(batch.create(labels));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray loss = trainer.getLoss().evaluate(label, trainer.forward(data, label));
                    out[s] = loss.getFloat();
                    gc.backward(loss);
                }
                trainer.step();
            }
        }
        return out;
    }
}
