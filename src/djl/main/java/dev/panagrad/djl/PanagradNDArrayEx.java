package dev.panagrad.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDUtils;
import ai.djl.ndarray.index.NDArrayIndexer;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.recurrent.RNN;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.AdamStep;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.SgdStep;
import dev.panagrad.nn.AvgPool2d;
import dev.panagrad.nn.BatchNorm;
import dev.panagrad.nn.Conv1d;
import dev.panagrad.nn.Conv2d;
import dev.panagrad.nn.Dropout;
import dev.panagrad.nn.Embedding;
import dev.panagrad.nn.LayerNorm;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.MaxPool2d;
import dev.panagrad.ops.Foreach;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The operations DJL's blocks, losses and optimizers call ({@code NDArrayEx}), on panagrad's layers and
 * optimizer arithmetic. One- and two-dimensional convolution, two-dimensional pooling; the rest throws DJL's
 * {@code UnsupportedOperationException} naming the operation.
 *
 * <pre>{@code
 * NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
 * }</pre>
 */
final class PanagradNDArrayEx implements NDArrayEx {
    private final PanagradNDArray array;

    PanagradNDArrayEx(PanagradNDArray array) {
        this.array = array;
    }

    private static Tensor t(String op, NDArray a) {
        return a == null ? null : PanagradNDManager.unwrap(op, a).tensor();
    }

    private NDArray wrap(Supplier<Tensor> body) {
        return Lifetimes.compute(array.getManager(), body);
    }

