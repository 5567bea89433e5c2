package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;

import java.util.List;

/**
 * One step of a gated recurrent unit, with PyTorch's gate order (reset, update, new) and its placement of
 * b_hn inside the reset product:
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)      z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   h' = (1 - z) * n + z * h
 * </pre>
 * recorded as one graph node whose derivative is written with tensor ops (differentiable to any order).
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
        return cell(xp, Linear.linear(h, weightHh, biasHh), h);
    }

    /**
     * h' from the input and hidden projections {@code [..., 3H]} and h, as one graph node instead of a dozen. Its
     * derivative, written with tensor ops from the recomputed gates (so it is differentiable again):
     * {@code dn = g (1 - z) (1 - n^2)}, {@code dz = g (h - n) z (1 - z)}, {@code dr = dn hp_n r (1 - r)};
     * {@code dxp = [dr, dz, dn]}, {@code dhp = [dr, dz, dn r]}, {@code dh = g z}.
     */
    static Tensor cell(Tensor xp, Tensor hp, Tensor h) {
        Tensor out;
        try (var off = GradMode.noGrad()) {
            Tensor[] a = activations(xp.detach(), hp.detach());
            out = a[2].add(a[1].mul(h.detach().sub(a[2])));   // (1 - z) * n + z * h
        }
        return Graph.record("GruCellBackward0", out, Graph.of(xp, hp, h), Graph.of(xp, hp, h), (g, s) -> {
            Tensor[] a = activations(s[0], s[1]);
            Tensor r = a[0], z = a[1], n = a[2];
            Tensor dn = g.mul(z.rsub(1)).mul(n.square().rsub(1));
            Tensor dz = g.mul(s[2].sub(n)).mul(z.mul(z.rsub(1)));
            Tensor dr = dn.mul(s[1].chunk(3, -1).get(2)).mul(r.mul(r.rsub(1)));
            return Graph.of(Tensor.cat(List.of(dr, dz, dn), -1), Tensor.cat(List.of(dr, dz, dn.mul(r)), -1),
                    s[2].requiresGrad() ? g.mul(z) : null);
        });
    }

    /** {r, z, n} from the input and hidden projections. */
    private static Tensor[] activations(Tensor xp, Tensor hp) {
        List<Tensor> gi = xp.chunk(3, -1), gh = hp.chunk(3, -1);
        Tensor r = gi.get(0).add(gh.get(0)).sigmoid(), z = gi.get(1).add(gh.get(1)).sigmoid();
        return new Tensor[] {r, z, gi.get(2).add(r.mul(gh.get(2))).tanh()};
    }
}
