package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dims of each sample:
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with the biased variance and the same behaviour
 * in training and evaluation. Weight starts at 1, bias at 0.
 *
 * <pre>{@code
 * LayerNorm ln = new LayerNorm(64);
 * Tensor y = ln.forward(Tensor.randn(8, 10, 64));   // each of the 80 rows normalised over its 64 values
 * }</pre>
 */
public class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;

    /** eps 1e-5, with an affine weight and bias, float32. */
    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, 1e-5, true, DType.FLOAT32);
    }

    /** Every setting. */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape.length == 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: expected a non-empty normalized shape and eps > 0; given "
                    + Shape.str(normalizedShape) + ", eps " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(dtype, normalizedShape));
            registerParameter("bias", Tensor.zeros(dtype, normalizedShape));
        }
    }

    /** The scale (shape normalizedShape), or null. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The shift (shape normalizedShape), or null. */
    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor input) {
        return layerNorm(input, normalizedShape, weight(), bias(), eps);
    }

    @Override
    protected String extraRepr() {
        return "(" + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "") + (normalizedShape.length == 1 ? ",)" : ")")
                + ", eps=" + eps + ", elementwise_affine=" + (weight() != null ? "True" : "False");
    }

    /**
     * Functional layer norm. One recorded node; its derivative, written with tensor ops (means over the
     * normalised dims, xhat the normalised input, gh = g * w): {@code dx = (gh - mean(gh) - xhat *
     * mean(gh * xhat)) / sqrt(var + eps)}, {@code dw = sum over rows of g * xhat}, {@code db = sum over rows of g}.
     */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        check(x, normalizedShape, weight, bias);
        long d = Shape.numel(normalizedShape), r = d == 0 ? 0 : x.numel() / d;
        long[] shape = x.shape();
        Tensor mean, invstd, y;
        try (var off = GradMode.noGrad()) {
            Tensor x2 = x.detach().reshape(r, d);
            mean = x2.mean(1, true);
            Tensor xc = x2.sub(mean);
            invstd = xc.mul(xc).mean(1, true).add(eps).rsqrt();
            y = xc.mul_(invstd);
            if (weight != null) y.mul_(weight.detach().reshape(d));
            if (bias != null) y.add_(bias.detach().reshape(d));
            y = y.view(shape);
        }
        Tensor rowMean = mean, rowInvstd = invstd;
        return Graph.record("NativeLayerNormBackward0", y, Graph.of(x, weight, bias), Graph.of(x, weight), (g, s) -> {
            Tensor x2 = s[0].reshape(r, d), g2 = g.reshape(r, d);
            Tensor mu = rowMean, is = rowInvstd;
            if (GradMode.isEnabled()) {
                // createGraph: the statistics as recorded functions of x, so the result is differentiable again
                mu = x2.mean(1, true);
                Tensor xc = x2.sub(mu);
                is = xc.mul(xc).mean(1, true).add(eps).rsqrt();
            }
            Tensor xhat = x2.sub(mu).mul(is);
            Tensor gx = null;
            if (s[0].requiresGrad()) {
                Tensor gh = s[1] == null ? g2 : g2.mul(s[1].reshape(d));
                gx = gh.sub(gh.mean(1, true)).sub(xhat.mul(gh.mul(xhat).mean(1, true))).mul(is).reshape(shape);
            }
            Tensor gw = weight != null && weight.requiresGrad() ? g2.mul(xhat).sum(0, false).reshape(normalizedShape) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? g2.sum(0, false).reshape(normalizedShape) : null;
            return Graph.of(gx, gw, gb);
        });
    }

    private static void check(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias) {
        int k = normalizedShape.length;
        long[] shape = x.shape();
        boolean fits = x.dtype().isFloating() && k >= 1 && k <= shape.length
                && Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape);
        if (!fits) {
            throw new IllegalArgumentException("layerNorm: given normalized_shape=" + Shape.str(normalizedShape)
                    + ", expected input with shape [*, " + Shape.str(normalizedShape).substring(1)
                    + " of a floating dtype, but got input " + x.describe());
        }
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && (!Arrays.equals(t.shape(), normalizedShape) || t.dtype() != x.dtype())) {
                throw new IllegalArgumentException("layerNorm: weight and bias must have shape "
                        + Shape.str(normalizedShape) + " and dtype " + x.dtype() + "; given " + t.describe());
            }
        }
    }
}