    private static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException("Panagrad does not support NDArrayEx." + op);
    }

    private static int[] pair(String op, String what, Shape s) {
        return window(op, what, s, 2, "2-D");
    }

    /** The sizes of a window setting (kernel, stride, ...) that must have {@code rank} dimensions. */
    private static int[] window(String op, String what, Shape s, int rank, String supported) {
        if (s.dimension() != rank) {
            throw new UnsupportedOperationException("Panagrad supports only " + supported + " " + op + "; given "
                    + what + " " + s);
        }
        int[] sizes = new int[rank];
        for (int i = 0; i < rank; i++) sizes[i] = Math.toIntExact(s.get(i));
        return sizes;
    }

    // ------------------------------------------------------------------ arithmetic helpers

    @Override
    public NDArray rdivi(NDArray b) {
        Tensor x = array.tensor(), o = t("rdivi", b);
        return array.replaceValues(() -> o.div(x));
    }

    @Override
    public NDArray rmodi(NDArray b) {
        throw unsupported("rmodi");
    }

    @Override
    public NDArray rpowi(Number n) {
        Tensor x = array.tensor();
        return array.replaceValues(() -> Tensor.scalar(x.dtype(), n.doubleValue()).pow(x));
    }

    // ------------------------------------------------------------------ activations

    @Override
    public NDArray relu() { return wrap(() -> array.tensor().relu()); }

    @Override
    public NDArray sigmoid() { return wrap(() -> array.tensor().sigmoid()); }

    @Override
    public NDArray tanh() { return wrap(() -> array.tensor().tanh()); }

    @Override
    public NDArray softPlus() { return wrap(() -> array.tensor().softplus()); }

    @Override
    public NDArray softSign() { return wrap(() -> array.tensor().div(array.tensor().abs().add(1))); }

    @Override
    public NDArray leakyRelu(float alpha) {
        return wrap(() -> {
            Tensor x = array.tensor();
            return Tensor.where(x.gt(0), x, x.mul(alpha));
        });
    }

    @Override
    public NDArray elu(float alpha) {
        return wrap(() -> {
            Tensor x = array.tensor();
            return Tensor.where(x.gt(0), x, x.exp().sub(1).mul(alpha));
        });
    }

    @Override
    public NDArray selu() {
        // SELU's constants (Klambauer et al. 2017)
        double alpha = 1.6732632423543772, scale = 1.0507009873554805;
        return wrap(() -> {
            Tensor x = array.tensor();
            return Tensor.where(x.gt(0), x, x.exp().sub(1).mul(alpha)).mul(scale);
        });
    }

    @Override
    public NDArray gelu() { return wrap(() -> array.tensor().gelu()); }

    // ------------------------------------------------------------------ pooling

    @Override
    public NDArray maxPool(Shape kernelShape, Shape stride, Shape padding, boolean ceilMode) {
        if (ceilMode) throw unsupported("maxPool with ceilMode");
        int[] k = pair("maxPool", "kernel", kernelShape), s = pair("maxPool", "stride", stride);
        int[] p = pair("maxPool", "padding", padding);
        return wrap(() -> MaxPool2d.maxPool2dWithIndices(array.tensor(), k, s, p, new int[] {1, 1})[0]);
    }

    @Override
    public NDArray globalMaxPool() {
        return wrap(() -> array.tensor().amax(new int[] {-2, -1}, false));
    }

    @Override
    public NDArray avgPool(Shape kernelShape, Shape stride, Shape padding, boolean ceilMode, boolean countIncludePad) {
        if (ceilMode) throw unsupported("avgPool with ceilMode");
        int[] k = pair("avgPool", "kernel", kernelShape), s = pair("avgPool", "stride", stride);
        int[] p = pair("avgPool", "padding", padding);
        return wrap(() -> AvgPool2d.avgPool2d(array.tensor(), k, s, p, countIncludePad));
    }

    @Override
    public NDArray globalAvgPool() {
        return wrap(() -> array.tensor().mean(new int[] {-2, -1}, false));
    }

    @Override
    public NDArray lpPool(float normType, Shape kernelShape, Shape stride, Shape padding, boolean ceilMode) {
        throw unsupported("lpPool");
    }

    @Override
    public NDArray globalLpPool(float normType) {
        throw unsupported("globalLpPool");
    }

    // ------------------------------------------------------------------ optimizers

    /**
     * The rescaled, clipped, weight-decayed gradient {@code clip(rescale * grad, clip) + wd * w}; a negative
     * clip means none (DJL's convention).
     */
    private static Tensor effectiveGradient(Tensor w, Tensor grad, float weightDecay, float rescaleGrad,
                                            float clipGrad, boolean decay) {
        Tensor g = rescaleGrad == 1 ? grad : grad.mul(rescaleGrad);
        if (clipGrad >= 0) g = g.clamp(-clipGrad, clipGrad);
        return decay && weightDecay != 0 ? g.add(w.mul(weightDecay)) : g;
    }

    /** Runs an in-place update without recording, then clears the weight's gradient as DJL's engines do. */
    private static void update(NDList weights, Runnable body) {
        try (var g = GradMode.noGrad()) {
            Lifetimes.temporarily(body);
            clearGradient(weights);
        }
    }

    private static void clearGradient(NDList weights) {
        Tensor grad = t("update", weights.singletonOrThrow()).grad();
        if (grad != null) grad.zero_();
    }

    /**
     * Runs a parameter's update as one fused pass of {@code kernel} over its tensors {@code row} (the first
     * {@code written} written in place), then clears the weight's gradient; false, with nothing done, when the
     * tensors do not suit a fused pass or the gradient is rescaled or clipped first (the caller then runs ops).
     */
    private static boolean fusedUpdate(String op, NDList weights, float rescaleGrad, float clipGrad, Tensor[] row,
                                       int written, FusedKernel kernel) {
        List<Tensor[]> rows = List.<Tensor[]>of(row);
        if (rescaleGrad != 1 || clipGrad >= 0 || !Foreach.fitsFloating(rows)) return false;
        DType dt = row[0].dtype();
        Kernels k = Kernels.active();
        Foreach.update(op, rows, written, (r, t, lo, hi) -> kernel.run(k, dt, t, lo, hi - lo));
        clearGradient(weights);
        return true;
    }

    /** A fused update of elements [from, from + n) of every tensor in {@code t}. */
    @FunctionalInterface
    private interface FusedKernel {
        void run(Kernels k, DType dt, Tensor[] t, long from, long n);
    }

    @Override
    public void adadeltaUpdate(NDList inputs, NDList weights, float weightDecay, float rescaleGrad, float clipGrad,
                               float rho, float epsilon) {
        throw unsupported("adadeltaUpdate");
    }

    @Override
    public void adagradUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay,
                              float rescaleGrad, float clipGrad, float epsilon) {
        Tensor w = t("adagradUpdate", inputs.get(0)), grad = t("adagradUpdate", inputs.get(1));
        Tensor history = t("adagradUpdate", inputs.get(2));
        update(weights, () -> {
            Tensor g = effectiveGradient(w, grad, weightDecay, rescaleGrad, clipGrad, true);
            history.add_(g.square());
            w.sub_(g.mul(learningRate).div(history.sqrt().add(epsilon)));
        });
    }

    @Override
    public void adamUpdate(NDList inputs, NDList weights, float learningRate, float learningRateBiasCorrection,
                           float weightDecay, float rescaleGrad, float clipGrad, float beta1, float beta2,
                           float epsilon, boolean lazyUpdate, boolean adamw) {
        Tensor w = t("adamUpdate", inputs.get(0)), grad = t("adamUpdate", inputs.get(1));
        Tensor mean = t("adamUpdate", inputs.get(2)), variance = t("adamUpdate", inputs.get(3));
        // DJL's form: w -= lrBiasCorrection * m / (sqrt(v) + eps), the decoupled decay at the plain learning rate
        AdamStep adam = new AdamStep(beta1, beta2, epsilon, learningRateBiasCorrection, 1,
                adamw ? 1 - learningRate * weightDecay : 1, adamw ? 0 : weightDecay);
        if (fusedUpdate("adamUpdate", weights, rescaleGrad, clipGrad, new Tensor[] {w, mean, variance, grad}, 3,
                (k, dt, t, from, n) -> k.adamStep(dt, adam, t[0].segment(), t[0].offset() + from,
                        t[3].segment(), t[3].offset() + from, t[1].segment(), t[1].offset() + from,
                        t[2].segment(), t[2].offset() + from, n))) {
            return;
        }
        update(weights, () -> {
            Tensor g = effectiveGradient(w, grad, weightDecay, rescaleGrad, clipGrad, !adamw);
            if (adamw && weightDecay != 0) w.sub_(w.mul(learningRate * weightDecay));
            mean.mul_(beta1).add_(g.mul(1 - beta1));
            variance.mul_(beta2).add_(g.square().mul(1 - beta2));
            w.sub_(mean.mul(learningRateBiasCorrection).div(variance.sqrt().add(epsilon)));
        });
    }

    @Override
    public void nagUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay, float rescaleGrad,
                          float clipGrad, float momentum) {
        Tensor w = t("nagUpdate", inputs.get(0)), grad = t("nagUpdate", inputs.get(1));
        Tensor state = t("nagUpdate", inputs.get(2));
        update(weights, () -> {
            // Nesterov momentum: v = momentum v + g; w -= lr (g + momentum v)
            Tensor g = effectiveGradient(w, grad, weightDecay, rescaleGrad, clipGrad, true);
            state.mul_(momentum).add_(g);
            w.sub_(g.add(state.mul(momentum)).mul(learningRate));
        });
    }

    @Override
    public void rmspropUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay,
                              float rescaleGrad, float clipGrad, float rho, float momentum, float epsilon,
                              boolean centered) {
        Tensor w = t("rmspropUpdate", inputs.get(0)), grad = t("rmspropUpdate", inputs.get(1));
        Tensor meanSquare = t("rmspropUpdate", inputs.get(2));
        Tensor meanGrad = centered ? t("rmspropUpdate", inputs.get(3)) : null;
        Tensor delta = centered ? t("rmspropUpdate", inputs.get(4)) : null;
        update(weights, () -> {
            Tensor g = effectiveGradient(w, grad, weightDecay, rescaleGrad, clipGrad, true);
            meanSquare.mul_(rho).add_(g.square().mul(1 - rho));
            if (!centered) {
                w.sub_(g.mul(learningRate).div(meanSquare.add(epsilon).sqrt()));
                return;
            }
            // centred (Graves 2013): divide by the variance estimate, with momentum on the step
            meanGrad.mul_(rho).add_(g.mul(1 - rho));
            Tensor denom = meanSquare.sub(meanGrad.square()).add(epsilon).sqrt();
            delta.mul_(momentum).sub_(g.mul(learningRate).div(denom));
            w.add_(delta);
        });
    }

    @Override
    public void sgdUpdate(NDList inputs, NDList weights, float learningRate, float weightDecay, float rescaleGrad,
                          float clipGrad, float momentum, boolean lazyUpdate) {
        Tensor w = t("sgdUpdate", inputs.get(0)), grad = t("sgdUpdate", inputs.get(1));
        Tensor state = momentum == 0 ? null : t("sgdUpdate", inputs.get(2));
        // DJL's state holds lr-scaled steps (state = momentum state + lr g; w -= state): PyTorch's momentum
        // buffer with dampening 1 - lr and a unit learning rate; without momentum, w -= lr g
        SgdStep sgd = state == null ? new SgdStep(learningRate, 0, 0, weightDecay, false, false)
                : new SgdStep(1, momentum, 1 - learningRate, weightDecay, false, false);
        Tensor[] row = state == null ? new Tensor[] {w, grad} : new Tensor[] {w, state, grad};
        int written = row.length - 1;
        if (fusedUpdate("sgdUpdate", weights, rescaleGrad, clipGrad, row, written,
                (k, dt, t, from, n) -> k.sgdStep(dt, sgd, t[0].segment(), t[0].offset() + from,
                        t[written].segment(), t[written].offset() + from,
                        state == null ? null : t[1].segment(), state == null ? 0 : t[1].offset() + from, n))) {
            return;
        }
        update(weights, () -> {
            Tensor step = effectiveGradient(w, grad, weightDecay, rescaleGrad, clipGrad, true).mul(learningRate);
            if (state == null) {
                w.sub_(step);
            } else {
                state.mul_(momentum).add_(step);
                w.sub_(state);
            }
        });
    }

    // ------------------------------------------------------------------ layers

    @Override
    public NDList convolution(NDArray input, NDArray weight, NDArray bias, Shape stride, Shape padding,
                              Shape dilation, int groups) {
        // the settings' rank chooses: DJL's Conv1d block passes 1-D ones for (N, C, W) input, Conv2d 2-D ones
        int rank = stride.dimension() == 1 ? 1 : 2;
        String supported = "1-D and 2-D";
        int[] s = window("convolution", "stride", stride, rank, supported);
        int[] p = window("convolution", "padding", padding, rank, supported);
        int[] d = window("convolution", "dilation", dilation, rank, supported);
        Tensor x = t("convolution", input), w = t("convolution", weight), b = t("convolution", bias);
        return new NDList(wrap(() -> rank == 1 ? Conv1d.conv1d(x, w, b, s[0], p[0], d[0], groups)
                : Conv2d.conv2d(x, w, b, s, p, d, groups)));
    }

    @Override
    public NDList deconvolution(NDArray input, NDArray weight, NDArray bias, Shape stride, Shape padding,
                                Shape outPadding, Shape dilation, int groups) {
        throw unsupported("deconvolution");
    }

    @Override
    public NDList linear(NDArray input, NDArray weight, NDArray bias) {
        Tensor x = t("linear", input), w = t("linear", weight), b = t("linear", bias);
        return new NDList(wrap(() -> Linear.linear(x, w, b)));
    }

    @Override
    public NDList embedding(NDArray input, NDArray weight, SparseFormat sparse) {
        if (sparse != SparseFormat.DENSE) throw unsupported("embedding with sparse format " + sparse);
        Tensor x = t("embedding", input), w = t("embedding", weight);
        return new NDList(wrap(() -> Embedding.embedding(x.to(DType.INT64), w)));
    }

    @Override
    public NDList prelu(NDArray input, NDArray alpha) {
        Tensor x = t("prelu", input), a = t("prelu", alpha);
        return new NDList(wrap(() -> Tensor.where(x.gt(0), x, x.mul(a))));
    }

    @Override
    public NDList dropout(NDArray input, float rate, boolean training) {
        Tensor x = t("dropout", input);
        return new NDList(wrap(() -> Dropout.dropout(x, rate, training, Generator.global())));
    }

    @Override
    public NDList layerNorm(NDArray input, Shape normalizedShape, NDArray gamma, NDArray beta, float eps) {
        Tensor x = t("layerNorm", input), g = t("layerNorm", gamma), b = t("layerNorm", beta);
        return new NDList(wrap(() -> LayerNorm.layerNorm(x, normalizedShape.getShape(), g, b, eps)));
    }

    @Override
    public NDList batchNorm(NDArray input, NDArray runningMean, NDArray runningVar, NDArray gamma, NDArray beta,
                            int axis, float momentum, float eps, boolean training) {
        Tensor x = t("batchNorm", input), m = t("batchNorm", runningMean), v = t("batchNorm", runningVar);
        Tensor g = t("batchNorm", gamma), b = t("batchNorm", beta);
        int channel = Math.floorMod(axis, x.dim());
        // DJL's momentum keeps that share of the running statistics; PyTorch's (panagrad's) takes that share of the batch
        double keep = 1.0 - momentum;
        return new NDList(wrap(() -> {
            Tensor xc = channel == 1 ? x : x.transpose(1, channel);
            Tensor y = BatchNorm.batchNorm(xc, m, v, g, b, training, keep, eps);
            return channel == 1 ? y : y.transpose(1, channel);
        }));
    }

    @Override
    public NDList rnn(NDArray input, NDArray state, NDList params, boolean hasBiases, int numLayers,
                      RNN.Activation activation, double dropRate, boolean training, boolean bidirectional,
                      boolean batchFirst) {
        throw unsupported("rnn");
    }

    @Override
    public NDList gru(NDArray input, NDArray state, NDList params, boolean hasBiases, int numLayers,
                      double dropRate, boolean training, boolean bidirectional, boolean batchFirst) {
        throw unsupported("gru");
    }

    @Override
    public NDList lstm(NDArray input, NDList states, NDList params, boolean hasBiases, int numLayers,
                       double dropRate, boolean training, boolean bidirectional, boolean batchFirst) {
        throw unsupported("lstm");
    }

    // ------------------------------------------------------------------ images

    @Override
    public NDArray interpolation(long[] size, int mode, boolean alignCorners) {
        throw unsupported("interpolation");
    }

    @Override
    public NDArray resize(int width, int height, int interpolation) {
        throw unsupported("resize");
    }

    @Override
    public NDArray randomFlipLeftRight() {
        throw unsupported("randomFlipLeftRight");
    }

    @Override
    public NDArray randomFlipTopBottom() {
        throw unsupported("randomFlipTopBottom");
    }

    @Override
    public NDArray randomBrightness(float brightness) {
        throw unsupported("randomBrightness");
    }

    @Override
    public NDArray randomHue(float hue) {
        throw unsupported("randomHue");
    }

    @Override
    public NDArray randomColorJitter(float brightness, float contrast, float saturation, float hue) {
        throw unsupported("randomColorJitter");
    }

    // ------------------------------------------------------------------ miscellaneous

    @Override
    public NDArrayIndexer getIndexer(NDManager manager) {
        return new PanagradIndexer((PanagradNDManager) manager);
    }

    @Override
    public NDArray where(NDArray condition, NDArray other) {
        Tensor c = t("where", condition), x = array.tensor(), o = t("where", other);
        return wrap(() -> Tensor.where(c.dtype() == DType.BOOL ? c : c.ne(0), x, o));
    }

    @Override
    public NDArray stack(NDList arrays, int axis) {
        List<Tensor> all = withThis("stack", arrays);
        return wrap(() -> Tensor.stack(all, axis));
    }

    @Override
    public NDArray concat(NDList arrays, int axis) {
        // DJL's own check (scalars, ranks that differ: IllegalArgumentException), on every operand
        NDList operands = new NDList(array);
        operands.addAll(arrays);
        NDUtils.checkConcatInput(operands);
        List<Tensor> all = withThis("concat", arrays);
        return wrap(() -> Tensor.cat(all, axis));
    }

    /** This array's tensor followed by those of {@code arrays}. */
    private List<Tensor> withThis(String op, NDList arrays) {
        List<Tensor> all = new ArrayList<>();
        all.add(array.tensor());
        for (NDArray a : arrays) all.add(t(op, a));
        return all;
    }

    @Override
    public NDList multiBoxTarget(NDList inputs, float iouThreshold, float ignoreThreshold,
                                 float negativeMiningRatio, float negativeMiningThreshold, int minNegativeSamples) {
        throw unsupported("multiBoxTarget");
    }

    @Override
    public NDList multiBoxPrior(List<Float> sizes, List<Float> ratios, List<Float> steps, List<Float> offsets,
                                boolean clip) {
        throw unsupported("multiBoxPrior");
    }

    @Override
    public NDList multiBoxDetection(NDList inputs, boolean clip, float threshold, int backgroundId,
                                    float nmsThreshold, boolean forceSuppress, int nmsTopK) {
        throw unsupported("multiBoxDetection");
    }

    @Override
    public NDArray getArray() {
        return array;
    }
}
