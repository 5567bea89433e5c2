package dev.panagrad.autograd;

import dev.panagrad.Autograd;
import dev.panagrad.AutogradException;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Derivatives of whole functions, as {@code torch.autograd.functional}: vector-Jacobian and
 * Jacobian-vector products, full Jacobians and Hessians, and Hessian-vector products. The function runs on
 * fresh leaves that share the inputs' storage, so the inputs' own graph is left alone and the results are
 * constants; with {@code createGraph} they stay differentiable with respect to inputs that require grad.
 * Where an output does not depend on an input, the derivative is zeros; with {@code strict} (PyTorch's
 * {@code strict=True}) that throws {@link AutogradException.UnusedInput} instead.
 *
 * <pre>{@code
 * Tensor x = Tensor.ofDoubles(1, 2), v = Tensor.ofDoubles(1, 0);
 * Tensor j = Functional.jacobian(t -> t.pow(2), x);          // diag(2x) = [[2, 0], [0, 4]]
 * Tensor h = Functional.hessian(t -> t.pow(3).sum(), x);     // diag(6x)
 * Tensor jv = Functional.jvp(t -> t.exp(), x, v).value();    // exp(x) * v
 * }</pre>
 */
public final class Functional {
    private Functional() {}

    /** A function of several tensors with several results. */
    @FunctionalInterface
    public interface Fn {
        /**
         * @param inputs the function's arguments
         * @return its results
         */
        Tensor[] apply(Tensor[] inputs);
    }

    /** The function's outputs and the product computed alongside them. */
    public record Result(Tensor[] outputs, Tensor[] values) {
        /** The first output. */
        public Tensor output() {
            return outputs[0];
        }

        /** The first product. */
        public Tensor value() {
            return values[0];
        }
    }

    /**
     * {@code v^T J} at {@code inputs}: one tensor per input. {@code v} (one per output) may be null for
     * one-element outputs.
     */
    public static Result vjp(Fn f, Tensor[] inputs, Tensor[] v, boolean createGraph) {
        return vjp(f, inputs, v, createGraph, false);
    }

    /** {@code v^T J}; with {@code strict}, an output that does not depend on an input throws. */
    public static Result vjp(Fn f, Tensor[] inputs, Tensor[] v, boolean createGraph, boolean strict) {
        try (var on = GradMode.enableGrad()) {
            Tensor[] xs = prepare(inputs, createGraph);
            Tensor[] outs = f.apply(xs);
            checkVectors("vjp", v, outs, "output");
            Tensor[] vs = v == null ? new Tensor[outs.length] : v;
            Tensor[] grads = gradOrZeros(outs, xs, vs, createGraph, strict ? INDEPENDENT : null);
            return new Result(finish(outs, createGraph), finish(grads, createGraph));
        }
    }

