package dev.panagrad;

import java.util.Arrays;

/**
 * Entry points of reverse-mode differentiation, as {@code torch.autograd.backward} and
 * {@code torch.autograd.grad}: overloads for one or several outputs and inputs, and {@link GradOptions} for
 * PyTorch's keyword arguments. Errors are {@link AutogradException}s, one subclass per kind.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.pow(3);
 * Tensor dy = Autograd.grad(y, x, true)[0];        // 12, differentiable again
 * Tensor d2y = Autograd.grad(dy, x)[0];            // 12
 * Tensor[] both = Autograd.grad(new Tensor[] {y, dy}, new Tensor[] {x},
 *         GradOptions.DEFAULT.retainGraph(true));  // [12 + 12]
 * Autograd.zeroGrad(x);                            // x.grad() == null
 * }</pre>
 */
public final class Autograd {
    private Autograd() {}

    /** Accumulates the gradients of {@code outputs} (weighted by {@code grads}; null for scalars) into leaves. */
    public static void backward(Tensor[] outputs, Tensor[] grads, boolean retainGraph, boolean createGraph) {
        Engine.run(outputs, rootGrads("backward", outputs, grads), retainGraph, createGraph, null, false);
    }

    /**
     * Accumulates the gradients of {@code outputs} into leaves, with the options' gradOutputs, retainGraph and
     * createGraph ({@code torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph)}).
     */
    public static void backward(Tensor[] outputs, GradOptions options) {
        backward(outputs, options.gradOutputs(), options.retainsGraph(), options.createGraph());
    }

    /** Gradients of {@code outputs} with respect to {@code inputs}, without touching any {@code grad}. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                                boolean createGraph, boolean allowUnused) {
        return Engine.run(outputs, rootGrads("grad", outputs, gradOutputs), retainGraph || createGraph, createGraph,
                inputs, allowUnused);
    }

    /** Gradients of {@code outputs} with respect to {@code inputs}, with PyTorch's keyword arguments as options. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, GradOptions options) {
        boolean materialize = options.materializeGrads();
        Tensor[] grads = Engine.run(outputs, rootGrads("grad", outputs, options.gradOutputs()),
                options.retainsGraph(), options.createGraph(), inputs, options.allowUnused() || materialize);
        if (materialize) {
            for (int i = 0; i < grads.length; i++) if (grads[i] == null) grads[i] = inputs[i].zerosLike();
        }
        return grads;
    }

    /** Gradients of one output with respect to inputs, with options. */
    public static Tensor[] grad(Tensor output, Tensor[] inputs, GradOptions options) {
        return grad(new Tensor[] {output}, inputs, options);
    }

    /** Gradients of one-element outputs (summed) with respect to inputs, freeing the graph. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs) {
        return grad(outputs, inputs, GradOptions.DEFAULT);
    }

    /** Gradients of one-element outputs (summed) with respect to inputs; {@code createGraph} also retains the graph. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, boolean createGraph) {
        return grad(outputs, inputs, GradOptions.DEFAULT.createGraph(createGraph));
    }

    /** Gradients of a one-element output with respect to each input, freeing the graph. */
    public static Tensor[] grad(Tensor output, Tensor... inputs) {
        return grad(new Tensor[] {output}, inputs, GradOptions.DEFAULT);
    }

    /** Gradient of a one-element output with respect to inputs; {@code createGraph} also retains the graph. */
    public static Tensor[] grad(Tensor output, Tensor input, boolean createGraph) {
        return grad(new Tensor[] {output}, new Tensor[] {input}, GradOptions.DEFAULT.createGraph(createGraph));
    }

    /** Gradients of a one-element output with respect to inputs; {@code createGraph} also retains the graph. */
    public static Tensor[] grad(Tensor output, Tensor[] inputs, boolean createGraph) {
        return grad(new Tensor[] {output}, inputs, GradOptions.DEFAULT.createGraph(createGraph));
    }

    /** Clears the gradients of {@code tensors} as an optimizer's {@code zeroGrad} does: sets them to null. */
    public static void zeroGrad(Tensor... tensors) {
        zeroGrad(Arrays.asList(tensors), true);
    }

    /**
     * Clears the gradients of {@code tensors}: to null ({@code setToNone}, which frees them) or by writing
     * zeros into the existing gradients, detached from any graph that computed them.
     */
    public static void zeroGrad(Iterable<Tensor> tensors, boolean setToNone) {
        for (Tensor t : tensors) {
            Tensor g = t.peekGrad();
            if (g == null) continue;
            if (setToNone) {
                t.setGrad(null);
                continue;
            }
            g.detach_();
            try (var off = GradMode.noGrad()) {
                g.zero_();
            }
        }
    }

    private static Tensor[] rootGrads(String op, Tensor[] outputs, Tensor[] grads) {
        Tensor[] gs = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            Tensor g = grads == null ? null : grads[i];
            if (g == null) {
                if (out.numel() != 1) {
                    throw new IllegalArgumentException(op + ": grad can be implicitly created only for scalar outputs;"
                            + " output " + i + " is " + out.describe() + ", expected one element or an explicit gradient");
                }
                g = out.onesLike();
            } else if (!Arrays.equals(g.shape(), out.shape())) {
                throw new IllegalArgumentException(op + ": mismatch in shape: grad_output[" + i + "] has a shape of "
                        + Shape.str(g.shape()) + " and output[" + i + "] has a shape of " + Shape.str(out.shape())
                        + "; expected equal shapes");
            }
            gs[i] = g;
        }
        return gs;
    }
}
