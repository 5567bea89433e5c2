package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.util.List;

/**
 * One step of a gated recurrent unit, with PyTorch's gate order (reset, update, new) and its placement of
 * b_hn inside the reset product:
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h
 * </pre>
 * recorded as a graph of tensor ops (differentiable to any order).
 *
 * <pre>{@code
 * GRUCell cell = new GRUCell(10, 20);
 * Tensor h2 = cell.forward(x, h);   // x [N, 10], h [N, 20] -> [N, 20]
 * }</pre>
 */
public class GRUCell extends RNNCellBase {

    /** With biases, float32. */
    public GRUCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, DType.FLOAT32);
    }

    /** Every setting. */
    public GRUCell(long inputSize, long hiddenSize, boolean bias, DType dtype) {
        super(inputSize, hiddenSize, 3, bias, dtype);
    }

    /** h' from a zero h. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, zeroState(input));
    }

    /** h' from x {@code [N, in]} (or {@code [in]}) and h {@code [N, H]} (or {@code [H]}). */
    public Tensor forward(Tensor input, Tensor h) {
        checkInput("GRUCell", input, h);
        return gruCell(input, h, weightIh(), weightHh(), biasIh(), biasHh());
    }

    /** Functional form: h'; biases may be null. */
    public static Tensor gruCell(Tensor x, Tensor h, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh) {
        return step(Linear.linear(x, weightIh, biasIh), h, weightHh, biasHh);
    }

    /** The step from the input projection {@code xp = W_ih x + b_ih} {@code [..., 3H]}. */
    static Tensor step(Tensor xp, Tensor h, Tensor weightHh, Tensor biasHh) {
        List<Tensor> gi = xp.chunk(3, -1), gh = Linear.linear(h, weightHh, biasHh).chunk(3, -1);
        Tensor r = gi.get(0).add(gh.get(0)).sigmoid(), z = gi.get(1).add(gh.get(1)).sigmoid();
        Tensor n = gi.get(2).add(r.mul(gh.get(2))).tanh();
        return n.add(z.mul(h.sub(n)));   // (1 - z) * n + z * h
    }
}
