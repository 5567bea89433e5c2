package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.BinaryOp;
import dev.panagrad.kernels.ChannelBlock;
import dev.panagrad.kernels.ReluGate;
import dev.panagrad.ops.Pointwise;

/**
 * Batch normalisation over dim 1 (the channels): {@code y = (x - mean) / sqrt(var + eps) * weight + bias}.
 * In training mode mean and (biased) var come from the batch, over every dim but 1, and the running
 * estimates move towards them: {@code running = (1 - momentum) * running + momentum * batch}, with the
 * unbiased batch variance for {@code running_var}. In evaluation mode the running estimates are used.
 * {@link BatchNorm1d} and {@link BatchNorm2d} fix the expected input rank.
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(32);
 * Tensor y = bn.forward(x);      // x [N, 32, H, W]; each channel of y has mean 0, variance 1
 * bn.stateDict().keySet();       // [weight, bias, running_mean, running_var, num_batches_tracked]
 * }</pre>
 */
public abstract class BatchNorm extends Module {
    private final long numFeatures;
    private final double eps, momentum;

    /** Affine, tracking running statistics, with the given dtype. */
    protected BatchNorm(long numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats,
                        DType dtype) {
        if (numFeatures < 1 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected numFeatures >= 1, eps > 0 "
                    + "and momentum in [0, 1]; given " + numFeatures + ", " + eps + ", " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        if (affine) {
            registerParameter("weight", Tensor.ones(dtype, numFeatures));
            registerParameter("bias", Tensor.zeros(dtype, numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(dtype, numFeatures));
            registerBuffer("running_var", Tensor.ones(dtype, numFeatures));
            registerBuffer("num_batches_tracked", Tensor.scalar(DType.INT64, 0));
        }
    }

    /** Throws unless x has the rank this variant accepts. */
    protected abstract void checkRank(Tensor x);

    /** The scale {@code [numFeatures]}, or null when not affine. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The shift {@code [numFeatures]}, or null when not affine. */
    public Tensor bias() {
        return parameter("bias");
    }

    /** The running mean, or null when running statistics are not tracked. */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /** The running (unbiased) variance, or null when running statistics are not tracked. */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    @Override
    public Tensor forward(Tensor input) {
        checkRank(input);
        if (input.size(1) != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + numFeatures
                    + " channels in dim 1; given " + input.describe());
        }
        Tensor rm = runningMean();
        if (isTraining() && rm != null) {
            try (var off = GradMode.noGrad()) {
                buffer("num_batches_tracked").add_(1);
            }
        }
        // without running statistics the batch statistics are used in both modes
        return normalize(input, isTraining() || rm == null, momentum, eps);
    }

    /** What forward returns for a checked input: batch norm, ReLU'd when {@link #fusesRelu}. */
    Tensor normalize(Tensor input, boolean batchStatistics, double momentum, double eps) {
        return normalize(input, runningMean(), runningVar(), weight(), bias(), batchStatistics, momentum, eps,
                fusesRelu());
    }

    /** Whether a ReLU follows in the same passes ({@link BatchNormReLU2d}). */
    protected boolean fusesRelu() {
        return false;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight() != null ? "True" : "False")
                + ", track_running_stats=" + (runningMean() != null ? "True" : "False");
    }

    /**
     * Functional batch norm of x {@code [N, C, ...]}. With {@code training} it normalises by the batch
     * statistics and updates {@code runningMean}/{@code runningVar} when given; otherwise it uses them.
     * Training mode records one node whose derivative, written with tensor ops, is (means over every dim but
     * 1, xhat the normalised input) {@code dx = w / sqrt(var + eps) * (g - mean(g) - xhat * mean(g * xhat))},
     * {@code dw = sum(g * xhat)}, {@code db = sum(g)}.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return normalize(x, runningMean, runningVar, weight, bias, training, momentum, eps, false);
    }

    /**
     * {@code batchNorm(...).relu()} with the ReLU fused into batch norm's passes: the same values and
     * gradients, bit for bit, from two fewer passes over x's size forward and three fewer backward. Training
     * mode records one node, {@code BatchNormReluBackward0}, which gates the gradient where the batch norm's
     * output was not positive (recomputed from x) and then runs batch norm's derivative.
     */
    public static Tensor batchNormRelu(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                       boolean training, double momentum, double eps) {
        return normalize(x, runningMean, runningVar, weight, bias, training, momentum, eps, true);
    }

