package dev.panagrad.cli.fashion;

import dev.panagrad.Tensor;
import dev.panagrad.nn.Dropout;
import dev.panagrad.nn.Flatten;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.ReLU;
import dev.panagrad.nn.Sequential;

/**
 * A multilayer perceptron for 28x28 grey images in 10 classes (Fashion-MNIST): flatten, then
 * 784 -> hidden1 -> hidden2 -> 10 with ReLU and dropout between the linear layers. Outputs logits.
 *
 * <pre>{@code
 * FashionMlp mlp = new FashionMlp();                   // 784-512-512-10, dropout 0.2
 * Tensor logits = mlp.forward(images);                 // images [N, 1, 28, 28] or [N, 784]
 * Tensor loss = Losses.crossEntropy(logits, labels);
 * }</pre>
 */
public class FashionMlp extends Module {
    private final Sequential layers;

    /** 784-512-512-10 with dropout 0.2. */
    public FashionMlp() {
        this(512, 512, 0.2);
    }

    /** 784-hidden1-hidden2-10 with the given dropout probability. */
    public FashionMlp(long hidden1, long hidden2, double dropout) {
        layers = registerModule("layers", new Sequential(
                new Flatten(),
                new Linear(784, hidden1), new ReLU(), new Dropout(dropout),
                new Linear(hidden1, hidden2), new ReLU(), new Dropout(dropout),
                new Linear(hidden2, 10)));
    }

    @Override
    public Tensor forward(Tensor input) {
        return layers.forward(input);
    }
}
