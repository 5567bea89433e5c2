package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * The parameters of a recurrent cell, as PyTorch names and shapes them: {@code weight_ih [gates*H, in]},
 * {@code weight_hh [gates*H, H]}, {@code bias_ih} and {@code bias_hh [gates*H]}, all drawn from
 * U(-1/sqrt(H), 1/sqrt(H)). {@link LSTMCell} and {@link GRUCell} add the gate equations.
 *
 * <pre>{@code
 * RNNCellBase cell = new GRUCell(10, 20);
 * cell.weightIh().shape();   // [60, 10]
 * }</pre>
 */
public abstract class RNNCellBase extends Module {
    private final long inputSize, hiddenSize;

    /** Registers the four parameters for {@code gates} gates. */
    protected RNNCellBase(long inputSize, long hiddenSize, int gates, boolean bias, DType dtype) {
        RNNBase.checkSizes(getClass().getSimpleName(), inputSize, hiddenSize);
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        registerParameter("weight_ih", Tensor.empty(dtype, gates * hiddenSize, inputSize));
        registerParameter("weight_hh", Tensor.empty(dtype, gates * hiddenSize, hiddenSize));
        if (bias) {
            registerParameter("bias_ih", Tensor.empty(dtype, gates * hiddenSize));
            registerParameter("bias_hh", Tensor.empty(dtype, gates * hiddenSize));
        }
        RNNBase.initUniform(parameters(), hiddenSize, Generator.global());
    }

    /** {@code [gates*H, in]}. */
    public Tensor weightIh() {
        return parameter("weight_ih");
    }

    /** {@code [gates*H, H]}. */
    public Tensor weightHh() {
        return parameter("weight_hh");
    }

    /** {@code [gates*H]}, or null without bias. */
    public Tensor biasIh() {
        return parameter("bias_ih");
    }

    /** {@code [gates*H]}, or null without bias. */
    public Tensor biasHh() {
        return parameter("bias_hh");
    }

    /** The hidden size H. */
    public long hiddenSize() {
        return hiddenSize;
    }

    /** A zero state {@code [N, H]} (or {@code [H]} for an unbatched input) matching x. */
    protected Tensor zeroState(Tensor x) {
        return x.dim() == 1 ? Tensor.zeros(x.dtype(), hiddenSize) : Tensor.zeros(x.dtype(), x.size(0), hiddenSize);
    }

    /** Checks x {@code [N, in]} or {@code [in]} and a state {@code [N, H]} or {@code [H]} of the same batch. */
    protected void checkInput(String op, Tensor x, Tensor state) {
        boolean ok = (x.dim() == 1 || x.dim() == 2) && x.size(-1) == inputSize && state.dim() == x.dim()
                && state.size(-1) == hiddenSize && (x.dim() == 1 || state.size(0) == x.size(0));
        if (!ok) {
            throw new IllegalArgumentException(op + ": expected input [N, " + inputSize + "] or [" + inputSize
                    + "] and state [N, " + hiddenSize + "] of the same batch; given input " + x.describe() + ", state "
                    + state.describe());
        }
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (biasIh() == null ? ", bias=False" : "");
    }
}
