package dev.panagrad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs a backward pass: finds the nodes reachable from the outputs (iteratively, so deep graphs cannot
 * overflow the stack), orders them so that every node runs after all nodes feeding it, sums fan-in, and
 * drops each gradient as soon as its node has consumed it. Leaf gradients are summed per pass and
 * accumulated at the end, once per leaf, under the leaf's lock.
 */
final class Engine {
    private Engine() {}

    /**
     * Backpropagates {@code grads} from {@code outputs}. With {@code inputs == null} it accumulates into the
     * leaves' {@code grad}; otherwise it returns the gradients of {@code inputs} and touches no {@code grad}.
     */
    static Tensor[] run(Tensor[] outputs, Tensor[] grads, boolean retainGraph, boolean createGraph,
                        Tensor[] inputs, boolean allowUnused) {
        Object task = new Object();
        Node[] rootNodes = new Node[outputs.length];
        int[] rootSlots = new int[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (!out.requiresGrad()) {
                throw new IllegalStateException("backward: element " + i + " of tensors does not require grad and "
                        + "does not have a gradFn; given " + out.describe() + ", expected a tensor computed from "
                        + "tensors with requiresGrad=true");
            }
            rootNodes[i] = out.gradFn() != null ? out.gradFn() : out.accumulator();
            rootSlots[i] = out.gradFn() != null ? out.outputNr : 0;
        }
        ArrayList<Node> order = topologicalOrder(rootNodes, task);
        try {
            return execute(order, rootNodes, rootSlots, outputs, grads, retainGraph, createGraph, inputs, allowUnused);
        } finally {
            for (Node node : order) {
                node.buffer = null;
                node.task = null;
            }
        }
    }

