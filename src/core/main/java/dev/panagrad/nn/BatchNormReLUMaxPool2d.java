package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;

/**
 * {@link BatchNormReLU2d} followed by {@link MaxPool2d}: the same outputs (bit for bit), running statistics
 * and state dict as the two modules, with gradients equal to theirs up to rounding. In training with 2x2
 * windows at stride 2 (the usual pooling) the three run as one op, which never writes the full-size
 * activations between them, forward or backward ({@link BatchNormReluPool}); so do they in evaluation where no
 * gradient is recorded (under {@code GradMode.noGrad()}, or where nothing requires grad); otherwise the two
 * modules' ops run one after the other.
 *
 * <pre>{@code
 * Sequential block = new Sequential(new Conv2d(1, 32, 3, 1, 1), new BatchNormReLUMaxPool2d(32, 2));
 * Tensor y = block.forward(Tensor.randn(8, 1, 28, 28));   // [8, 32, 14, 14], every value >= 0
 * }</pre>
 */
public class BatchNormReLUMaxPool2d extends BatchNormReLU2d {
    private final int[] kernelSize, stride, padding, dilation;

    /**
     * eps 1e-5, momentum 0.1, affine, tracking running statistics, float32; a square pooling window with stride
     * equal to its size.
     */
    public BatchNormReLUMaxPool2d(long numFeatures, int kernelSize) {
        this(numFeatures, 1e-5, 0.1, true, true, DType.FLOAT32, Windows.pair(kernelSize), Windows.pair(kernelSize),
                Windows.pair(0), Windows.pair(1));
    }

    /** Every setting: batch norm's, then the pooling's as {height, width} pairs. */
    public BatchNormReLUMaxPool2d(long numFeatures, double eps, double momentum, boolean affine,
                                  boolean trackRunningStats, DType dtype, int[] kernelSize, int[] stride,
                                  int[] padding, int[] dilation) {
        super(numFeatures, eps, momentum, affine, trackRunningStats, dtype);
        String op = "BatchNormReLUMaxPool2d";
        this.kernelSize = Windows.checkPair(op, "kernel_size", kernelSize, 1);
        this.stride = Windows.checkPair(op, "stride", stride, 1);
        this.padding = Windows.checkPair(op, "padding", padding, 0);
        this.dilation = Windows.checkPair(op, "dilation", dilation, 1);
    }

    @Override
    Tensor normalize(Tensor input, boolean batchStatistics, double momentum, double eps) {
        if (BatchNormReluPool.handles(kernelSize, stride, padding, dilation)) {
            if (batchStatistics) {
                return BatchNormReluPool.apply(input, runningMean(), runningVar(), weight(), bias(), momentum, eps);
            }
            if (!Graph.needsGrad(input, weight(), bias())) {
                return BatchNormReluPool.evaluate(input, runningMean(), runningVar(), weight(), bias(), eps);
            }
        }
        return MaxPool2d.maxPool2dWithIndices(super.normalize(input, batchStatistics, momentum, eps), kernelSize,
                stride, padding, dilation)[0];
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", kernel_size=" + Windows.str(kernelSize) + ", stride=" + Windows.str(stride)
                + ", padding=" + Windows.str(padding) + ", dilation=" + Windows.str(dilation);
    }
}
