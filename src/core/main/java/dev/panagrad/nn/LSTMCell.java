package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.util.List;

/**
 * One step of a long short-term memory cell, with PyTorch's gate order (input, forget, cell, output):
 * <pre>
 * i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)         o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 * c' = f * c + i * g                              h' = o * tanh(c')
 * </pre>
 * recorded as a graph of tensor ops (differentiable to any order).
 *
 * <pre>{@code
 * LSTMCell cell = new LSTMCell(10, 20);
 * Tensor[] hc = cell.forward(x, h, c);   // x [N, 10], h and c [N, 20] -> {h', c'}
 * }</pre>
 */
public class LSTMCell extends RNNCellBase {

    /** With biases, float32. */
    public LSTMCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, DType.FLOAT32);
    }

    /** Every setting. */
    public LSTMCell(long inputSize, long hiddenSize, boolean bias, DType dtype) {
        super(inputSize, hiddenSize, 4, bias, dtype);
    }

    /** h' from zero h and c. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor zero = zeroState(input);
        return forward(input, zero, zero)[0];
    }

    /** {h', c'} from x {@code [N, in]} (or {@code [in]}) and h, c {@code [N, H]} (or {@code [H]}). */
    public Tensor[] forward(Tensor input, Tensor h, Tensor c) {
        checkInput("LSTMCell", input, h);
        checkInput("LSTMCell", input, c);
        return lstmCell(input, h, c, weightIh(), weightHh(), biasIh(), biasHh());
    }

    /** Functional form: {h', c'}; biases may be null. */
    public static Tensor[] lstmCell(Tensor x, Tensor h, Tensor c, Tensor weightIh, Tensor weightHh, Tensor biasIh,
                                    Tensor biasHh) {
        return step(Linear.linear(x, weightIh, biasIh), h, c, weightHh, biasHh);
    }

    /** The step from the input projection {@code xp = W_ih x + b_ih} {@code [..., 4H]}. */
    static Tensor[] step(Tensor xp, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh) {
        List<Tensor> gates = xp.add(Linear.linear(h, weightHh, biasHh)).chunk(4, -1);
        Tensor i = gates.get(0).sigmoid(), f = gates.get(1).sigmoid();
        Tensor g = gates.get(2).tanh(), o = gates.get(3).sigmoid();
        Tensor c2 = f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(c2.tanh()), c2};
    }
}
