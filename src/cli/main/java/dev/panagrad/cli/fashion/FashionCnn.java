package dev.panagrad.cli.fashion;

import dev.panagrad.Tensor;
import dev.panagrad.nn.BatchNormReLUMaxPool2d;
import dev.panagrad.nn.Conv2d;
import dev.panagrad.nn.Dropout;
import dev.panagrad.nn.Flatten;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.ReLU;
import dev.panagrad.nn.Sequential;

/**
 * A small convolutional network for 28x28 grey images in 10 classes (Fashion-MNIST): two blocks of
 * 3x3 convolution (padding 1), batch norm, ReLU and 2x2 max pooling (1 -> 32 -> 64 channels, 28 -> 14 -> 7
 * pixels), then 3136 -> 128 -> 10 with ReLU and dropout. Outputs logits. Batch norm, ReLU and pooling run as
 * one {@link BatchNormReLUMaxPool2d}: the same numbers as the three modules (gradients to rounding), without
 * the full-size activations between them.
 *
 * <pre>{@code
 * FashionCnn cnn = new FashionCnn();
 * Tensor logits = cnn.forward(images);   // images [N, 1, 28, 28] (or [N, 784])
 * }</pre>
 */
public class FashionCnn extends Module {
    private final Sequential features, classifier;

    /** With dropout 0.25 before the last layer. */
    public FashionCnn() {
        this(0.25);
    }

    /** With the given dropout probability before the last layer. */
    public FashionCnn(double dropout) {
        features = registerModule("features", new Sequential(
                new Conv2d(1, 32, 3, 1, 1), new BatchNormReLUMaxPool2d(32, 2),
                new Conv2d(32, 64, 3, 1, 1), new BatchNormReLUMaxPool2d(64, 2)));
        classifier = registerModule("classifier", new Sequential(
                new Flatten(), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(dropout), new Linear(128, 10)));
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input.dim() == 2 ? input.reshape(-1, 1, 28, 28) : input;
        return classifier.forward(features.forward(x));
    }
}
