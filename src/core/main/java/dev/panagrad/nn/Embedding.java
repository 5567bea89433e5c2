package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * A lookup table: row {@code i} of the weight {@code [numEmbeddings, dim]} is the vector of index i. The
 * weight starts from N(0, 1) as in PyTorch; its gradient adds up the gradients of every lookup of a row.
 *
 * <pre>{@code
 * Embedding emb = new Embedding(1000, 64);
 * Tensor v = emb.forward(Tensor.of(new long[] {3, 1, 3}, 3));   // [3, 64]; rows 0 and 2 are equal
 * }</pre>
 */
public class Embedding extends Module {
    private final long numEmbeddings, embeddingDim;

    /** A float32 table of {@code numEmbeddings} vectors of size {@code embeddingDim}. */
    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, DType.FLOAT32);
    }

    /** A table with the given dtype. */
    public Embedding(long numEmbeddings, long embeddingDim, DType dtype) {
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Init.normal_(registerParameter("weight", Tensor.empty(dtype, numEmbeddings, embeddingDim)), 0, 1,
                Generator.global());
    }

    /** The table {@code [numEmbeddings, embeddingDim]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    @Override
    public Tensor forward(Tensor input) {
        return embedding(input, weight());
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim;
    }

    /** The rows of {@code weight} at the int64 {@code indices}: shape {@code indices.shape + [dim]}. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("embedding: expected int64 indices, given " + indices.describe());
        }
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be 2-D [num, dim]; given " + weight.describe());
        }
        long[] shape = java.util.Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = weight.size(1);
        return weight.indexSelect(0, indices.reshape(-1)).reshape(shape);
    }
}