    /** {@code v^T J} of a one-tensor function. */
    public static Result vjp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return vjp(one(f), new Tensor[] {x}, v == null ? null : new Tensor[] {v}, false);
    }

    /**
     * {@code J v} at {@code inputs}: one tensor per output. {@code v} (one per input) may be null for
     * one-element inputs. Computed by differentiating a vector-Jacobian product with respect to its vector.
     */
    public static Result jvp(Fn f, Tensor[] inputs, Tensor[] v, boolean createGraph) {
        return jvp(f, inputs, v, createGraph, false);
    }

    /** {@code J v}; with {@code strict}, an output that does not depend on an input throws. */
    public static Result jvp(Fn f, Tensor[] inputs, Tensor[] v, boolean createGraph, boolean strict) {
        try (var on = GradMode.enableGrad()) {
            Tensor[] xs = prepare(inputs, createGraph);
            checkVectors("jvp", v, xs, "input");
            Tensor[] outs = f.apply(xs);
            Tensor[] u = new Tensor[outs.length];
            for (int i = 0; i < outs.length; i++) u[i] = outs[i].zerosLike().requiresGrad(true);
            Tensor[] g = gradOrZeros(outs, xs, u, true, strict ? INDEPENDENT : null);   // g = J^T u, linear in u
            Tensor[] vs = v == null ? new Tensor[xs.length] : v.clone();
            for (int j = 0; j < vs.length; j++) if (vs[j] == null) vs[j] = xs[j].onesLike();
            Tensor[] jv = gradOrZeros(g, u, vs, createGraph, null);   // d(g . v)/du = J v
            return new Result(finish(outs, createGraph), finish(jv, createGraph));
        }
    }

    /** {@code J v} of a one-tensor function. */
    public static Result jvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return jvp(one(f), new Tensor[] {x}, v == null ? null : new Tensor[] {v}, false);
    }

    /**
     * The Jacobian blocks {@code J[i][j] = d outputs[i] / d inputs[j]}, each of shape
     * {@code outputs[i].shape ++ inputs[j].shape}, built one output element at a time.
     */
    public static Tensor[][] jacobian(Fn f, Tensor[] inputs, boolean createGraph) {
        return jacobian(f, inputs, createGraph, false);
    }

    /** The Jacobian blocks; with {@code strict}, an output that does not depend on an input throws. */
    public static Tensor[][] jacobian(Fn f, Tensor[] inputs, boolean createGraph, boolean strict) {
        try (var on = GradMode.enableGrad()) {
            Tensor[] xs = prepare(inputs, createGraph);
            Tensor[] outs = f.apply(xs);
            Tensor[][] jac = new Tensor[outs.length][xs.length];
            for (int i = 0; i < outs.length; i++) {
                Tensor out = outs[i];
                long m = out.numel();
                List<List<Tensor>> rows = new ArrayList<>();
                for (int j = 0; j < xs.length; j++) rows.add(new ArrayList<>());
                for (long e = 0; e < m; e++) {
                    Tensor[] g = gradOrZeros(new Tensor[] {out}, xs, new Tensor[] {oneHot(out, e)}, createGraph,
                            strict ? "output " + i + " of the user-provided function is independent of input %d" : null);
                    for (int j = 0; j < xs.length; j++) rows.get(j).add(g[j].reshape(-1));
                }
                for (int j = 0; j < xs.length; j++) {
                    long[] shape = concat(out.shape(), xs[j].shape());
                    Tensor block = m == 0 ? Tensor.zeros(xs[j].dtype(), shape)
                            : Tensor.stack(rows.get(j), 0).reshape(shape);
                    jac[i][j] = createGraph ? block : block.detach();
                }
            }
            return jac;
        }
    }

    /** The Jacobian of a one-tensor function, of shape {@code out.shape ++ x.shape}. */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        return jacobian(one(f), new Tensor[] {x}, false)[0][0];
    }

    /** The Hessian blocks {@code H[i][j] = d^2 f / d inputs[i] d inputs[j]} of a scalar function. */
    public static Tensor[][] hessian(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs,
                                     boolean createGraph) {
        return hessian(f, inputs, createGraph, false);
    }

    /**
     * The Hessian blocks; with {@code strict}, throws where the function or its gradient does not depend on an
     * input (a Hessian block that is zero by structure, such as that of a linear function).
     */
    public static Tensor[][] hessian(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs,
                                     boolean createGraph, boolean strict) {
        return jacobian(xs -> gradOrZeros(new Tensor[] {scalar("hessian", f.apply(xs))}, xs, new Tensor[1], true,
                strict ? INDEPENDENT : null), inputs, createGraph, strict);
    }

    /** The Hessian of a scalar function of one tensor, of shape {@code x.shape ++ x.shape}. */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        return hessian(xs -> f.apply(xs[0]), new Tensor[] {x}, false)[0][0];
    }

    /** {@code H v} of a scalar function: one tensor per input. */
    public static Result hvp(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] v,
                             boolean createGraph) {
        return hvp(f, inputs, v, createGraph, false);
    }

    /**
     * {@code H v} of a scalar function; with {@code strict}, throws where the function or its gradient does not
     * depend on an input. As PyTorch's hvp it differentiates the vector-Hessian product with respect to its
     * vector (the double-backward trick), so it is exact also where H is not symmetric.
     */
    public static Result hvp(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] v,
                             boolean createGraph, boolean strict) {
        return secondOrder("hvp", f, inputs, v, createGraph, strict, true);
    }

    /** {@code v^T H} of a scalar function (torch.autograd.functional.vhp): one tensor per input. */
    public static Result vhp(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] v,
                             boolean createGraph) {
        return vhp(f, inputs, v, createGraph, false);
    }

    /** {@code v^T H} of a scalar function; with {@code strict}, throws where an input is not used. */
    public static Result vhp(java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] v,
                             boolean createGraph, boolean strict) {
        return secondOrder("vhp", f, inputs, v, createGraph, strict, false);
    }

    /** {@code v^T H} of a scalar function of one tensor. */
    public static Result vhp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return vhp(xs -> f.apply(xs[0]), new Tensor[] {x}, v == null ? null : new Tensor[] {v}, false);
    }

    /**
     * {@code v^T H} is the gradient of {@code g . v} with g the gradient; {@code H v} is that of
     * {@code u^T H} with respect to u, contracted with v (H is linear in u).
     */
    private static Result secondOrder(String op, java.util.function.Function<Tensor[], Tensor> f, Tensor[] inputs,
                                      Tensor[] v, boolean createGraph, boolean strict, boolean hv) {
        try (var on = GradMode.enableGrad()) {
            Tensor[] xs = prepare(inputs, createGraph);
            checkVectors(op, v, xs, "input");
            Tensor out = scalar(op, f.apply(xs));
            Tensor[] g = gradOrZeros(new Tensor[] {out}, xs, new Tensor[1], true, strict ? INDEPENDENT : null);
            Tensor[] vs = v == null ? new Tensor[xs.length] : v.clone();
            for (int j = 0; j < vs.length; j++) if (vs[j] == null) vs[j] = xs[j].onesLike();
            String jacobianIndependent = strict ? "the jacobian of the user-provided function is independent of "
                    + "input %d" : null;
            Tensor[] result;
            if (hv) {
                Tensor[] u = new Tensor[xs.length];
                for (int j = 0; j < xs.length; j++) u[j] = xs[j].zerosLike().requiresGrad(true);
                Tensor[] uh = gradOrZeros(g, xs, u, true, jacobianIndependent);   // u^T H, linear in u
                result = gradOrZeros(uh, u, vs, createGraph, null);
            } else {
                result = gradOrZeros(g, xs, vs, createGraph, jacobianIndependent);
            }
            return new Result(finish(new Tensor[] {out}, createGraph), finish(result, createGraph));
        }
    }

    /** {@code H v} of a scalar function of one tensor. */
    public static Result hvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return hvp(xs -> f.apply(xs[0]), new Tensor[] {x}, v == null ? null : new Tensor[] {v}, false);
    }

    // ------------------------------------------------------------ plumbing

    private static Fn one(UnaryOperator<Tensor> f) {
        return xs -> new Tensor[] {f.apply(xs[0])};
    }

    /**
     * Leaves to evaluate the function on: with createGraph, inputs that require grad enter through a
     * recorded view so that results stay connected to them; otherwise fresh leaves sharing their storage.
     */
    private static Tensor[] prepare(Tensor[] inputs, boolean createGraph) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            if (!x.dtype().isFloating()) {
                throw new IllegalArgumentException("functional: input " + i + " must be floating point to be "
                        + "differentiated; given " + x.describe());
            }
            xs[i] = createGraph && x.requiresGrad() ? x.view(x.shape()) : x.detach().requiresGrad(true);
        }
        return xs;
    }

    /**
     * Gradients of the outputs that depend on {@code xs} with respect to {@code xs}, weighted by {@code vs}
     * (null: ones, allowed for one-element outputs); zeros where an input is unused.
     */
    private static Tensor[] gradOrZeros(Tensor[] outs, Tensor[] xs, Tensor[] vs, boolean createGraph,
                                        String strictMessage) {
        List<Tensor> used = new ArrayList<>(), weights = new ArrayList<>();
        for (int i = 0; i < outs.length; i++) {
            if (outs[i] == null || !outs[i].requiresGrad()) continue;
            used.add(outs[i]);
            weights.add(vs[i]);
        }
        Tensor[] grads = new Tensor[xs.length];
        if (!used.isEmpty()) {
            grads = Autograd.grad(used.toArray(new Tensor[0]), xs, weights.toArray(new Tensor[0]), true, createGraph,
                    true);
        }
        for (int j = 0; j < xs.length; j++) {
            if (grads[j] != null) continue;
            if (strictMessage != null) {
                throw new AutogradException.UnusedInput("functional: " + String.format(strictMessage, j)
                        + ". This is not allowed in strict mode; expected every output to depend on every input, or "
                        + "strict=false to get zeros");
            }
            grads[j] = xs[j].zerosLike();
        }
        return grads;
    }

    /** PyTorch's strict-mode complaint, with the input's index for %d. */
    private static final String INDEPENDENT = "the output of the user-provided function is independent of input %d";

    private static void checkVectors(String op, Tensor[] v, Tensor[] like, String what) {
        if (v == null) {
            for (int i = 0; i < like.length; i++) {
                if (like[i].numel() != 1) {
                    throw new IllegalArgumentException(op + ": v can be omitted only when every " + what + " has "
                            + "one element; " + what + " " + i + " is " + like[i].describe());
                }
            }
            return;
        }
        if (v.length != like.length) {
            throw new IllegalArgumentException(op + ": given " + v.length + " vectors v for " + like.length + " "
                    + what + "s; expected one per " + what);
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] != null && !Arrays.equals(v[i].shape(), like[i].shape())) {
                throw new IllegalArgumentException(op + ": v[" + i + "] has shape " + Shape.str(v[i].shape())
                        + " but " + what + " " + i + " has shape " + Shape.str(like[i].shape())
                        + "; expected equal shapes");
            }
        }
    }

    private static Tensor scalar(String op, Tensor out) {
        if (out.numel() != 1) {
            throw new IllegalArgumentException(op + ": the function should return a single element tensor; "
                    + "given " + out.describe());
        }
        return out;
    }

    private static Tensor oneHot(Tensor like, long index) {
        Tensor v = Tensor.zeros(like.dtype(), like.numel());
        v.narrow(0, index, 1).fill_(1);
        return v.reshape(like.shape());
    }

    private static Tensor[] finish(Tensor[] ts, boolean createGraph) {
        if (createGraph) return ts;
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i].detach();
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
