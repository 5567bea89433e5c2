package dev.panagrad;

/**
 * Records ops into the autograd graph: an op computes its output without autograd, then states its
 * derivative here, next to the forward. Derivatives are written with tensor ops, so under
 * {@code createGraph} they are recorded again and higher-order gradients work for every op.
 *
 * <pre>{@code
 * static Tensor exp(Tensor x) {
 *     Tensor out = Pointwise.map(UnaryOp.EXP, x);
 *     return Graph.record("ExpBackward0", out, x, (g, s) -> g.mul(s[0]), out);   // d/dx e^x = e^x
 * }
 * }</pre>
 */
public final class Graph {
    private Graph() {}

    /** Input gradients (one per input, null for none) from output gradients and the saved tensors. */
    @FunctionalInterface
    public interface Derivative {
        /**
         * @param gradOutputs the gradient of each output (zeros where an output was not used)
         * @param saved the tensors saved when the op was recorded
         * @return the gradient of each input, null for an input that needs none
         */
        Tensor[] apply(Tensor[] gradOutputs, Tensor[] saved);
    }

    /** The derivative of a one-input, one-output op. */
    @FunctionalInterface
    public interface UnaryDerivative {
        /**
         * @param grad the gradient of the output
         * @param saved the tensors saved when the op was recorded
         * @return the gradient of the input
         */
        Tensor apply(Tensor grad, Tensor[] saved);
    }

    /** The derivative of a one-output op with several inputs. */
    @FunctionalInterface
    public interface MultiInputDerivative {
        /**
         * @param grad the gradient of the output
         * @param saved the tensors saved when the op was recorded
         * @return the gradient of each input, null for an input that needs none
         */
        Tensor[] apply(Tensor grad, Tensor[] saved);
    }

    /**
     * A {@link MultiInputDerivative} that can add an input's gradient straight into that input's {@code .grad}
     * (a product writing its result there, say), which saves the gradient's temporary and the pass that would
     * add it. The engine offers this for a leaf whose gradient this node alone gives in the pass, and whose
     * {@code .grad} is there, contiguous and free of hooks.
     */
    @FunctionalInterface
    public interface AccumulatingDerivative {
        /**
         * @param grad the gradient of the output
         * @param saved the tensors saved when the op was recorded
         * @param into per input, the tensor its gradient may be added to (same shape and dtype, contiguous), or
         *     null
         * @return the gradient of each input, null for an input that needs none, or {@code into[i]} itself for an
         *     input whose gradient was added there
         */
        Tensor[] apply(Tensor grad, Tensor[] saved, Tensor[] into);
    }

    private static final Tensor[] NONE = new Tensor[0];

    /** Convenience for building input, saved and gradient arrays. */
    public static Tensor[] of(Tensor... tensors) {
        return tensors;
    }

    /** True when an op with these inputs must record a node. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /** Records a one-input op: {@code out} gets a node that maps its gradient through {@code d}. */
    public static Tensor record(String name, Tensor out, Tensor input, UnaryDerivative d, Tensor... saved) {
        if (!input.requiresGrad() || !GradMode.isEnabled()) return out;
        Node node = new FunctionNode(name, d, saved);
        node.connect(input);
        return attachOutput(node, out);
    }

    /** Records a one-output op with several inputs. */
    public static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved, MultiInputDerivative d) {
        if (!needsGrad(inputs)) return out;
        Node node = new FunctionNode(name, d, saved == null ? NONE : saved);
        node.connect(inputs);
        return attachOutput(node, out);
    }

    /** Records a one-output op with several inputs whose derivative may add into a leaf's gradient. */
    public static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved, AccumulatingDerivative d) {
        if (!needsGrad(inputs)) return out;
        Node node = new FunctionNode(name, d, saved == null ? NONE : saved);
        node.connect(inputs);
        return attachOutput(node, out);
    }

    /** Records an op with several outputs; the derivative gets null for outputs that received no gradient. */
    public static Tensor[] recordMulti(String name, Tensor[] outs, Tensor[] inputs, Tensor[] saved, Derivative d) {
        if (!needsGrad(inputs)) return outs;
        attach(new FunctionNode(name, outs.length, d, saved == null ? NONE : saved), outs, inputs);
        return outs;
    }

    /** Makes {@code node} (already connected to its inputs) the producer of its only output. */
    private static Tensor attachOutput(Node node, Tensor out) {
        if (Anomaly.isEnabled()) node.creationTrace = new Throwable().getStackTrace();
        if (out.dtype().isFloating()) out.setGradFn(node, 0);
        if (node instanceof FunctionNode f) f.noteSavedProducers();
        return out;
    }

    /** Links a custom node to its inputs and makes it the producer of {@code outs}. */
    public static Tensor attach(Node node, Tensor[] outs, Tensor[] inputs) {
        node.connect(inputs);
        if (Anomaly.isEnabled()) node.creationTrace = new Throwable().getStackTrace();
        for (int i = 0; i < outs.length; i++) {
            if (outs[i] != null && outs[i].dtype().isFloating()) outs[i].setGradFn(node, i);
        }
        if (node instanceof FunctionNode f) f.noteSavedProducers();
        return outs[0];
    }
}
