package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * Collapses dims {@code startDim..endDim} into one (by default all but the batch dim), as a view when the
 * layout allows.
 *
 * <pre>{@code
 * new Flatten().forward(Tensor.zeros(8, 64, 7, 7)).shape();   // [8, 3136]
 * }</pre>
 */
public class Flatten extends Module {
    private final int startDim, endDim;

    /** Flattens dims 1..-1. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dims {@code startDim..endDim}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
