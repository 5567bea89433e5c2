package dev.panagrad;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One step of the recorded graph: it turns the gradients of its outputs into gradients of its inputs.
 * A tensor's {@link Tensor#gradFn()} is the node that produced it; its name follows PyTorch
 * ({@code AddBackward0}, {@code MulBackward0}, {@code AccumulateGrad} for leaves).
 *
 * <pre>{@code
 * Tensor z = x.mul(x).add(y);
 * z.gradFn().name();                    // "AddBackward0"
 * z.gradFn().nextFunctions().get(0);    // MulBackward0
 * }</pre>
 */
public abstract class Node {
    private final String name;
    final int numOutputs;
    Node[] nextNodes = NO_NODES;
    int[] nextSlots = NO_SLOTS;
    private List<UnaryOperator<Tensor>>[] preHooks;
    private Tensor[] retained;
    StackTraceElement[] creationTrace;

    // State of the backward pass that is running through this node (see Engine).
    Object task;
    Tensor[] buffer;
    int pending;
    boolean needed;

    private static final Node[] NO_NODES = new Node[0];
    private static final int[] NO_SLOTS = new int[0];
    private static final int[] SLOT_ZERO = new int[1];   // shared by one-input nodes whose input is output 0

    /** A node with the given name and number of outputs. */
    protected Node(String name, int numOutputs) {
        this.name = name;
        this.numOutputs = numOutputs;
    }

    /** The node's name, e.g. {@code MulBackward0}. */
    public String name() {
        return name;
    }

    /** The nodes that receive this node's input gradients, one per input (null where none is needed). */
    public List<Node> nextFunctions() {
        return java.util.Arrays.asList(nextNodes.clone());
    }

    /**
     * Computes the gradients of the inputs from the gradients of the outputs (null where an output got
     * none). Returns one entry per input; null means no gradient.
     */
    protected abstract Tensor[] apply(Tensor[] gradOutputs);

    /** Whether {@link #apply(Tensor[], Tensor[])} may add an input's gradient straight into a given tensor. */
    boolean addsIntoGrads() {
        return false;
    }

    /**
     * {@link #apply(Tensor[])}, offered per input a tensor to add its gradient to ({@code into[i]}, or null); an
     * input whose gradient was added there gets {@code into[i]} itself back.
     */
    Tensor[] apply(Tensor[] gradOutputs, Tensor[] into) {
        return apply(gradOutputs);
    }

    /** Drops what the node saved for backward; called after a backward pass that does not retain the graph. */
    protected void release() {}

    /** Checks that saved tensors were not modified in place since they were saved; throws if they were. */
    protected void checkSaved() {}

    /** Links this node's inputs to the nodes that produced them. */
    final void connect(Tensor[] inputs) {
        int n = inputs.length;
        nextNodes = new Node[n];
        nextSlots = new int[n];
        for (int i = 0; i < n; i++) link(i, inputs[i]);
    }

    /** Links the only input of a one-input node. */
    final void connect(Tensor input) {
        nextNodes = new Node[1];
        nextSlots = input.outputNr == 0 ? SLOT_ZERO : new int[1];
        link(0, input);
    }

    private void link(int i, Tensor t) {
        if (t == null || !t.requiresGrad()) return;
        if (t.gradFn() != null) {
            nextNodes[i] = t.gradFn();
            if (t.outputNr != 0) nextSlots[i] = t.outputNr;
        } else {
            nextNodes[i] = t.accumulator();
        }
    }

    @SuppressWarnings("unchecked")
    final Runnable addPreHook(int output, UnaryOperator<Tensor> hook) {
        if (preHooks == null) preHooks = new List[numOutputs];
        if (preHooks[output] == null) preHooks[output] = new ArrayList<>();
        List<UnaryOperator<Tensor>> list = preHooks[output];
        list.add(hook);
        return () -> list.remove(hook);
    }

    final void retainOutput(int output, Tensor t) {
        if (retained == null) retained = new Tensor[numOutputs];
        retained[output] = t;
    }

    /**
     * Runs the gradient hooks of each output, then (when {@code retain}, that is in backward rather than
     * autograd.grad) stores the gradients of retained non-leaf outputs.
     */
    final void runPreHooks(Tensor[] grads, boolean retain) {
        if (preHooks != null) {
            for (int i = 0; i < numOutputs; i++) {
                if (preHooks[i] == null || grads[i] == null) continue;
                for (UnaryOperator<Tensor> h : preHooks[i]) {
                    Tensor r = h.apply(grads[i]);
                    if (r != null) grads[i] = r;
                }
            }
        }
        if (retain && retained != null) {
            for (int i = 0; i < numOutputs; i++) {
                if (retained[i] != null && grads[i] != null) retained[i].accumulateGrad(grads[i]);
            }
        }
    }

    @Override
    public String toString() {
        return "<" + name + ">";
    }
}
