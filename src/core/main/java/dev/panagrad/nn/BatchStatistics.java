package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.ChannelBlock;
import dev.panagrad.kernels.ReluGate;

/**
 * Training mode's per-channel statistics of a batch norm input x {@code [N, C, ...]}: the batch mean, the
 * inverse standard deviation and the affine map {@code y = (x - mean) * scale + shift} they give with the
 * weight and bias. Made by {@link #of}, which also moves the running estimates towards the batch's; the
 * backward pass turns the per-channel gradient sums into the input gradient's coefficients
 * ({@link #inputGradient}).
 */
record BatchStatistics(ChannelBlock block, double[] mean, double[] invstd, double[] scale, double[] shift) {

    /**
     * The statistics of xc (x converted to its compute dtype, contiguous), the running estimates updated in
     * place when given: {@code running = (1 - momentum) * running + momentum * batch}, the unbiased variance
     * for {@code running_var}.
     */
    static BatchStatistics of(String op, Tensor xc, Tensor runningMean, Tensor runningVar, Tensor weight,
                              Tensor bias, double momentum, double eps) {
        long n = xc.size(0), c = xc.size(1), l = xc.numel() / Math.max(1, n * c), count = n * l;
        ChannelBlock block = new ChannelBlock(n, c, l);
        DType dt = xc.dtype();
        double[] mean = new double[(int) c], var = new double[(int) c], invstd = new double[(int) c];
        double[] scale = new double[(int) c], shift = values(bias, c, 0), w = values(weight, c, 1);
        ChannelPasses.moments(op, xc, block, mean, var);
        for (int i = 0; i < c; i++) {
            invstd[i] = 1 / Math.sqrt(var[i] + eps);
            scale[i] = invstd[i] * w[i];
        }
        try (var off = GradMode.noGrad()) {
            if (runningMean != null) runningMean.mul_(1 - momentum).add_(Tensor.of(dt, mean, c).mul(momentum));
            if (runningVar != null) {
                runningVar.mul_(1 - momentum).add_(Tensor.of(dt, var, c).mul(momentum * count / (count - 1)));
            }
        }
        return new BatchStatistics(block, mean, invstd, scale, shift);
    }

    /** The ReLU after the affine map, as its fused backward recomputes it from x. */
    ReluGate reluGate() {
        return new ReluGate(scale, shift);
    }

    /**
     * The input gradient's per-channel coefficients {k, a, d}, {@code dx = (x - mean) * a + d + g * k}, from
     * {@code sum = sum(g)} and {@code dot = sum(g * (x - mean))} over each channel: with xhat the normalised
     * input, {@code dx = k * (g - sum / count - xhat * sum(g * xhat) / count)} and {@code k = w * invstd}.
     */
    double[][] inputGradient(Tensor weight, double[] sum, double[] dot) {
        int c = mean.length;
        long count = block.count();
        double[] w = values(weight, c, 1), k = new double[c], a = new double[c], d = new double[c];
        for (int i = 0; i < c; i++) {
            k[i] = w[i] * invstd[i];
            a[i] = -k[i] * invstd[i] * invstd[i] * dot[i] / count;
            d[i] = -k[i] * sum[i] / count;
        }
        return new double[][] {k, a, d};
    }

    /** The weight gradient {@code sum(g * xhat)} from {@code dot = sum(g * (x - mean))}, in place. */
    double[] weightGradient(double[] dot) {
        for (int i = 0; i < dot.length; i++) dot[i] *= invstd[i];
        return dot;
    }

    /** t's values as doubles, or c copies of {@code absent} when t is null (no affine parameter). */
    static double[] values(Tensor t, long c, double absent) {
        if (t != null) return t.detach().toDoubleArray();
        double[] v = new double[(int) c];
        java.util.Arrays.fill(v, absent);
        return v;
    }
}
