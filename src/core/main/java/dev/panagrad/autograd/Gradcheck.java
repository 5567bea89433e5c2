package dev.panagrad.autograd;

import dev.panagrad.Autograd;
import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks derivatives against central differences, as {@code torch.autograd.gradcheck} and
 * {@code gradgradcheck}. For every output element and every element of every input that requires grad,
 * the analytical Jacobian (from backward) must match the numerical one
 * {@code (f(x + eps) - f(x - eps)) / 2 eps} within {@code atol + rtol * |numerical|}. Inputs that require
 * grad must be float64; other inputs (indices, masks) are passed through unchanged.
 *
 * <pre>{@code
 * Tensor x = Tensor.ofDoubles(0.3, -1.2, 2.0).requiresGrad(true);
 * Gradcheck.gradcheck(in -> in[0].tanh().mul(in[0]), x);       // throws GradcheckError on a mismatch
 * Gradcheck.gradgradcheck(in -> in[0].tanh().mul(in[0]), x);   // the same for second derivatives
 * }</pre>
 */
public final class Gradcheck {
    private Gradcheck() {}

    /** Step and tolerances; {@link #DEFAULT} is PyTorch's (1e-6, 1e-5, 1e-3). */
    public record Tolerance(double eps, double atol, double rtol) {
        public static final Tolerance DEFAULT = new Tolerance(1e-6, 1e-5, 1e-3);
    }

    /** Thrown when an analytical derivative differs from the numerical one. */
    public static final class GradcheckError extends RuntimeException {
        GradcheckError(String message) {
            super(message);
        }
    }

    /** Checks the first derivatives of a one-output function with the default tolerances. */
    public static void gradcheck(java.util.function.Function<Tensor[], Tensor> f, Tensor... inputs) {
        gradcheck(Tolerance.DEFAULT, xs -> new Tensor[] {f.apply(xs)}, inputs);
    }

    /** Checks the first derivatives of every floating output of {@code f}. */
    public static void gradcheck(Tolerance tol, Functional.Fn f, Tensor... inputs) {
        int[] diff = differentiable("gradcheck", inputs);
        Tensor[] outs = f.apply(inputs);
        for (int o = 0; o < outs.length; o++) {
            if (!outs[o].dtype().isFloating()) continue;
            double[][][] analytical = analytical(outs[o], inputs, diff);
            for (int k = 0; k < diff.length; k++) {
                double[][] numerical = numerical(f, inputs, diff[k], o, tol.eps());
                compare(tol, o, diff[k], numerical, analytical[k]);
            }
        }
    }

    /** Checks the second derivatives of a one-output function with the default tolerances. */
    public static void gradgradcheck(java.util.function.Function<Tensor[], Tensor> f, Tensor... inputs) {
        gradgradcheck(Tolerance.DEFAULT, xs -> new Tensor[] {f.apply(xs)}, inputs);
    }

    /**
     * Checks the second derivatives: gradcheck of the map (inputs, v) to the vector-Jacobian product
     * {@code v^T J}, computed with {@code createGraph}, for a fixed random {@code v} per output.
     */
    public static void gradgradcheck(Tolerance tol, Functional.Fn f, Tensor... inputs) {
        int[] diff = differentiable("gradgradcheck", inputs);
        Tensor[] outs = f.apply(inputs);
        Generator random = new Generator(0x5eed);
        List<Integer> weighted = new ArrayList<>();
        List<Tensor> all = new ArrayList<>(List.of(inputs));
        for (int o = 0; o < outs.length; o++) {
            if (!outs[o].dtype().isFloating()) continue;
            weighted.add(o);
            all.add(random.randn(DType.FLOAT64, outs[o].shape()).requiresGrad(true));
        }
        int n = inputs.length;
        Functional.Fn firstOrder = args -> {
            Tensor[] xs = new Tensor[n];
            for (int i = 0; i < n; i++) xs[i] = args[i];
            for (int i : diff) if (!xs[i].requiresGrad()) xs[i] = xs[i].detach().requiresGrad(true);
            try (var on = GradMode.enableGrad()) {
                Tensor[] ys = f.apply(xs);
                List<Tensor> used = new ArrayList<>(), vs = new ArrayList<>();
                for (int k = 0; k < weighted.size(); k++) {
                    Tensor y = ys[weighted.get(k)];
                    if (!y.requiresGrad()) continue;
                    used.add(y);
                    vs.add(args[n + k]);
                }
                Tensor[] wrt = new Tensor[diff.length];
                for (int k = 0; k < diff.length; k++) wrt[k] = xs[diff[k]];
                Tensor[] grads = used.isEmpty() ? new Tensor[diff.length]
                        : Autograd.grad(used.toArray(new Tensor[0]), wrt, vs.toArray(new Tensor[0]), true, true, true);
                for (int k = 0; k < diff.length; k++) if (grads[k] == null) grads[k] = wrt[k].zerosLike();
                return grads;
            }
        };
        gradcheck(tol, firstOrder, all.toArray(new Tensor[0]));
    }

