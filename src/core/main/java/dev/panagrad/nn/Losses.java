package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * Loss functions, as in {@code torch.nn.functional}: mean squared error, cross-entropy over class indices
 * (with label smoothing and an ignored index), negative log-likelihood, and binary cross-entropy with
 * logits. Each returns a scalar for {@link Reduction#MEAN}/{@link Reduction#SUM} and per-sample (or
 * per-element) losses for {@link Reduction#NONE}.
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(logits, labels);   // logits [N, C], labels int64 [N]
 * loss.backward();
 * }</pre>
 */
public final class Losses {
    private Losses() {}

    /** PyTorch's default ignored target. */
    public static final long IGNORE_INDEX = -100;

    // ---------------------------------------------------------------- regression

    /** Mean of {@code (input - target)^2}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /**
     * {@code (input - target)^2}, reduced; both may require grad. One node, MseLossBackward0, with PyTorch's
     * derivative {@code dL/dinput = 2 (input - target) g} (scaled by 1/n for the mean), and its negative for target.
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mseLoss", input, target);
        Tensor loss;
        try (var off = GradMode.noGrad()) {
            Tensor d = input.sub(target);
            loss = reduce(d.mul(d), reduction);
        }
        double scale = reduction == Reduction.MEAN ? 2.0 / Math.max(1, input.numel()) : 2;
        return Graph.record("MseLossBackward0", loss, Graph.of(input, target), Graph.of(input, target), (g, s) -> {
            Tensor gd = s[0].sub(s[1]).mul(g.mul(scale));
            return Graph.of(s[0].requiresGrad() ? gd : null, s[1].requiresGrad() ? gd.neg() : null);
        });
    }

    // ---------------------------------------------------------------- classification

    /** Mean cross-entropy of logits {@code [N, C]} against int64 class indices {@code [N]}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, IGNORE_INDEX, 0, Reduction.MEAN);
    }

    /**
     * Cross-entropy {@code loss_i = -sum_c q_ic log softmax(x_i)_c} with the smoothed target distribution
     * {@code q_i = (1 - eps) onehot(t_i) + eps / C}; rows whose target is {@code ignoreIndex} count neither in
     * the loss nor in the mean's denominator. Log-softmax and NLL are fused into one node whose derivative is
     * {@code dL/dx_i = (softmax(x_i) - q_i) * w_i}, with w_i the row's weight in the reduction (0 for ignored
     * rows), written with tensor ops.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, long ignoreIndex, double labelSmoothing,
                                      Reduction reduction) {
        Targets t = Targets.of("crossEntropy", logits, target, ignoreIndex);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label_smoothing must be between 0.0 and 1.0; given "
                    + labelSmoothing);
        }
        long n = logits.size(0), c = logits.size(1);
        DType dt = logits.dtype();
        Tensor q, perRow;
        try (var off = GradMode.noGrad()) {
            q = Tensor.full(dt, labelSmoothing / c, n, c).scatterAdd(1, t.index, Tensor.full(dt, 1 - labelSmoothing, n, 1));
            Tensor logp = logits.detach().logSoftmax(1);
            // without smoothing, gather the target's log-probability (a -inf elsewhere in the row stays harmless)
            Tensor logLikelihood = labelSmoothing == 0 ? logp.gather(1, t.index).squeeze(1) : q.mul(logp).sum(1, false);
            perRow = logLikelihood.neg().mul(t.valid);
        }
        Tensor loss = switch (reduction) {
            case NONE -> perRow;
            case SUM -> perRow.sum();
            case MEAN -> perRow.sum().div(t.count);
        };
        Tensor rowWeight = reduction == Reduction.MEAN ? t.valid.div(t.count) : t.valid;
        // PyTorch's cross_entropy is log_softmax then nll_loss, so its grad_fn prints as NllLossBackward0
        return Graph.record("NllLossBackward0", loss, logits, (g, s) -> {
            Tensor w = rowWeight.mul(g).unsqueeze(1);   // g is a scalar, or [N] without reduction
            return s[0].softmax(1).sub(q).mul(w);
        }, logits);
    }

    /** Mean negative log-likelihood of log-probabilities {@code [N, C]} at int64 class indices {@code [N]}. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) {
        return nllLoss(logProbs, target, IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * {@code loss_i = -logProbs[i, t_i]}, skipping rows whose target is {@code ignoreIndex}; one node,
     * NllLossBackward0, whose derivative puts {@code -g w_i} at each row's target (w_i the row's weight in the
     * reduction, 0 for ignored rows).
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, long ignoreIndex, Reduction reduction) {
        Targets t = Targets.of("nllLoss", logProbs, target, ignoreIndex);
        Tensor loss;
        try (var off = GradMode.noGrad()) {
            Tensor perRow = logProbs.gather(1, t.index).squeeze(1).neg().mul(t.valid);
            loss = switch (reduction) {
                case NONE -> perRow;
                case SUM -> perRow.sum();
                case MEAN -> perRow.sum().div(t.count);
            };
        }
        Tensor rowWeight = reduction == Reduction.MEAN ? t.valid.div(t.count) : t.valid;
        long[] shape = logProbs.shape();
        return Graph.record("NllLossBackward0", loss, logProbs, (g, s) -> Tensor.zeros(g.dtype(), shape)
                .scatterAdd(1, t.index, rowWeight.mul(g).neg().unsqueeze(1)));
    }

    /** Mean binary cross-entropy of probabilities sigmoid(logits) against targets in [0, 1]. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, Reduction.MEAN);
    }

    /**
     * {@code loss = -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))}, computed stably as
     * {@code max(x, 0) - x y + log(1 + exp(-|x|))}; derivative {@code dL/dx = sigmoid(x) - y},
     * {@code dL/dy = -x} (times the reduction's weight).
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        checkSameShape("binaryCrossEntropyWithLogits", logits, target);
        Tensor perElement;
        try (var off = GradMode.noGrad()) {
            Tensor x = logits.detach(), y = target.detach();
            perElement = x.relu().sub(x.mul(y)).add(x.abs().neg().softplus());
        }
        Tensor loss = reduce(perElement, reduction);
        double scale = reduction == Reduction.MEAN ? 1.0 / logits.numel() : 1;
        long[] shape = logits.shape();
        return Graph.record("BinaryCrossEntropyWithLogitsBackward0", loss, Graph.of(logits, target),
                Graph.of(logits, target), (g, s) -> {
                    Tensor ge = g.mul(scale).expand(shape);
                    return Graph.of(s[0].requiresGrad() ? s[0].sigmoid().sub(s[1]).mul(ge) : null,
                            s[1].requiresGrad() ? s[0].neg().mul(ge) : null);
                });
    }

    // ---------------------------------------------------------------- plumbing

    private static Tensor reduce(Tensor perElement, Reduction reduction) {
        return switch (reduction) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.mean();
        };
    }

    private static void checkSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape()) || !input.dtype().isFloating()
                || input.dtype() != target.dtype()) {
            throw new IllegalArgumentException(op + ": input and target must have one shape and floating dtype; given "
                    + input.describe() + " and " + target.describe());
        }
    }

    /**
     * Class-index targets checked against scores {@code [N, C]}: the indices as {@code [N, 1]} (ignored rows
     * point at class 0), a {@code [N]} mask of rows that count (1 or 0, in the scores' dtype), and their count.
     */
    private record Targets(Tensor index, Tensor valid, long count) {
        static Targets of(String op, Tensor scores, Tensor target, long ignoreIndex) {
            if (scores.dim() != 2 || !scores.dtype().isFloating()) {
                throw new IllegalArgumentException(op + ": expected floating scores [N, C]; given " + scores.describe());
            }
            long n = scores.size(0), c = scores.size(1);
            if (target.dtype() != DType.INT64 || target.dim() != 1 || target.size(0) != n) {
                throw new IllegalArgumentException(op + ": expected int64 class indices [" + n + "] for scores "
                        + Shape.str(scores.shape()) + "; given target " + target.describe());
            }
            long[] t = target.toLongArray(), index = new long[t.length];
            double[] valid = new double[t.length];
            long count = 0;
            for (int i = 0; i < t.length; i++) {
                if (t[i] == ignoreIndex) continue;
                if (t[i] < 0 || t[i] >= c) {
                    throw new IndexOutOfBoundsException(op + ": target " + t[i] + " at position " + i + " is out of "
                            + "bounds; expected a class index in [0, " + c + ") or the ignore index " + ignoreIndex);
                }
                index[i] = t[i];
                valid[i] = 1;
                count++;
            }
            return new Targets(Tensor.of(index, n, 1), Tensor.of(scores.dtype(), valid, n), count);
        }
    }
}
