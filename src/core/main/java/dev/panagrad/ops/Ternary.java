package dev.panagrad.ops;

import dev.panagrad.Graph;
import dev.panagrad.Tensor;

/**
 * Elementwise ops of three tensors (lerp, addcmul, addcdiv), broadcast together. Each forward is a
 * composition of binary ops run without recording; one node states the three partial derivatives, each
 * summed back to its operand's shape.
 *
 * <pre>{@code
 * Tensor mid = Ternary.lerp(a, b, Tensor.of(0.5));   // same as a.lerp(b, 0.5)
 * }</pre>
 */
public final class Ternary {
    private Ternary() {}

    /** {@code x + w (end - x)}, computed from the nearer end ({@code end - (end - x)(1 - w)} for |w| >= 0.5) as PyTorch. */
    public static Tensor lerp(Tensor x, Tensor end, Tensor weight, String node) {
        Tensor out = Untracked.run(() -> {
            Tensor diff = end.sub(x);
            return Tensor.where(weight.abs().lt(0.5), x.add(weight.mul(diff)), end.sub(diff.mul(weight.rsub(1))));
        });
        long[] sx = x.shape(), se = end.shape(), sw = weight.shape();
        // d/dx = 1 - w, d/dend = w, d/dw = end - x
        return Graph.record(node, out, Graph.of(x, end, weight), Graph.of(x, end, weight), (g, s) -> Graph.of(
                g.mul(s[2].rsub(1)).sumTo(sx), g.mul(s[2]).sumTo(se), g.mul(s[1].sub(s[0])).sumTo(sw)));
    }

    /** {@code x + value * t1 * t2}. */
    public static Tensor addcmul(Tensor x, Tensor t1, Tensor t2, double value) {
        Tensor out = Untracked.run(() -> x.add(t1.mul(value).mul(t2)));
        long[] sx = x.shape(), s1 = t1.shape(), s2 = t2.shape();
        return Graph.record("AddcmulBackward0", out, Graph.of(x, t1, t2), Graph.of(t1, t2), (g, s) -> Graph.of(
                g.sumTo(sx), g.mul(s[1]).mul(value).sumTo(s1), g.mul(s[0]).mul(value).sumTo(s2)));
    }

    /** {@code x + value * t1 / t2}. */
    public static Tensor addcdiv(Tensor x, Tensor t1, Tensor t2, double value) {
        Tensor out = Untracked.run(() -> x.add(t1.mul(value).div(t2)));
        long[] sx = x.shape(), s1 = t1.shape(), s2 = t2.shape();
        // d/dt1 = value / t2, d/dt2 = -value t1 / t2^2
        return Graph.record("AddcdivBackward0", out, Graph.of(x, t1, t2), Graph.of(t1, t2), (g, s) -> Graph.of(
                g.sumTo(sx), g.div(s[1]).mul(value).sumTo(s1), g.mul(s[0]).div(s[1].square()).mul(-value).sumTo(s2)));
    }
}
