package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;

import java.util.List;

/**
 * One step of a long short-term memory cell, with PyTorch's gate order (input, forget, cell, output):
 * <pre>
 * i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)         o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 * c' = f * c + i * g                              h' = o * tanh(c')
 * </pre>
 * recorded as one graph node whose derivative is written with tensor ops (differentiable to any order).
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
        return cell(xp.add(Linear.linear(h, weightHh, biasHh)), c);
    }

    /**
     * {h', c'} from the gate pre-activations {@code [..., 4H]} and c, as one graph node instead of a dozen. Its
     * derivative, written with tensor ops from the recomputed gates (so it is differentiable again), with
     * {@code dc' = gc + gh * o * (1 - tanh(c')^2)}: {@code di = dc' g i (1 - i)}, {@code df = dc' c f (1 - f)},
     * {@code dg = dc' i (1 - g^2)}, {@code do = gh tanh(c') o (1 - o)}, {@code dc = dc' f}.
     */
    static Tensor[] cell(Tensor pre, Tensor c) {
        Tensor[] out;
        try (var off = GradMode.noGrad()) {
            Tensor[] a = activations(pre.detach(), c.detach());
            out = new Tensor[] {a[3].mul(a[4]), a[5]};
        }
        return Graph.recordMulti("LstmCellBackward0", out, Graph.of(pre, c), Graph.of(pre, c), (g, s) -> {
            Tensor[] a = activations(s[0], s[1]);
            Tensor i = a[0], f = a[1], gg = a[2], o = a[3], tc = a[4];
            Tensor dc = g[1] != null ? g[1] : tc.zerosLike();
            if (g[0] != null) dc = dc.add(g[0].mul(o).mul(tc.square().rsub(1)));
            Tensor dpre = Tensor.cat(List.of(dc.mul(gg).mul(i.mul(i.rsub(1))), dc.mul(s[1]).mul(f.mul(f.rsub(1))),
                    dc.mul(i).mul(gg.square().rsub(1)),
                    g[0] == null ? o.zerosLike() : g[0].mul(tc).mul(o.mul(o.rsub(1)))), -1);
            return Graph.of(dpre, s[1].requiresGrad() ? dc.mul(f) : null);
        });
    }

    /** {i, f, g, o, tanh(c'), c'} from the pre-activations and c. */
    private static Tensor[] activations(Tensor pre, Tensor c) {
        List<Tensor> q = pre.chunk(4, -1);
        Tensor i = q.get(0).sigmoid(), f = q.get(1).sigmoid(), g = q.get(2).tanh(), o = q.get(3).sigmoid();
        Tensor c2 = f.mul(c).add(i.mul(g));
        return new Tensor[] {i, f, g, o, c2.tanh(), c2};
    }
}
