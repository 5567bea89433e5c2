package dev.panagrad.nn;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * The functional namespace, as {@code torch.nn.functional}: layers, activations with PyTorch's options,
 * padding and losses as static functions of tensors. Each delegates to the one implementation the
 * corresponding module or tensor method uses, so {@code F.linear(x, w, b)} and {@code new Linear(...)}
 * compute the same thing the same way.
 *
 * <pre>{@code
 * import dev.panagrad.nn.F;
 * Tensor h = F.gelu(F.linear(x, w1, b1), "tanh");
 * Tensor loss = F.crossEntropy(F.linear(F.dropout(h, 0.1, true), w2, b2), labels);
 * }</pre>
 */
public final class F {
    private F() {}

    // ------------------------------------------------------------ layers

    /** {@code x W^T}. */
    public static Tensor linear(Tensor x, Tensor weight) { return Linear.linear(x, weight, null); }
    /** {@code x W^T + b} (bias may be null). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { return Linear.linear(x, weight, bias); }
    /** 2-D convolution with stride 1 and no padding (bias may be null). */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) { return conv2d(x, weight, bias, 1, 0); }
    /** 2-D convolution with one stride and padding for both spatial dims. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return Conv2d.conv2d(x, weight, bias, stride, padding);
    }
    /** 2-D convolution with per-dim stride, padding, dilation and groups. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Conv2d.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }
    /** Max pooling with a square window and stride equal to it. */
    public static Tensor maxPool2d(Tensor x, int kernelSize) { return MaxPool2d.maxPool2d(x, kernelSize); }
    /** Average pooling with a square window and stride equal to it, padding counted. */
    public static Tensor avgPool2d(Tensor x, int kernelSize) {
        int[] k = {kernelSize, kernelSize};
        return AvgPool2d.avgPool2d(x, k, k, new int[] {0, 0}, true);
    }
    /** Layer normalisation over the trailing {@code normalizedShape} dims (weight and bias may be null). */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return LayerNorm.layerNorm(x, normalizedShape, weight, bias, eps);
    }
    /** Layer normalisation without affine parameters, eps 1e-5. */
    public static Tensor layerNorm(Tensor x, long... normalizedShape) {
        return layerNorm(x, normalizedShape, null, null, 1e-5);
    }
    /** Batch normalisation (running statistics, weight and bias may be null). */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return BatchNorm.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }
    /** Rows of {@code weight} at int64 indices. */
    public static Tensor embedding(Tensor indices, Tensor weight) { return Embedding.embedding(indices, weight); }
    /** Zeroes elements with probability p and scales the rest by 1 / (1 - p) when training. */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        return Dropout.dropout(x, p, training, Generator.global());
    }
    /** As {@link #dropout(Tensor, double, boolean)}, drawing from the given generator. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        return Dropout.dropout(x, p, training, generator);
    }
    /** Padding; {@code pads} lists (before, after) pairs from the last dim; mode "constant", "reflect", "replicate" or "circular". */
    public static Tensor pad(Tensor x, long[] pads, String mode, double value) { return x.pad(pads, mode, value); }
    /** Constant zero padding. */
    public static Tensor pad(Tensor x, long... pads) { return x.pad(pads); }
    /** int64 one-hot rows of an int64 index tensor; numClasses -1 infers max + 1. */
    public static Tensor oneHot(Tensor index, long numClasses) { return index.oneHot(numClasses); }
    /** {@code x / max(||x||_p, eps)} along dim. */
    public static Tensor normalize(Tensor x, double p, int dim, double eps) {
        return x.div(x.norm(p, new int[] {dim}, true).clampMin(eps));
    }
    /** L2-normalises along dim 1 with eps 1e-12, as F.normalize's defaults. */
    public static Tensor normalize(Tensor x) { return normalize(x, 2, 1, 1e-12); }

    // ------------------------------------------------------------ activations

    /** {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) { return x.relu(); }
    /** {@code x > 0 ? x : slope x}. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return x.leakyRelu(negativeSlope); }
    /** Leaky ReLU with slope 0.01. */
    public static Tensor leakyRelu(Tensor x) { return x.leakyRelu(); }
    /** {@code x > 0 ? x : alpha (exp(x) - 1)}. */
    public static Tensor elu(Tensor x, double alpha) { return x.elu(alpha); }
    /** ELU with alpha 1. */
    public static Tensor elu(Tensor x) { return x.elu(); }
    /** SELU. */
    public static Tensor selu(Tensor x) { return x.selu(); }
    /** {@code x sigmoid(x)}. */
    public static Tensor silu(Tensor x) { return x.silu(); }
    /** {@code x tanh(softplus(x))}. */
    public static Tensor mish(Tensor x) { return x.mish(); }
    /** Values limited to [min, max]. */
    public static Tensor hardtanh(Tensor x, double min, double max) { return x.hardtanh(min, max); }
    /** Values limited to [-1, 1]. */
    public static Tensor hardtanh(Tensor x) { return x.hardtanh(); }
    /** GELU with the exact erf formulation. */
    public static Tensor gelu(Tensor x) { return x.gelu(); }
    /** GELU; approximate "none" or "tanh". */
    public static Tensor gelu(Tensor x, String approximate) { return x.gelu(approximate); }
    /** {@code log(1 + exp(x))}, linear above 20. */
    public static Tensor softplus(Tensor x) { return x.softplus(); }
    /** {@code log(1 + exp(beta x)) / beta}, linear where {@code beta x > threshold}. */
    public static Tensor softplus(Tensor x, double beta, double threshold) { return x.softplus(beta, threshold); }
    /** {@code 1 / (1 + exp(-x))}. */
    public static Tensor sigmoid(Tensor x) { return x.sigmoid(); }
    /** Hyperbolic tangent. */
    public static Tensor tanh(Tensor x) { return x.tanh(); }
    /** Softmax along dim. */
    public static Tensor softmax(Tensor x, int dim) { return x.softmax(dim); }
    /** Log-softmax along dim. */
    public static Tensor logSoftmax(Tensor x, int dim) { return x.logSoftmax(dim); }

    // ------------------------------------------------------------ losses

    /** Mean squared error. */
    public static Tensor mseLoss(Tensor input, Tensor target) { return Losses.mseLoss(input, target); }
    /** Squared error with a reduction. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return Losses.mseLoss(input, target, reduction);
    }
    /** Mean absolute error, {@code mean |input - target|}. */
    public static Tensor l1Loss(Tensor input, Tensor target) { return input.sub(target).abs().mean(); }
    /** Mean cross-entropy of logits against int64 class indices. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) { return Losses.crossEntropy(logits, target); }
    /** Cross-entropy with ignore_index, label_smoothing and a reduction. */
    public static Tensor crossEntropy(Tensor logits, Tensor target, long ignoreIndex, double labelSmoothing,
                                      Reduction reduction) {
        return Losses.crossEntropy(logits, target, ignoreIndex, labelSmoothing, reduction);
    }
    /** Mean negative log-likelihood of log-probabilities at int64 class indices. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) { return Losses.nllLoss(logProbs, target); }
    /** Negative log-likelihood with ignore_index and a reduction. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, long ignoreIndex, Reduction reduction) {
        return Losses.nllLoss(logProbs, target, ignoreIndex, reduction);
    }
    /** Mean binary cross-entropy of sigmoid(logits) against targets in [0, 1]. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(logits, target);
    }
    /** Binary cross-entropy with logits and a reduction. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        return Losses.binaryCrossEntropyWithLogits(logits, target, reduction);
    }
}