    private static Tensor[] execute(ArrayList<Node> order, Node[] rootNodes, int[] rootSlots, Tensor[] outputs,
                                    Tensor[] grads, boolean retainGraph, boolean createGraph, Tensor[] inputs,
                                    boolean allowUnused) {
        // Targets of autograd.grad: a leaf's AccumulateGrad, or a (node, output) pair for non-leaves.
        Map<Node, int[]> targets = null;
        if (inputs != null) {
            targets = new IdentityHashMap<>();
            for (int i = 0; i < inputs.length; i++) {
                Tensor t = inputs[i];
                if (!t.requiresGrad()) {
                    throw new IllegalArgumentException("grad: input " + i + " does not require grad; given "
                            + t.describe() + ", expected tensors with requiresGrad=true");
                }
                Node n = t.gradFn() != null ? t.gradFn() : t.accumulator();
                int slot = t.gradFn() != null ? t.outputNr : 0;
                int[] slots = targets.computeIfAbsent(n, k -> new int[0]);
                int[] grown = Arrays.copyOf(slots, slots.length + 2);
                grown[slots.length] = slot;
                grown[slots.length + 1] = i;
                targets.put(n, grown);
            }
            markNeeded(order, targets);
        }

        for (int i = 0; i < outputs.length; i++) {
            Node n = rootNodes[i];
            if (n.buffer == null) n.buffer = new Tensor[n.numOutputs];
            n.buffer[rootSlots[i]] = sum(n.buffer[rootSlots[i]], grads[i]);
        }

        Tensor[] results = inputs == null ? null : new Tensor[inputs.length];
        Map<AccumulateGrad, Tensor> leafGrads = new IdentityHashMap<>();
        try (var mode = GradMode.setGradEnabled(createGraph)) {
            for (Node node : order) {
                Tensor[] gs = node.buffer;
                node.buffer = null;
                node.task = null;
                if (gs == null || (targets != null && !node.needed)) continue;
                if (node instanceof AccumulateGrad acc) {
                    if (targets == null) leafGrads.merge(acc, gs[0], Engine::sum);
                    else capture(targets.get(node), gs, results);
                    continue;
                }
                node.runPreHooks(gs);
                if (targets != null && targets.containsKey(node)) capture(targets.get(node), gs, results);
                if (allNull(gs)) continue;
                node.checkSaved();
                Tensor[] inGrads = node.apply(gs);
                if (!retainGraph) node.release();
                if (Anomaly.isEnabled()) checkFinite(node, inGrads);
                for (int j = 0; j < node.nextNodes.length; j++) {
                    Node next = node.nextNodes[j];
                    if (next == null || j >= inGrads.length || inGrads[j] == null) continue;
                    if (next.buffer == null) next.buffer = new Tensor[next.numOutputs];
                    int slot = node.nextSlots[j];
                    next.buffer[slot] = sum(next.buffer[slot], inGrads[j]);
                }
            }
        }
        for (Map.Entry<AccumulateGrad, Tensor> e : leafGrads.entrySet()) e.getKey().leaf.accumulateGrad(e.getValue());
        if (results != null && !allowUnused) {
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    throw new IllegalStateException("grad: one of the differentiated tensors (input " + i + ", "
                            + inputs[i].describe() + ") appears to not have been used in the graph; "
                            + "expected allowUnused=true if this is the desired behavior");
                }
            }
        }
        return results;
    }

    /** Kahn's algorithm over the reachable nodes: a node comes after every node that sends it a gradient. */
    private static ArrayList<Node> topologicalOrder(Node[] roots, Object task) {
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayList<Node> seen = new ArrayList<>();
        for (Node r : roots) visit(r, task, stack, seen);
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            for (Node next : n.nextNodes) {
                if (next == null) continue;
                visit(next, task, stack, seen);
                next.pending++;
            }
        }
        ArrayList<Node> order = new ArrayList<>(seen.size());
        for (Node r : roots) {
            if (r.pending == 0 && r.task == task) {
                r.task = ORDERED;
                order.add(r);
            }
        }
        for (int i = 0; i < order.size(); i++) {
            for (Node next : order.get(i).nextNodes) {
                if (next != null && --next.pending == 0) {
                    next.task = ORDERED;
                    order.add(next);
                }
            }
        }
        return order;
    }

    private static final Object ORDERED = new Object();

    private static void visit(Node n, Object task, ArrayDeque<Node> stack, ArrayList<Node> seen) {
        if (n.task == task) return;
        if (n.task != null && n.task != ORDERED) {
            throw new IllegalStateException("backward: " + n.name() + " is part of a backward pass running on "
                    + "another thread; expected one backward pass at a time through a graph");
        }
        n.task = task;
        n.pending = 0;
        n.buffer = null;
        n.needed = false;
        seen.add(n);
        stack.push(n);
    }

    /** In autograd.grad, only nodes with a path to a requested input run. */
    private static void markNeeded(ArrayList<Node> order, Map<Node, int[]> targets) {
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            boolean needed = targets.containsKey(n);
            for (Node next : n.nextNodes) needed |= next != null && next.needed;
            n.needed = needed;
        }
    }

    private static void capture(int[] slots, Tensor[] grads, Tensor[] results) {
        for (int k = 0; k < slots.length; k += 2) {
            Tensor g = grads[slots[k]];
            if (g != null) results[slots[k + 1]] = sum(results[slots[k + 1]], g);
        }
    }

    private static Tensor sum(Tensor acc, Tensor g) {
        return acc == null ? g : acc.add(g);
    }

    private static boolean allNull(Tensor[] gs) {
        for (Tensor g : gs) if (g != null) return false;
        return true;
    }

    private static void checkFinite(Node node, Tensor[] inGrads) {
        for (int j = 0; j < inGrads.length; j++) {
            Tensor g = inGrads[j];
            if (g == null || !g.dtype().isFloating()) continue;
            boolean nan;
            try (var off = GradMode.noGrad()) {
                nan = g.isnan().any();
            }
            if (nan) {
                StringBuilder where = new StringBuilder();
                if (node.creationTrace != null) {
                    for (StackTraceElement e : node.creationTrace) where.append("\n\tat ").append(e);
                }
                throw new IllegalStateException("backward: Function '" + node.name() + "' returned nan values in its "
                        + j + "th output; expected finite gradients. The forward op that created it was called at:"
                        + where);
            }
        }
    }
}
