package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.panagrad.nn.NumericGrad.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scaled dot-product and multi-head attention against plain double-precision loops, gradients, masks, errors. */
class AttentionTest {

    /**
     * For each of b batches: p = softmax_j(scale * q_i . k_j + mask[i, j]) and out_i = sum_j p_j v_j; q [b, l, e],
     * k [b, s, e], v [b, s, ev], mask [b, l, s] (or null), all row-major. Returns out [b, l, ev] then p [b, l, s].
     */
    private static double[][] attentionLoops(double[] q, double[] k, double[] v, double[] mask, int b, int l, int s,
                                             int e, int ev, double scale) {
        double[] out = new double[b * l * ev], probs = new double[b * l * s];
        for (int n = 0; n < b; n++) for (int i = 0; i < l; i++) {
            double[] p = new double[s];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < s; j++) {
                double dot = 0;
                for (int f = 0; f < e; f++) dot += q[(n * l + i) * e + f] * k[(n * s + j) * e + f];
                p[j] = dot * scale + (mask == null ? 0 : mask[(n * l + i) * s + j]);
                max = Math.max(max, p[j]);
            }
            for (int j = 0; j < s; j++) sum += p[j] = Math.exp(p[j] - max);
            for (int j = 0; j < s; j++) {
                probs[(n * l + i) * s + j] = p[j] / sum;
                for (int f = 0; f < ev; f++) out[(n * l + i) * ev + f] += p[j] / sum * v[(n * s + j) * ev + f];
            }
        }
        return new double[][] {out, probs};
    }

    /** A bool mask as 0 where {@code keepValue} and -inf elsewhere, broadcast to {@code shape}. */
    private static double[] additive(Tensor mask, boolean keepValue, long... shape) {
        double[] m = mask.expand(shape).to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < m.length; i++) m[i] = (m[i] != 0) == keepValue ? 0 : Double.NEGATIVE_INFINITY;
        return m;
    }

    private static Tensor boolMask(long seed, long... shape) {
        return new Generator(seed).rand(DType.FLOAT64, shape).gt(0.3);
    }

    // ---------------------------------------------------------------- scaled dot-product

    @Test
    void scaledDotProductMatchesLoops() {
        Tensor q = leaf(1, 2, 3, 4, 5), k = leaf(2, 2, 3, 6, 5), v = leaf(3, 2, 3, 6, 7);   // batch [2, 3], L 4, S 6
        double[] qs = q.toDoubleArray(), ks = k.toDoubleArray(), vs = v.toDoubleArray();
        double scale = 1 / Math.sqrt(5);
        Tensor y = Attention.scaledDotProduct(q, k, v);
        assertArrayEquals(new long[] {2, 3, 4, 7}, y.shape());
        assertArrayEquals(attentionLoops(qs, ks, vs, null, 6, 4, 6, 5, 7, scale)[0], y.toDoubleArray(), 1e-12);

        Tensor keep = boolMask(4, 4, 6);                                        // [L, S], broadcast over the batch
        keep = Tensor.where(Tensor.arange(DType.INT64, 0, 6, 1).eq(0), Tensor.ones(DType.BOOL, 6), keep);   // no empty row
        assertArrayEquals(attentionLoops(qs, ks, vs, additive(keep, true, 2, 3, 4, 6), 6, 4, 6, 5, 7, 0.7)[0],
                Attention.scaledDotProduct(q, k, v, keep, false, 0.7).toDoubleArray(), 1e-12);

        Tensor bias = leaf(5, 3, 1, 6);                                         // float mask, broadcast over L
        double[] m = bias.expand(2, 3, 4, 6).toDoubleArray();
        assertArrayEquals(attentionLoops(qs, ks, vs, m, 6, 4, 6, 5, 7, scale)[0],
                Attention.scaledDotProduct(q, k, v, bias, false, null).toDoubleArray(), 1e-12);

        // causal: query i sees keys 0..i (top-left aligned when L != S)
        double[] causal = new double[2 * 3 * 4 * 6];
        for (int b = 0; b < 6; b++) for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) {
            causal[(b * 4 + i) * 6 + j] = j <= i ? 0 : Double.NEGATIVE_INFINITY;
        }
        assertArrayEquals(attentionLoops(qs, ks, vs, causal, 6, 4, 6, 5, 7, scale)[0],
                Attention.scaledDotProduct(q, k, v, null, true, null).toDoubleArray(), 1e-12);
    }

    @Test
    void scaledDotProductGradientsFirstAndSecondOrder() {
        Tensor mask = leaf(4, 3, 4).requiresGrad(false);
        Gradcheck.gradcheck(in -> Attention.scaledDotProduct(in[0], in[1], in[2], mask, false, null),
                leaf(1, 2, 3, 2), leaf(2, 2, 4, 2), leaf(3, 2, 4, 3));
        Gradcheck.gradcheck(in -> Attention.scaledDotProduct(in[0], in[1], in[2], null, true, 0.5),
                leaf(5, 3, 2), leaf(6, 3, 2), leaf(7, 3, 2));
        Gradcheck.gradgradcheck(in -> Attention.scaledDotProduct(in[0], in[1], in[2], null, true, null),
                leaf(8, 1, 3, 2), leaf(9, 1, 3, 2), leaf(10, 1, 3, 2));
    }

    @Test
    void scaledDotProductDropoutKeepsTheExpectation() {
        // dropout zeroes weights with probability p and scales the rest by 1/(1-p): the mean over many draws of
        // the output approaches the output without dropout
        Tensor q = leaf(1, 2, 3), k = leaf(2, 4, 3), v = leaf(3, 4, 2);
        Tensor plain = Attention.scaledDotProduct(q, k, v);
        Generator gen = new Generator(11);
        Tensor sum = Tensor.zeros(DType.FLOAT64, 2, 2);
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            sum = sum.add(Attention.scaledDotProduct(q, k, v, null, 0.3, false, null, gen).detach());
        }
        assertArrayEquals(plain.toDoubleArray(), sum.div(draws).toDoubleArray(), 0.1);
    }

    @Test
    void scaledDotProductBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProduct(Tensor.zeros(2, 3), Tensor.zeros(4, 5), Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().startsWith("scaledDotProduct: expected query [..., L, E], key [..., S, E]"));
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(Tensor.zeros(2, 3),
                Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.ones(DType.BOOL, 2, 2), true, null));
        assertTrue(e.getMessage().startsWith("scaledDotProduct: Explicit attn_mask should not be set when is_causal=True"));
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(Tensor.zeros(2, 3),
                Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(DType.INT64, 2, 2), false, null));
        assertTrue(e.getMessage().startsWith("attention: expected a bool mask or a float mask of dtype float32"));
    }

    // ---------------------------------------------------------------- multi-head attention

    /** rows x W^T + b for x [rows, in], W [out, in], b [out] or null. */
    private static double[] linearLoops(double[] x, int rows, int in, double[] w, int out, double[] b, int bOffset) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) {
            double acc = b == null ? 0 : b[bOffset + o];
            for (int i = 0; i < in; i++) acc += x[r * in + i] * w[o * in + i];
            y[r * out + o] = acc;
        }
        return y;
    }

    /**
     * PyTorch's multi-head attention for batch-first inputs q [n, l, e], k [n, s, kd], v [n, s, vd], with weights
     * wq/wk/wv, stacked bias [3e], out projection and an additive mask [n, heads, l, s]. Returns {out [n, l, e],
     * weights [n, heads, l, s]}.
     */
    private static double[][] mhaLoops(double[] q, double[] k, double[] v, int n, int l, int s, int e, int kd, int vd,
                                       int heads, double[] wq, double[] wk, double[] wv, double[] inBias, double[] wo,
                                       double[] bo, double[] mask) {
        int d = e / heads;
        double[] qp = linearLoops(q, n * l, e, wq, e, inBias, 0), kp = linearLoops(k, n * s, kd, wk, e, inBias, e);
        double[] vp = linearLoops(v, n * s, vd, wv, e, inBias, 2 * e);
        double[] concat = new double[n * l * e], weights = new double[n * heads * l * s];
        for (int b = 0; b < n; b++) for (int h = 0; h < heads; h++) {
            double[] qh = new double[l * d], kh = new double[s * d], vh = new double[s * d], mh = new double[l * s];
            for (int i = 0; i < l; i++) for (int f = 0; f < d; f++) qh[i * d + f] = qp[(b * l + i) * e + h * d + f];
            for (int j = 0; j < s; j++) for (int f = 0; f < d; f++) {
                kh[j * d + f] = kp[(b * s + j) * e + h * d + f];
                vh[j * d + f] = vp[(b * s + j) * e + h * d + f];
            }
            if (mask != null) System.arraycopy(mask, (b * heads + h) * l * s, mh, 0, l * s);
            double[][] r = attentionLoops(qh, kh, vh, mh, 1, l, s, d, d, 1 / Math.sqrt(d));
            for (int i = 0; i < l; i++) for (int f = 0; f < d; f++) concat[(b * l + i) * e + h * d + f] = r[0][i * d + f];
            System.arraycopy(r[1], 0, weights, (b * heads + h) * l * s, l * s);
        }
        return new double[][] {linearLoops(concat, n * l, e, wo, e, bo, 0), weights};
    }

    private static MultiheadAttention mha(long e, int heads, long kdim, long vdim, boolean batchFirst) {
        MultiheadAttention m = new MultiheadAttention(e, heads, 0, true, kdim, vdim, batchFirst, DType.FLOAT64);
        Generator gen = new Generator(21);
        for (Tensor b : List.of(m.inProjBias(), m.outProj().bias())) Init.normal_(b, 0, 0.3, gen);   // non-zero biases
        return m;
    }

    @Test
    void multiheadAttentionMatchesLoopsWithMasks() {
        int l = 3, s = 4, n = 2, e = 6, heads = 3;
        MultiheadAttention m = mha(e, heads, e, e, false);
        Tensor q = leaf(1, l, n, e), k = leaf(2, s, n, e), v = leaf(3, s, n, e);
        Tensor attnMask = boolMask(4, l, s).logicalNot();                        // true: may not attend
        attnMask = Tensor.where(Tensor.arange(DType.INT64, 0, s, 1).eq(1), Tensor.zeros(DType.BOOL, s), attnMask);
        Tensor padding = Tensor.of(new boolean[] {false, false, true, false, false, false, false, true}, n, s);
        MultiheadAttention.Output o = m.forward(q, k, v, padding, true, attnMask, false, false);

        double[] mask = additive(attnMask, false, n, heads, l, s), pad = additive(padding.view(n, 1, 1, s), false, n,
                heads, l, s);
        for (int i = 0; i < mask.length; i++) mask[i] += pad[i];
        double[] w = m.inProjWeight().toDoubleArray();
        double[][] ref = mhaLoops(q.transpose(0, 1).toDoubleArray(), k.transpose(0, 1).toDoubleArray(),
                v.transpose(0, 1).toDoubleArray(), n, l, s, e, e, e, heads, java.util.Arrays.copyOfRange(w, 0, e * e),
                java.util.Arrays.copyOfRange(w, e * e, 2 * e * e), java.util.Arrays.copyOfRange(w, 2 * e * e, 3 * e * e),
                m.inProjBias().toDoubleArray(), m.outProj().weight().toDoubleArray(),
                m.outProj().bias().toDoubleArray(), mask);
        assertArrayEquals(new long[] {l, n, e}, o.output().shape());
        assertArrayEquals(ref[0], o.output().transpose(0, 1).toDoubleArray(), 1e-12);
        assertArrayEquals(new long[] {n, heads, l, s}, o.weights().shape());
        assertArrayEquals(ref[1], o.weights().toDoubleArray(), 1e-12);

        // averaged weights; a float [N*heads, L, S] mask adds to the scores
        Tensor floatMask = leaf(9, n * heads, l, s).requiresGrad(false);
        MultiheadAttention.Output avg = m.forward(q, k, v, null, true, floatMask, true, false);
        double[][] ref2 = mhaLoops(q.transpose(0, 1).toDoubleArray(), k.transpose(0, 1).toDoubleArray(),
                v.transpose(0, 1).toDoubleArray(), n, l, s, e, e, e, heads, java.util.Arrays.copyOfRange(w, 0, e * e),
                java.util.Arrays.copyOfRange(w, e * e, 2 * e * e), java.util.Arrays.copyOfRange(w, 2 * e * e, 3 * e * e),
                m.inProjBias().toDoubleArray(), m.outProj().weight().toDoubleArray(),
                m.outProj().bias().toDoubleArray(), floatMask.toDoubleArray());
        assertArrayEquals(ref2[0], avg.output().transpose(0, 1).toDoubleArray(), 1e-12);
        double[] mean = new double[n * l * s];
        for (int b = 0; b < n; b++) for (int h = 0; h < heads; h++) for (int i = 0; i < l * s; i++) {
            mean[b * l * s + i] += ref2[1][(b * heads + h) * l * s + i] / heads;
        }
        assertArrayEquals(mean, avg.weights().toDoubleArray(), 1e-12);
        assertNull(m.forward(q, k, v, null, false, null, true, false).weights());
    }

    @Test
    void multiheadAttentionWithOtherKeyAndValueSizes() {
        int l = 2, s = 3, n = 2, e = 4, heads = 2, kd = 5, vd = 3;
        MultiheadAttention m = mha(e, heads, kd, vd, true);
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight",
                "out_proj.bias"), List.copyOf(m.stateDict().keySet()));
        Tensor q = leaf(1, n, l, e), k = leaf(2, n, s, kd), v = leaf(3, n, s, vd);   // batch first
        MultiheadAttention.Output o = m.forward(q, k, v);
        var p = m.stateDict();
        double[][] ref = mhaLoops(q.toDoubleArray(), k.toDoubleArray(), v.toDoubleArray(), n, l, s, e, kd, vd, heads,
                p.get("q_proj_weight").toDoubleArray(), p.get("k_proj_weight").toDoubleArray(),
                p.get("v_proj_weight").toDoubleArray(), m.inProjBias().toDoubleArray(),
                m.outProj().weight().toDoubleArray(), m.outProj().bias().toDoubleArray(), null);
        assertArrayEquals(new long[] {n, l, e}, o.output().shape());
        assertArrayEquals(ref[0], o.output().toDoubleArray(), 1e-12);
    }

    @Test
    void multiheadAttentionLayoutsAgree() {
        MultiheadAttention seqFirst = mha(4, 2, 4, 4, false), batchFirst = mha(4, 2, 4, 4, true);
        batchFirst.loadStateDict(seqFirst.stateDict());
        Tensor x = leaf(1, 3, 2, 4);                                            // [L, N, E]
        Tensor a = seqFirst.forward(x), b = batchFirst.forward(x.transpose(0, 1));
        assertArrayEquals(a.transpose(0, 1).toDoubleArray(), b.toDoubleArray(), 1e-12);
        MultiheadAttention.Output un = seqFirst.forward(x.select(1, 1), x.select(1, 1), x.select(1, 1));   // unbatched
        assertArrayEquals(new long[] {3, 4}, un.output().shape());
        assertArrayEquals(new long[] {3, 3}, un.weights().shape());
        assertArrayEquals(a.select(1, 1).toDoubleArray(), un.output().toDoubleArray(), 1e-12);
    }

    @Test
    void multiheadAttentionParametersAndInitialisationAsPyTorch() {
        MultiheadAttention m = new MultiheadAttention(8, 2);
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new long[] {24, 8}, m.inProjWeight().shape());
        assertEquals(0, m.inProjBias().abs().max().item());
        assertEquals(0, m.outProj().bias().abs().max().item());
        double xavier = Math.sqrt(6.0 / (8 + 24)), linear = 1 / Math.sqrt(8);   // Xavier on [3E, E]; Linear's default
        assertTrue(m.inProjWeight().abs().max().item() <= xavier);
        assertTrue(m.inProjWeight().abs().max().item() > linear);
        assertTrue(m.outProj().weight().abs().max().item() <= linear);
        assertEquals("MultiheadAttention(\n  embed_dim=8, num_heads=2, dropout=0.0, batch_first=False\n"
                + "  (out_proj): Linear(in_features=8, out_features=8, bias=True)\n)", m.toString());
    }

    @Test
    void multiheadAttentionGradients() {
        MultiheadAttention m = mha(4, 2, 4, 4, false);
        Tensor padding = Tensor.of(new boolean[] {false, true, false}, 1, 3);
        Tensor[] params = m.parameters().toArray(new Tensor[0]);
        Gradcheck.gradcheck(in -> MultiheadAttention.multiheadAttention(in[0], in[1], in[2], 2,
                        in[3].narrow(0, 0, 4), in[3].narrow(0, 4, 4), in[3].narrow(0, 8, 4), in[4], in[5], in[6],
                        padding, null, true, true, 0, null).output(),
                leaf(1, 2, 1, 4), leaf(2, 3, 1, 4), leaf(3, 3, 1, 4), params[0], params[1], params[2], params[3]);
        Gradcheck.gradcheck(in -> m.forward(in[0], in[0], in[0], null, true, null, true, false).weights(),
                leaf(4, 3, 1, 4));
        Gradcheck.gradgradcheck(in -> MultiheadAttention.multiheadAttention(in[0], in[0], in[0], 2,
                in[1].narrow(0, 0, 4), in[1].narrow(0, 4, 4), in[1].narrow(0, 8, 4), null, in[2], null, null, null,
                false, true, 0, null).output(), leaf(5, 2, 1, 4), leaf(6, 12, 4), leaf(7, 4, 4));
    }

    @Test
    void multiheadAttentionBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4));
        assertTrue(e.getMessage().startsWith("MultiheadAttention: embed_dim must be divisible by num_heads"));
        MultiheadAttention m = new MultiheadAttention(4, 2);
        Tensor x = Tensor.zeros(3, 2, 4);
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(x, x, x, null, true, null, true, true));
        assertTrue(e.getMessage().startsWith("MultiheadAttention: Need attn_mask if specifying the is_causal hint"));
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(3, 2, 5)));
        assertTrue(e.getMessage().startsWith("multiheadAttention: expected query [L, N, E]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(x, x, x, null, true, Tensor.zeros(DType.BOOL, 2, 2), true, false));
        assertTrue(e.getMessage().startsWith("multiheadAttention: attn_mask should be [3, 3] or [4, 3, 3]"));
        e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(x, x, x, Tensor.zeros(DType.BOOL, 3, 2), true, null, true, false));
        assertTrue(e.getMessage().startsWith("multiheadAttention: key_padding_mask should be [2, 3]"));
    }
}
