package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * Multi-head attention, as PyTorch's {@code nn.MultiheadAttention}: query, key and value are projected to
 * {@code numHeads} heads of {@code embedDim / numHeads} features, each head runs
 * {@link Attention#scaledDotProduct scaled dot-product attention}, and the concatenated heads go through
 * {@code out_proj}. Inputs are {@code [L, N, E]} (or {@code [N, L, E]} with {@code batchFirst}, or unbatched
 * {@code [L, E]}). Parameters and their initialisation follow PyTorch, so state dicts port:
 * {@code in_proj_weight [3E, E]} (or {@code q_proj_weight}, {@code k_proj_weight}, {@code v_proj_weight} when
 * kdim or vdim differ from E; Xavier uniform), {@code in_proj_bias [3E]} (zeros), {@code out_proj.weight}
 * (Linear's default) and {@code out_proj.bias} (zeros).
 *
 * <pre>{@code
 * MultiheadAttention mha = new MultiheadAttention(64, 8);
 * MultiheadAttention.Output o = mha.forward(q, k, v);   // q [10, 2, 64], k and v [12, 2, 64]
 * o.output();                                           // [10, 2, 64]
 * o.weights();                                          // [2, 10, 12], averaged over the heads
 * }</pre>
 */
public class MultiheadAttention extends Module {
    private final long embedDim, kdim, vdim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final Linear outProj;

    /** The attention output and, when asked for, the attention weights ({@code [N, L, S]} averaged over heads). */
    public record Output(Tensor output, Tensor weights) {}

    /** No dropout, with biases, key and value of size embedDim, sequence-first, float32. */
    public MultiheadAttention(long embedDim, int numHeads) {
        this(embedDim, numHeads, 0, true, embedDim, embedDim, false, DType.FLOAT32);
    }

    /** Every setting; pass {@code embedDim} as kdim and vdim for PyTorch's default (None). */
    public MultiheadAttention(long embedDim, int numHeads, double dropout, boolean bias, long kdim, long vdim,
                              boolean batchFirst, DType dtype) {
        if (embedDim < 1 || numHeads < 1 || embedDim % numHeads != 0 || kdim < 1 || vdim < 1) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by num_heads; given "
                    + "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", kdim=" + kdim + ", vdim=" + vdim
                    + "; expected positive sizes");
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1]; given " + dropout);
        }
        this.embedDim = embedDim;
        this.kdim = kdim;
        this.vdim = vdim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        Generator gen = Generator.global();
        if (sameEmbedDim()) {
            Init.xavierUniform_(registerParameter("in_proj_weight", Tensor.empty(dtype, 3 * embedDim, embedDim)), 1, gen);
        } else {
            Init.xavierUniform_(registerParameter("q_proj_weight", Tensor.empty(dtype, embedDim, embedDim)), 1, gen);
            Init.xavierUniform_(registerParameter("k_proj_weight", Tensor.empty(dtype, embedDim, kdim)), 1, gen);
            Init.xavierUniform_(registerParameter("v_proj_weight", Tensor.empty(dtype, embedDim, vdim)), 1, gen);
        }
        if (bias) registerParameter("in_proj_bias", Tensor.zeros(dtype, 3 * embedDim));
        outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, dtype));
        if (bias) Init.zeros_(outProj.bias());
    }

    private boolean sameEmbedDim() {
        return kdim == embedDim && vdim == embedDim;
    }

    /** {@code [3E, E]}: the query, key and value projections stacked, or null when kdim or vdim differ from E. */
    public Tensor inProjWeight() {
        return parameter("in_proj_weight");
    }

    /** {@code [3E]}, or null without bias. */
    public Tensor inProjBias() {
        return parameter("in_proj_bias");
    }

    /** The output projection {@code E -> E}. */
    public Linear outProj() {
        return outProj;
    }

    /** Self-attention of x (query, key and value all x), without masks; returns the output only. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, input, input, null, false, null, true, false).output();
    }

    /** Attention with the weights averaged over heads, without masks. */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, true, null, true, false);
    }

    /**
     * Attention with every option of PyTorch's forward. {@code keyPaddingMask} {@code [N, S]} (or {@code [S]}
     * unbatched) and {@code attnMask} {@code [L, S]} or {@code [N*numHeads, L, S]} are bool masks where
     * {@code true} means "do not attend", or float masks added to the scores. {@code isCausal} is a hint that
     * attnMask is the causal mask (which must then be given, as in PyTorch). Dropout on the attention weights
     * applies in training mode.
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                          Tensor attnMask, boolean averageAttnWeights, boolean isCausal) {
        if (isCausal && attnMask == null) {
            throw new IllegalArgumentException("MultiheadAttention: Need attn_mask if specifying the is_causal hint; "
                    + "given is_causal=true and no attn_mask");
        }
        boolean batched = query.dim() == 3;
        boolean transpose = batchFirst && batched;
        Tensor q = transpose ? query.transpose(0, 1) : query;
        Tensor k = transpose ? key.transpose(0, 1) : key;
        Tensor v = transpose ? value.transpose(0, 1) : value;
        Tensor w = inProjWeight(), b = inProjBias();
        long e = embedDim;
        Tensor wq = w != null ? w.narrow(0, 0, e) : parameter("q_proj_weight");
        Tensor wk = w != null ? w.narrow(0, e, e) : parameter("k_proj_weight");
        Tensor wv = w != null ? w.narrow(0, 2 * e, e) : parameter("v_proj_weight");
        Output o = multiheadAttention(q, k, v, numHeads, wq, wk, wv, b, outProj.weight(), outProj.bias(),
                keyPaddingMask, attnMask, needWeights, averageAttnWeights, isTraining() ? dropout : 0, null);
        return transpose ? new Output(o.output().transpose(0, 1), o.weights()) : o;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + dropout
                + ", batch_first=" + (batchFirst ? "True" : "False");
    }

    /**
     * Functional multi-head attention of sequence-first query {@code [L, N, E]}, key {@code [S, N, kdim]} and value
     * {@code [S, N, vdim]} (or unbatched {@code [L, E]}, {@code [S, kdim]}, {@code [S, vdim]}): the projections
     * {@code qProjWeight [E, E]}, {@code kProjWeight [E, kdim]}, {@code vProjWeight [E, vdim]} with
     * {@code inProjBias [3E]} (or null), heads of E/numHeads features, then {@code out = linear(heads, outProjWeight,
     * outProjBias)}. Masks as in {@link #forward(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean, boolean)};
     * the weights are returned after dropout, as PyTorch returns them, or null unless {@code needWeights}.
     */
    public static Output multiheadAttention(Tensor query, Tensor key, Tensor value, int numHeads, Tensor qProjWeight,
                                            Tensor kProjWeight, Tensor vProjWeight, Tensor inProjBias,
                                            Tensor outProjWeight, Tensor outProjBias, Tensor keyPaddingMask,
                                            Tensor attnMask, boolean needWeights, boolean averageAttnWeights,
                                            double dropoutP, Generator generator) {
        boolean batched = query.dim() == 3;
        long e = qProjWeight.size(0);
        if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim() || value.dim() != query.dim()
                || key.size(0) != value.size(0) || (batched && (key.size(1) != query.size(1)
                || value.size(1) != query.size(1))) || query.size(-1) != e || numHeads < 1 || e % numHeads != 0) {
            throw new IllegalArgumentException("multiheadAttention: expected query [L, N, E], key [S, N, kdim] and "
                    + "value [S, N, vdim] (or all unbatched, without N) with E = " + e + " divisible by num_heads="
                    + numHeads + "; given query " + query.describe() + ", key " + key.describe() + ", value "
                    + value.describe());
        }
        Tensor q = batched ? query.transpose(0, 1) : query.unsqueeze(0);     // [N, L, E]
        Tensor k = batched ? key.transpose(0, 1) : key.unsqueeze(0);         // [N, S, kdim]
        Tensor v = batched ? value.transpose(0, 1) : value.unsqueeze(0);     // [N, S, vdim]
        long n = q.size(0), l = q.size(1), s = k.size(1), d = e / numHeads;
        Tensor qh = heads(Linear.linear(q, qProjWeight, part(inProjBias, 0, e)), numHeads);
        Tensor kh = heads(Linear.linear(k, kProjWeight, part(inProjBias, 1, e)), numHeads);
        Tensor vh = heads(Linear.linear(v, vProjWeight, part(inProjBias, 2, e)), numHeads);
        Tensor mask = null;
        if (attnMask != null) {
            boolean fits = attnMask.dim() == 2 ? attnMask.size(0) == l && attnMask.size(1) == s
                    : attnMask.dim() == 3 && attnMask.size(0) == n * numHeads && attnMask.size(1) == l
                    && attnMask.size(2) == s;
            if (!fits) {
                throw new IllegalArgumentException("multiheadAttention: attn_mask should be [" + l + ", " + s + "] or ["
                        + n * numHeads + ", " + l + ", " + s + "]; given " + attnMask.describe());
            }
            Tensor m = Attention.additive(attnMask, false, q.dtype());
            mask = attnMask.dim() == 2 ? m : m.reshape(n, numHeads, l, s);
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dim() != (batched ? 2 : 1) || keyPaddingMask.size(-1) != s || keyPaddingMask.numel() != n * s) {
                throw new IllegalArgumentException("multiheadAttention: key_padding_mask should be "
                        + (batched ? "[" + n + ", " + s + "]" : "[" + s + "]") + "; given " + keyPaddingMask.describe());
            }
            Tensor m = Attention.additive(keyPaddingMask, false, q.dtype()).reshape(n, 1, 1, s);
            mask = mask == null ? m : mask.add(m);
        }
        Tensor[] r = Attention.weighted(qh, kh, vh, mask, 1 / Math.sqrt(d), dropoutP, generator);
        Tensor out = Linear.linear(r[0].transpose(1, 2).reshape(n, l, e), outProjWeight, outProjBias);   // [N, L, E]
        out = batched ? out.transpose(0, 1) : out.squeeze(0);
        Tensor weights = null;
        if (needWeights) {
            weights = averageAttnWeights ? r[1].mean(1, false) : r[1];
            if (!batched) weights = weights.squeeze(0);
        }
        return new Output(out, weights);
    }

    /** {@code [N, T, E]} as {@code [N, heads, T, E/heads]}. */
    private static Tensor heads(Tensor x, int numHeads) {
        return x.reshape(x.size(0), x.size(1), numHeads, x.size(2) / numHeads).transpose(1, 2);
    }

    /** Slice {@code i} of size e of the stacked bias, or null. */
    private static Tensor part(Tensor bias, int i, long e) {
        return bias == null ? null : bias.narrow(0, i * e, e);
    }
}
