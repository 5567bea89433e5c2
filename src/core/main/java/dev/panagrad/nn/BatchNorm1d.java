package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

/**
 * {@link BatchNorm} over the channels of a 2-D [N, C] or 3-D [N, C, L] input.
 *
 * <pre>{@code
 * Tensor y = new BatchNorm1d(64).forward(Tensor.randn(16, 64));
 * }</pre>
 */
public class BatchNorm1d extends BatchNorm {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32);
    }

    /** Every setting. */
    public BatchNorm1d(long numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats,
                       DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    protected void checkRank(Tensor x) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input; given " + x.describe());
        }
    }
}
