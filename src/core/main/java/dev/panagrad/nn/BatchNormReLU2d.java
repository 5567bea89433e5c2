package dev.panagrad.nn;

import dev.panagrad.DType;

/**
 * {@link BatchNorm2d} followed by ReLU, fused into batch norm's passes ({@link BatchNorm#batchNormRelu}): the
 * same values, gradients and state dict as {@code new BatchNorm2d(c)} then {@code new ReLU()}, with two fewer
 * passes over the activations forward and three fewer backward.
 *
 * <pre>{@code
 * Sequential block = new Sequential(new Conv2d(1, 32, 3, 1, 1), new BatchNormReLU2d(32), new MaxPool2d(2));
 * Tensor y = block.forward(Tensor.randn(8, 1, 28, 28));   // [8, 32, 14, 14], every value >= 0
 * }</pre>
 */
public class BatchNormReLU2d extends BatchNorm2d {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, float32. */
    public BatchNormReLU2d(long numFeatures) {
        super(numFeatures);
    }

    /** Every setting. */
    public BatchNormReLU2d(long numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats,
                           DType dtype) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    protected boolean fusesRelu() {
        return true;
    }
}
