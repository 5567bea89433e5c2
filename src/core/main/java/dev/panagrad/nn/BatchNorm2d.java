package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

/**
 * {@link BatchNorm} over the channels of a 4-D [N, C, H, W] input.
 *
 * <pre>{@code
 * Tensor y = new BatchNorm2d(32).forward(Tensor.randn(8, 32, 28, 28));
 * }</pre>
 */
public class BatchNorm2d extends BatchNorm {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public BatchNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32);
    }

    /** Every setting. */
    public BatchNorm2d(long numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats,
                       DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    protected void checkRank(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d: expected a 4-D [N, C, H, W] input; given " + x.describe());
        }
    }
}
