package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Kernels;
import dev.panagrad.ops.Pinning;
import dev.panagrad.ops.Pointwise;

/**
 * A fully connected layer, {@code y = x W^T + b}, with weight {@code [out, in]} and bias {@code [out]}
 * initialised as in PyTorch (U(-1/sqrt(in), 1/sqrt(in))).
 *
 * <pre>{@code
 * Linear fc = new Linear(784, 512);
 * Tensor y = fc.forward(x);                       // x [batch, 784] -> y [batch, 512]
 * Tensor z = Linear.linear(x, fc.weight(), null); // the functional form, without bias
 * }</pre>
 */
public class Linear extends WeightAndBias {
    private final long inFeatures, outFeatures;

    /** A layer with bias. */
    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true, DType.FLOAT32);
    }

    /** A layer with or without bias, with parameters of the given dtype. */
    public Linear(long inFeatures, long outFeatures, boolean bias, DType dtype) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: feature counts must be non-negative; given in=" + inFeatures
                    + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        registerWeightAndBias(new long[] {outFeatures, inFeatures}, bias, outFeatures, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        return linear(input, weight(), bias());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null ? "True" : "False");
    }

    /**
     * {@code x W^T + b} for x {@code [..., in]}, W {@code [out, in]}, b {@code [out]} or null, as one GEMM that
     * reads W transposed in place and starts from the bias. One graph node, whose derivative is written with
     * tensor ops (so it is differentiable again): with g = dL/dy as a matrix {@code [rows, out]},
     * dL/dx = g W, dL/dW = g^T x and dL/db = sum of g over rows; dL/dW is added straight into the weight's
     * {@code .grad} where the engine offers that.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        check(x, weight, bias);
        long in = weight.size(1), out = weight.size(0);
        long[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor x2 = x.dim() == 2 ? x : x.reshape(-1, in);
        long rows = x2.size(0);
        DType dt = weight.dtype();
        Tensor y = Tensor.empty(dt, rows, out);
        if (bias != null) Pointwise.copyRaw(y, bias);
        else Pointwise.fillRaw(y, 0);
        if (rows > 0 && out > 0 && in > 0) {
            Tensor a = Pointwise.convertRaw(x2.detach(), dt), w = Pointwise.convertRaw(weight.detach(), dt);
            // y[rows, out] = a[rows, in] @ w[out, in]^T + y
            Pinning.run("linear", () -> Kernels.active().gemm(dt, false, true, rows, out, in, 1.0, a.segment(),
                    a.offset(), in, w.segment(), w.offset(), in, 1.0, y.segment(), 0, out), a, w, y);
        }
        Tensor r = Graph.record("AddmmBackward0", y, Graph.of(x2, weight, bias), Graph.of(x2, weight), (g, s, into) ->
                Graph.of(s[0].requiresGrad() ? g.mm(s[1]) : null,
                        s[1].requiresGrad() ? weightGradient(g, s[0], into[1]) : null,
                        bias != null && bias.requiresGrad() ? g.sum(0, false) : null));
        return x.dim() == 2 ? r : r.reshape(outShape);
    }

    /**
     * {@code g^T x}, or, when the engine offers the weight's {@code .grad} ({@code into}), that plus the product
     * written by the product itself (beta = 1): no temporary, and no pass to add it.
     */
    private static Tensor weightGradient(Tensor g, Tensor x, Tensor into) {
        if (into == null) return g.t().mm(x);
        DType dt = into.dtype();
        long rows = g.size(0), out = g.size(1), in = x.size(1);
        Tensor gc = Pointwise.convertRaw(g, dt), xc = Pointwise.convertRaw(x.detach(), dt);
        // into[out, in] += g[rows, out]^T @ x[rows, in]
        Pinning.run("linearBackward", () -> Kernels.active().gemm(dt, true, false, out, in, rows, 1.0, gc.segment(),
                gc.offset(), out, xc.segment(), xc.offset(), in, 1.0, into.segment(), into.offset(), in), gc, xc, into);
        return into;
    }

    private static void check(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-D [out, in]; given " + weight.describe());
        }
        if (x.dim() < 1 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: mat1 and mat2 shapes cannot be multiplied: input is "
                    + x.describe() + ", weight is " + weight.describe() + "; expected input.shape[-1] == "
                    + weight.size(1));
        }
        if (x.dtype() != weight.dtype() || !weight.dtype().isFloating()) {
            throw new IllegalArgumentException("linear: expected input and weight of one floating dtype; given "
                    + x.describe() + " and " + weight.describe());
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0) || bias.dtype() != weight.dtype())) {
            throw new IllegalArgumentException("linear: bias must be [" + weight.size(0) + "] " + weight.dtype()
                    + "; given " + bias.describe());
        }
    }
}