    private static Tensor normalize(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                    boolean training, double momentum, double eps, boolean relu) {
        String op = relu ? "batchNormRelu" : "batchNorm";
        checkInput(op, x, training, runningMean, runningVar, weight, bias);
        long c = x.size(1);
        if (!training) {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException(op + ": evaluation needs running_mean and running_var; given "
                        + "null; expected tensors [" + c + "] or training=true");
            }
            long[] channelShape = new long[x.dim() - 1];
            java.util.Arrays.fill(channelShape, 1);
            channelShape[0] = c;
            Tensor[] map = evaluationMap(runningMean, runningVar, weight, bias, eps);
            Tensor y = x.mul(map[0].view(channelShape)).add(map[1].view(channelShape));
            return relu ? y.relu() : y;
        }
        DType dt = x.dtype();
        BatchStatistics stats;
        Tensor y;
        try (var off = GradMode.noGrad()) {
            Tensor xc = Pointwise.convertRaw(x.detach(), dt);
            stats = BatchStatistics.of(op, xc, runningMean, runningVar, weight, bias, momentum, eps);
            y = ChannelPasses.affine(op, xc, null, stats.block(), stats.mean(), stats.scale(), stats.shift(), null,
                    null, relu);
        }
        // the ReLU's derivative: g passes where the output before the ReLU, (x - mean) * scale + shift, was positive
        ReluGate gate = relu ? stats.reluGate() : null;
        String name = relu ? "BatchNormReluBackward0" : "NativeBatchNormBackward0", backward = op + "Backward";
        ChannelBlock block = stats.block();
        return Graph.record(name, y, Graph.of(x, weight, bias), Graph.of(x, weight), (g, s) -> {
            if (GradMode.isEnabled()) return recordedBackward(relu ? gate(g, s[0], stats) : g, s[0], s[1], bias,
                    block, eps);
            Tensor xc = Pointwise.convertRaw(s[0], dt), gc = Pointwise.convertRaw(g, dt);
            double[] sum = new double[(int) c], dot = new double[(int) c];
            ChannelPasses.gradSums(backward, gc, xc, block, stats.mean(), gate, sum, dot);
            Tensor gx = null;
            if (s[0].requiresGrad()) {
                double[][] kad = stats.inputGradient(s[1], sum, dot);
                gx = ChannelPasses.affine(backward, xc, gc, block, stats.mean(), kad[1], kad[2], kad[0], gate, false);
            }
            Tensor gw = weight != null && weight.requiresGrad() ? Tensor.of(dt, stats.weightGradient(dot), c) : null;
            return Graph.of(gx, gw, bias != null && bias.requiresGrad() ? Tensor.of(dt, sum, c) : null);
        });
    }

    /**
     * Evaluation's per-channel map {@code y = x * scale + shift}, as {scale, shift}: {@code scale = weight /
     * sqrt(running_var + eps)}, {@code shift = bias - running_mean * scale} (weight and bias may be null),
     * differentiable in weight and bias.
     */
    static Tensor[] evaluationMap(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, double eps) {
        Tensor scale = runningVar.add(eps).rsqrt();
        if (weight != null) scale = scale.mul(weight);
        Tensor shift = runningMean.mul(scale).neg();
        if (bias != null) shift = shift.add(bias);
        return new Tensor[] {scale, shift};
    }

    /**
     * Throws unless x is a floating {@code [N, C, ...]} input that the per-channel tensors fit and, in
     * training, with more than one value per channel.
     */
    static void checkInput(String op, Tensor x, boolean training, Tensor runningMean, Tensor runningVar,
                           Tensor weight, Tensor bias) {
        if (x.dim() < 2 || !x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating input [N, C, ...] with at least 2 dims; "
                    + "given " + x.describe());
        }
        long n = x.size(0), c = x.size(1), count = n * (x.numel() / Math.max(1, n * c));
        checkChannels(op, c, x.dtype(), runningMean, runningVar, weight, bias);
        if (training && count <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got "
                    + "input " + x.describe());
        }
    }

    /**
     * g where the output before the ReLU was positive, else 0, recorded (ReLU's derivative as a tensor op);
     * the output is recomputed from x by the forward's own pass, so the mask is the forward's.
     */
    static Tensor gate(Tensor g, Tensor x, BatchStatistics stats) {
        Tensor before;
        try (var off = GradMode.noGrad()) {
            before = ChannelPasses.affine("batchNormReluBackward", Pointwise.convertRaw(x.detach(), x.dtype()), null,
                    stats.block(), stats.mean(), stats.scale(), stats.shift(), null, null, false);
        }
        return Pointwise.binary(BinaryOp.RELU_GRAD, g, before);
    }

    /**
     * The derivative written with recorded tensor ops, statistics included, so that it can be differentiated
     * again (createGraph).
     */
    static Tensor[] recordedBackward(Tensor g, Tensor x, Tensor weight, Tensor bias, ChannelBlock block,
                                     double eps) {
        long c = block.channels(), count = block.count();
        Tensor x3 = x.reshape(block.batch(), c, block.inner()), g3 = g.reshape(block.batch(), c, block.inner());
        Tensor mu = channelSum(x3).div(count);
        Tensor xc = x3.sub(mu.view(c, 1));
        Tensor is = channelSum(xc.mul(xc)).div(count).add(eps).rsqrt();
        Tensor xhat = xc.mul(is.view(c, 1));
        Tensor gb = channelSum(g3), gw = channelSum(g3.mul(xhat));
        Tensor gx = null;
        if (x.requiresGrad()) {
            Tensor k = weight == null ? is : is.mul(weight);
            gx = g3.sub(gb.div(count).view(c, 1)).sub(xhat.mul(gw.div(count).view(c, 1))).mul(k.view(c, 1))
                    .reshape(x.shape());
        }
        return Graph.of(gx, weight != null && weight.requiresGrad() ? gw : null,
                bias != null && bias.requiresGrad() ? gb : null);
    }

    /** Sum of t {@code [N, C, L]} over N and L, as two contiguous reductions: {@code [C]}. */
    private static Tensor channelSum(Tensor t) {
        return t.sum(2, false).sum(0, false);
    }

    private static void checkChannels(String op, long c, DType dt, Tensor... perChannel) {
        for (Tensor t : perChannel) {
            if (t != null && (t.dim() != 1 || t.size(0) != c || t.dtype() != dt)) {
                throw new IllegalArgumentException(op + ": running statistics, weight and bias must be [" + c + "] "
                        + dt + " like the input's channels; given " + t.describe());
            }
        }
    }
}