    // ------------------------------------------------------------ plumbing

    private static int[] differentiable(String op, Tensor[] inputs) {
        List<Integer> diff = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) continue;
            if (inputs[i].dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException(op + ": input " + i + " requires grad but is "
                        + inputs[i].describe() + "; expected float64, since central differences in lower precision "
                        + "are not accurate enough");
            }
            diff.add(i);
        }
        if (diff.isEmpty()) {
            throw new IllegalArgumentException(op + ": no input requires grad; expected at least one float64 input "
                    + "with requiresGrad=true");
        }
        return diff.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code J[k][r][c]}: derivative of element r of the output by element c of input diff[k], via backward. */
    private static double[][][] analytical(Tensor out, Tensor[] inputs, int[] diff) {
        int rows = (int) out.numel();
        Tensor[] wrt = new Tensor[diff.length];
        for (int k = 0; k < diff.length; k++) wrt[k] = inputs[diff[k]];
        double[][][] jac = new double[diff.length][rows][];
        for (int k = 0; k < diff.length; k++) {
            for (int r = 0; r < rows; r++) jac[k][r] = new double[(int) wrt[k].numel()];
        }
        if (!out.requiresGrad()) return jac;
        for (int r = 0; r < rows; r++) {
            double[] v = new double[rows];
            v[r] = 1;
            Tensor[] grads = Autograd.grad(new Tensor[] {out}, wrt,
                    new Tensor[] {Tensor.of(out.dtype(), v, out.shape())}, true, false, true);
            for (int k = 0; k < diff.length; k++) {
                if (grads[k] == null) continue;
                if (!java.util.Arrays.equals(grads[k].shape(), wrt[k].shape())) {
                    throw new GradcheckError("gradcheck: the gradient of input " + diff[k] + " has shape "
                            + Shape.str(grads[k].shape()) + "; expected the input's shape "
                            + Shape.str(wrt[k].shape()));
                }
                jac[k][r] = grads[k].toDoubleArray();
            }
        }
        return jac;
    }

    /** {@code J[r][c]}: derivative of element r of output {@code o} by element c of input {@code i}, numerically. */
    private static double[][] numerical(Functional.Fn f, Tensor[] inputs, int i, int o, double eps) {
        double[] x = inputs[i].toDoubleArray();
        long[] shape = inputs[i].shape();
        double[][] jac = null;
        for (int c = 0; c < x.length; c++) {
            double[] plus = evaluate(f, inputs, i, x, c, eps, shape, o);
            double[] minus = evaluate(f, inputs, i, x, c, -eps, shape, o);
            if (jac == null) jac = new double[plus.length][x.length];
            for (int r = 0; r < plus.length; r++) jac[r][c] = (plus[r] - minus[r]) / (2 * eps);
        }
        return jac == null ? new double[(int) f.apply(inputs)[o].numel()][0] : jac;
    }

    /** Output {@code o} of f with element c of input i moved by delta (no input requires grad). */
    private static double[] evaluate(Functional.Fn f, Tensor[] inputs, int i, double[] x, int c, double delta,
                                     long[] shape, int o) {
        Tensor[] args = new Tensor[inputs.length];
        for (int k = 0; k < inputs.length; k++) args[k] = inputs[k].detach();
        double[] moved = x.clone();
        moved[c] += delta;
        args[i] = Tensor.of(DType.FLOAT64, moved, shape);
        return f.apply(args)[o].toDoubleArray();
    }

    private static void compare(Tolerance tol, int o, int i, double[][] numerical, double[][] analytical) {
        for (int r = 0; r < numerical.length; r++) {
            for (int c = 0; c < numerical[r].length; c++) {
                double n = numerical[r][c], a = analytical[r][c];
                if (!(Math.abs(a - n) <= tol.atol() + tol.rtol() * Math.abs(n))) {
                    throw new GradcheckError(String.format(Locale.ROOT, "gradcheck: Jacobian mismatch for output %d "
                            + "with respect to input %d at [%d, %d]: numerical %.8g, analytical %.8g; expected them "
                            + "within atol %.1e + rtol %.1e.%nnumerical:%n%s%nanalytical:%n%s", o, i, r, c, n, a,
                            tol.atol(), tol.rtol(), matrix(numerical), matrix(analytical)));
                }
            }
        }
    }

    private static String matrix(double[][] m) {
        StringBuilder sb = new StringBuilder();
        for (double[] row : m) {
            for (double v : row) sb.append(String.format(Locale.ROOT, "%12.6f", v));
            sb.append('\n');
        }
        return sb.toString();
    }
}
