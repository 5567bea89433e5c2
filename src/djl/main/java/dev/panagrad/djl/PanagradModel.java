package dev.panagrad.djl;

import ai.djl.BaseModel;
import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A DJL {@code Model} on panagrad: a block, its parameters (in DJL's parameter file format) and a manager.
 *
 * <pre>{@code
 * try (Model model = Model.newInstance("mlp", Device.cpu(), "Panagrad")) {
 *     model.setBlock(new Mlp(784, 10, new int[] {128}));
 * }
 * }</pre>
 */
final class PanagradModel extends BaseModel {

    PanagradModel(String name, Device device) {
        super(name);
        manager = PanagradNDManager.system().newSubManager(device);
        manager.setName("panagradModel");
        dataType = DataType.FLOAT32;
    }

    /** A trainer for the block, after applying the configuration's initializers to the matching parameters. */
    @Override
    public Trainer newTrainer(TrainingConfig trainingConfig) {
        if (block == null) {
            throw new IllegalStateException("newTrainer: set the model's block (model.setBlock) before training");
        }
        for (Pair<Initializer, Predicate<Parameter>> p : trainingConfig.getInitializers()) {
            if (p.getKey() != null && p.getValue() != null) block.setInitializer(p.getKey(), p.getValue());
        }
        return new Trainer(this, trainingConfig);
    }

    /** Loads the parameters of the block already set from {@code modelPath}/{@code prefix}-NNNN.params. */
    @Override
    public void load(Path modelPath, String prefix, Map<String, ?> options)
            throws IOException, MalformedModelException {
        if (!Files.exists(modelPath)) {
            throw new IOException("load: model directory " + modelPath + " does not exist");
        }
        setModelDir(modelPath);
        if (block == null) {
            throw new MalformedModelException("load: panagrad loads parameters only (no graph format); set the model's "
                    + "block before loading " + modelPath);
        }
        loadBlock(prefix == null ? modelName : prefix, options);
    }
}
