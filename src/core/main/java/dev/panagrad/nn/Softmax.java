package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * Softmax along a dim: {@code y_i = exp(x_i) / sum_j exp(x_j)}.
 *
 * <pre>{@code
 * Tensor probs = new Softmax(1).forward(logits);   // rows sum to 1
 * }</pre>
 */
public class Softmax extends Module {
    private final int dim;

    /** Softmax along {@code dim} (negative counts from the end). */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
