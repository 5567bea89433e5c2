package dev.panagrad.autograd;

import dev.panagrad.GradMode;
import dev.panagrad.Graph;
import dev.panagrad.Tensor;

/**
 * A differentiable operation written by the user, as PyTorch's {@code torch.autograd.Function}: a forward
 * that computes outputs from arguments (tensors and other values) and a backward that turns the gradients
 * of the outputs into gradients of the arguments. Forward runs without recording; {@link #apply} records one
 * node, named after the class ({@code MyReluBackward}), that calls backward. A backward written with tensor
 * ops is itself differentiable, so the function also works under {@code createGraph}.
 *
 * <pre>{@code
 * final class MyRelu extends Function {
 *     protected Tensor[] forward(Context ctx, Object... args) {
 *         Tensor x = (Tensor) args[0];
 *         ctx.saveForBackward(x);
 *         return new Tensor[] {x.clampMin(0)};
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor... grads) {
 *         Tensor x = ctx.savedTensors()[0];
 *         return new Tensor[] {Tensor.where(x.gt(0), grads[0], 0)};   // d relu(x)/dx = [x > 0]
 *     }
 * }
 * Tensor y = new MyRelu().applyOne(x);
 * }</pre>
 */
public abstract class Function {

    /**
     * Computes the outputs; runs with gradient recording off. Save what backward needs in {@code ctx}.
     * Returning an argument unchanged gives the caller a new tensor that shares its storage.
     */
    protected abstract Tensor[] forward(Context ctx, Object... args);

    /**
     * Returns one gradient per argument of {@link #apply} (null for arguments that are not tensors or need no
     * gradient), each with its argument's shape. {@code gradOutputs} holds one gradient per output: zeros
     * for outputs that received none (null instead after {@link Context#setMaterializeGrads}(false)).
     */
    protected abstract Tensor[] backward(Context ctx, Tensor... gradOutputs);

    /** The name of the recorded node: the class name followed by {@code Backward}. */
    public String name() {
        String simple = getClass().getSimpleName();
        return (simple.isEmpty() ? "Function" : simple) + "Backward";
    }

    /** Runs forward and, when any tensor argument requires grad, records the node that calls backward. */
    public final Tensor[] apply(Object... args) {
        Tensor[] inputs = new Tensor[args.length];
        boolean[] needs = new boolean[args.length];
        boolean record = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Tensor t) {
                inputs[i] = t;
                needs[i] = GradMode.isEnabled() && t.requiresGrad();
                record |= needs[i];
            }
        }
        Context ctx = new Context(name(), needs);
        Tensor[] outs;
        try (var off = GradMode.noGrad()) {
            outs = forward(ctx, args);
        }
        checkOutputs(outs);
        for (int k = 0; k < outs.length; k++) {
            if (outs[k].requiresGrad() || isArgument(outs[k], inputs)) {
                Tensor alias = outs[k].detach();
                ctx.replaceSaved(outs[k], alias);
                outs[k] = alias;
            }
        }
        if (!record) return outs;
        ctx.freeze();
        Tensor[] differentiable = new Tensor[outs.length];
        for (int k = 0; k < outs.length; k++) {
            if (!ctx.isNonDifferentiable(outs[k]) && outs[k].dtype().isFloating()) differentiable[k] = outs[k];
        }
        Graph.attach(new FunctionBackward(this, ctx, inputs, outs), differentiable, inputs);
        return outs;
    }

    /** {@link #apply} for a function with one output. */
    public final Tensor applyOne(Object... args) {
        return apply(args)[0];
    }

    private void checkOutputs(Tensor[] outs) {
        if (outs == null || outs.length == 0) {
            throw new IllegalStateException(name() + ": forward returned no outputs; expected at least one tensor");
        }
        for (int k = 0; k < outs.length; k++) {
            if (outs[k] == null) {
                throw new IllegalStateException(name() + ": forward returned null as output " + k
                        + "; expected a tensor");
            }
        }
    }

    private static boolean isArgument(Tensor t, Tensor[] inputs) {
        for (Tensor in : inputs) if (in == t) return true;
        return false;
    }
}
