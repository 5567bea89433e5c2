package dev.panagrad;

import dev.panagrad.memory.Storage;

/**
 * A node whose derivative is a closure over the tensors it saved, version-checked before use. The closure
 * has one of four forms (exactly one is set), so that the common one-output ops need no adapter.
 */
final class FunctionNode extends Node {
    private final Graph.Derivative derivative;
    private final Graph.UnaryDerivative unary;
    private final Graph.MultiInputDerivative multiInput;
    private final Graph.AccumulatingDerivative accumulating;
    private Tensor[] saved;
    private long[] savedVersions;
    /** What produced each saved tensor when it was saved (for error messages); null for leaves and constants. */
    private Node[] savedProducers;
    private int[] savedOutputs;
    private boolean released;

    private FunctionNode(String name, int numOutputs, Graph.Derivative derivative, Graph.UnaryDerivative unary,
                         Graph.MultiInputDerivative multiInput, Graph.AccumulatingDerivative accumulating,
                         Tensor[] saved) {
        super(name, numOutputs);
        this.derivative = derivative;
        this.unary = unary;
        this.multiInput = multiInput;
        this.accumulating = accumulating;
        this.saved = saved;
        if (saved.length > 0) {
            savedVersions = new long[saved.length];
            for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i] == null ? 0 : saved[i].version();
        }
    }

    /** A node with several outputs. */
    FunctionNode(String name, int numOutputs, Graph.Derivative derivative, Tensor[] saved) {
        this(name, numOutputs, derivative, null, null, null, saved);
    }

    /** A node of a one-input, one-output op. */
    FunctionNode(String name, Graph.UnaryDerivative unary, Tensor[] saved) {
        this(name, 1, null, unary, null, null, saved);
    }

    /** A node of a one-output op with several inputs. */
    FunctionNode(String name, Graph.MultiInputDerivative multiInput, Tensor[] saved) {
        this(name, 1, null, null, multiInput, null, saved);
    }

    /** A node of a one-output op with several inputs whose derivative may add into a leaf's gradient. */
    FunctionNode(String name, Graph.AccumulatingDerivative accumulating, Tensor[] saved) {
        this(name, 1, null, null, null, accumulating, saved);
    }

    /**
     * Notes which node produced each saved tensor, once the node's outputs are attached (a saved output is
     * produced by this node), so that a version error can name it after in-place ops have moved the tensor on.
     */
    void noteSavedProducers() {
        if (saved.length == 0) return;
        savedProducers = new Node[saved.length];
        savedOutputs = new int[saved.length];
        for (int i = 0; i < saved.length; i++) {
            Tensor t = saved[i];
            if (t == null) continue;
            savedProducers[i] = t.gradFn();
            savedOutputs[i] = t.outputNr;
        }
    }

    @Override
    protected void checkSaved() {
        if (released) {
            throw new AutogradException.GraphReleased("backward: Trying to backward through the graph a second time (or "
                    + "directly access saved tensors after they have already been freed): " + name()
                    + " freed its saved tensors after the first backward; expected retainGraph=true on the first "
                    + "backward if you need to backward through the graph again");
        }
        for (int i = 0; i < (saved == null ? 0 : saved.length); i++) {
            Tensor t = saved[i];
            if (t != null && t.version() != savedVersions[i]) throw modified(i, t);
        }
    }

    /**
     * PyTorch's message, naming the node that produced the tensor ({@code output 0 of SigmoidBackward0}) and the
     * node that needed it, with the hint to turn on anomaly detection, or in anomaly mode where the failing node's
     * forward op was called.
     */
    private AutogradException.InPlaceModified modified(int i, Tensor t) {
        Node producer = savedProducers == null ? null : savedProducers[i];
        String which = producer == null ? "" : ", which is output " + savedOutputs[i] + " of " + producer.name() + ",";
        StringBuilder m = new StringBuilder("backward: one of the variables needed for gradient computation has been "
                + "modified by an inplace operation: [" + t.describe() + "]" + which + " is at version " + t.version()
                + "; expected version " + savedVersions[i] + " instead (saved tensor " + i + " of " + name() + "). ");
        if (creationTrace == null) {
            m.append("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                    + "with Anomaly.detect() (torch.autograd.set_detect_anomaly(True)).");
        } else {
            m.append("Hint: the forward call that created ").append(name()).append(" is shown below; the variable in "
                    + "question was changed there or anywhere later.");
            for (StackTraceElement e : creationTrace) m.append("\n\tat ").append(e);
        }
        return new AutogradException.InPlaceModified(m.toString());
    }

    /**
     * Replaces saved tensors that live in {@code storage} by recorded copies of their current value, so that
     * an in-place op may overwrite the storage after this node (its own out-of-place form) saved its input.
     */
    void keepSavedApartFrom(Storage storage) {
        for (int i = 0; i < saved.length; i++) {
            if (saved[i] != null && saved[i].storage() == storage) {
                saved[i] = saved[i].clone();
                savedVersions[i] = saved[i].version();
            }
        }
    }

    @Override
    protected Tensor[] apply(Tensor[] gradOutputs) {
        if (unary != null) return new Tensor[] {unary.apply(gradOutputs[0], saved)};
        if (multiInput != null) return multiInput.apply(gradOutputs[0], saved);
        if (accumulating != null) return accumulating.apply(gradOutputs[0], saved, new Tensor[nextNodes.length]);
        return derivative.apply(gradOutputs, saved);
    }

    @Override
    boolean addsIntoGrads() {
        return accumulating != null;
    }

    @Override
    Tensor[] apply(Tensor[] gradOutputs, Tensor[] into) {
        return accumulating != null ? accumulating.apply(gradOutputs[0], saved, into) : apply(gradOutputs);
    }

    @Override
    protected void release() {
        if (saved != null && saved.length > 0) {
            saved = null;
            released = true;
        }
    }
}
