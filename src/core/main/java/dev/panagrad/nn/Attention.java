package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * Scaled dot-product attention, as PyTorch's {@code scaled_dot_product_attention}:
 * {@code softmax(q k^T * scale + mask) v} over the last two dims, with any leading batch dims (broadcast).
 * A bool mask marks with {@code true} the keys a query may attend to; a floating mask is added to the
 * scores; {@code isCausal} lets query i see keys 0..i only. Built from matmul and softmax, so it is
 * differentiable to any order.
 *
 * <pre>{@code
 * Tensor q = Tensor.randn(2, 8, 10, 64), k = Tensor.randn(2, 8, 12, 64), v = Tensor.randn(2, 8, 12, 32);
 * Tensor y = Attention.scaledDotProduct(q, k, v);                    // [2, 8, 10, 32]
 * Tensor c = Attention.scaledDotProduct(q, q, q, null, true, null);   // causal self-attention
 * }</pre>
 */
public final class Attention {
    private Attention() {}

    /** No mask, not causal, scale 1/sqrt(E). */
    public static Tensor scaledDotProduct(Tensor query, Tensor key, Tensor value) {
        return scaledDotProduct(query, key, value, null, false, null);
    }

    /** Without dropout; {@code scale} null means 1/sqrt(E). */
    public static Tensor scaledDotProduct(Tensor query, Tensor key, Tensor value, Tensor attnMask, boolean isCausal,
                                          Double scale) {
        return scaledDotProduct(query, key, value, attnMask, 0, isCausal, scale, null);
    }

    /**
     * Attention of query {@code [..., L, E]} over key {@code [..., S, E]} and value {@code [..., S, Ev]}, giving
     * {@code [..., L, Ev]}. {@code attnMask} (bool or of the query's dtype) broadcasts to {@code [..., L, S]};
     * {@code dropoutP} drops attention weights with {@code generator} (null: the global one).
     */
    public static Tensor scaledDotProduct(Tensor query, Tensor key, Tensor value, Tensor attnMask, double dropoutP,
                                          boolean isCausal, Double scale, Generator generator) {
        check(query, key, value);
        if (isCausal && attnMask != null) {
            throw new IllegalArgumentException("scaledDotProduct: Explicit attn_mask should not be set when "
                    + "is_causal=True; given attn_mask " + attnMask.describe());
        }
        if (!(dropoutP >= 0 && dropoutP <= 1)) {
            throw new IllegalArgumentException("scaledDotProduct: dropout_p must be in [0, 1]; given " + dropoutP);
        }
        long l = query.size(-2), s = key.size(-2);
        Tensor mask = isCausal ? additive(causalMask(l, s), true, query.dtype())
                : attnMask == null ? null : additive(attnMask, true, query.dtype());
        double sc = scale != null ? scale : 1 / Math.sqrt(query.size(-1));
        return weighted(query, key, value, mask, sc, dropoutP, generator)[0];
    }

    /**
     * {out, weights}: weights = dropout(softmax(q k^T * scale + mask)), out = weights v. The mask, if any, is
     * additive (0 or -inf, or any float) and broadcasts to the scores.
     */
    static Tensor[] weighted(Tensor q, Tensor k, Tensor v, Tensor additiveMask, double scale, double dropoutP,
                             Generator generator) {
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(scale);
        if (additiveMask != null) scores = scores.add(additiveMask);
        Tensor w = scores.softmax(-1);
        if (dropoutP > 0) w = Dropout.dropout(w, dropoutP, true, generator == null ? Generator.global() : generator);
        return new Tensor[] {w.matmul(v), w};
    }

    /**
     * A mask as an additive float mask of {@code dtype}: a bool mask becomes 0 where a position takes part and
     * -inf where it does not ({@code trueKeeps} says which value of the bool means "takes part"); a floating
     * mask is used as it is.
     */
    static Tensor additive(Tensor mask, boolean trueKeeps, DType dtype) {
        if (mask.dtype() == DType.BOOL) {
            Tensor masked = trueKeeps ? mask.logicalNot() : mask;
            return Tensor.zeros(dtype, mask.shape()).maskedFill(masked, Double.NEGATIVE_INFINITY);
        }
        if (mask.dtype() != dtype) {
            throw new IllegalArgumentException("attention: expected a bool mask or a float mask of dtype " + dtype
                    + " like the query; given " + mask.describe());
        }
        return mask;
    }

    /** {@code [l, s]}, true where key j may be seen by query i (j <= i), as PyTorch's top-left causal mask. */
    static Tensor causalMask(long l, long s) {
        boolean[] keep = new boolean[Math.toIntExact(l * s)];
        for (int i = 0; i < l; i++) for (int j = 0; j <= i && j < s; j++) keep[(int) (i * s + j)] = true;
        return Tensor.of(keep, l, s);
    }

    private static void check(Tensor q, Tensor k, Tensor v) {
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)
                || !q.dtype().isFloating() || q.dtype() != k.dtype() || q.dtype() != v.dtype()) {
            throw new IllegalArgumentException("scaledDotProduct: expected query [..., L, E], key [..., S, E] and "
                    + "value [..., S, Ev] of one floating dtype; given query " + q.describe() + ", key " + k.describe()
                    + ", value " + v.describe());
        }
    }
}
