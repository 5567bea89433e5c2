package dev.panagrad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one backward pass: finds the nodes reachable from the outputs (iteratively, so deep graphs cannot
 * overflow the stack), orders them so that every node runs after all nodes feeding it, sums fan-in, and
 * drops each gradient as soon as its node has consumed it.
 *
 * <p>Leaves are not part of the ordering: their gradients are summed in this pass's own table and
 * accumulated at the end, once per leaf, under the leaf's lock. So passes on several threads may share
 * leaves (parameters), and a backward called from inside a backward (a custom function, a checkpoint)
 * may reach the leaves of the outer pass. Interior nodes belong to one pass at a time.
 */
final class Engine {
    private final Thread thread = Thread.currentThread();
    private final boolean retainGraph;
    private final boolean createGraph;
    /** Targets of autograd.grad: a node, then pairs (output slot, index in inputs); null for backward. */
    private final Map<Node, int[]> targets;
    private final ArrayList<Node> seen = new ArrayList<>();
    private final Map<AccumulateGrad, Tensor> leafGrads = new LinkedHashMap<>();
    /** For backward: how many edges from interior nodes not yet run still lead to each leaf. */
    private final Map<AccumulateGrad, int[]> leafEdges = new IdentityHashMap<>();

    private Engine(boolean retainGraph, boolean createGraph, Map<Node, int[]> targets) {
        this.retainGraph = retainGraph;
        this.createGraph = createGraph;
        this.targets = targets;
    }

    /**
     * Backpropagates {@code grads} from {@code outputs}. With {@code inputs == null} it accumulates into the
     * leaves' {@code grad}; otherwise it returns the gradients of {@code inputs} and touches no {@code grad}.
     */
    static Tensor[] run(Tensor[] outputs, Tensor[] grads, boolean retainGraph, boolean createGraph,
                        Tensor[] inputs, boolean allowUnused) {
        Node[] rootNodes = new Node[outputs.length];
        int[] rootSlots = new int[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor out = outputs[i];
            if (!out.requiresGrad()) {
                throw new AutogradException.NoGradient("backward: element " + i + " of tensors does not require grad and "
                        + "does not have a gradFn; given " + out.describe() + ", expected a tensor computed from "
                        + "tensors with requiresGrad=true");
            }
            rootNodes[i] = out.gradFn() != null ? out.gradFn() : out.accumulator();
            rootSlots[i] = out.gradFn() != null ? out.outputNr : 0;
        }
        Engine pass = new Engine(retainGraph, createGraph, inputs == null ? null : targets(inputs));
        try {
            ArrayList<Node> order = pass.order(rootNodes);
            Tensor[] results = pass.execute(order, rootNodes, rootSlots, grads, inputs == null ? 0 : inputs.length);
            if (results != null && !allowUnused) {
                for (int i = 0; i < results.length; i++) {
                    if (results[i] == null) {
                        throw new AutogradException.UnusedInput("grad: one of the differentiated tensors (input " + i + ", "
                                + inputs[i].describe() + ") appears to not have been used in the graph; "
                                + "expected allowUnused=true if this is the desired behavior");
                    }
                }
            }
            return results;
        } finally {
            for (Node node : pass.seen) {
                node.buffer = null;
                node.task = null;
            }
        }
    }

    private static Map<Node, int[]> targets(Tensor[] inputs) {
        Map<Node, int[]> targets = new IdentityHashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (!t.requiresGrad()) {
                throw new IllegalArgumentException("grad: input " + i + " does not require grad; given "
                        + t.describe() + ", expected tensors with requiresGrad=true");
            }
            Node n = t.gradFn() != null ? t.gradFn() : t.accumulator();
            int slot = t.gradFn() != null ? t.outputNr : 0;
            int[] slots = targets.getOrDefault(n, new int[0]);
            int[] grown = Arrays.copyOf(slots, slots.length + 2);
            grown[slots.length] = slot;
            grown[slots.length + 1] = i;
            targets.put(n, grown);
        }
        return targets;
    }

    private Tensor[] execute(ArrayList<Node> order, Node[] rootNodes, int[] rootSlots, Tensor[] grads, int inputs) {
        Tensor[] results = targets == null ? null : new Tensor[inputs];
        try (var mode = GradMode.setGradEnabled(createGraph)) {
            for (int i = 0; i < rootNodes.length; i++) send(rootNodes[i], rootSlots[i], grads[i]);
            for (Node node : order) {
                runNode(node, results);
                if (targets == null) leavesReached(node);
            }
            for (Map.Entry<AccumulateGrad, Tensor> e : leafGrads.entrySet()) {
                Tensor leaf = e.getKey().leaf;
                if (targets == null) leaf.receiveLeafGrad(e.getValue());
                else capture(targets.get(e.getKey()), new Tensor[] {leaf.applyLeafHooks(e.getValue())}, results);
            }
        }
        return results;
    }

    /** Runs one interior node: its hooks, its backward, and sends the results on. */
    private void runNode(Node node, Tensor[] results) {
        Tensor[] gs = node.buffer;
        node.buffer = null;
        node.task = null;
        if (gs == null || (targets != null && !node.needed)) return;
        node.runPreHooks(gs, targets == null);
        if (targets != null) {
            int[] slots = targets.get(node);
            if (slots != null) capture(slots, gs, results);
            if (!leadsToTarget(node)) return;
        }
        if (allNull(gs)) return;
        node.checkSaved();
        boolean offer = targets == null && !createGraph && !Anomaly.isEnabled() && node.addsIntoGrads();
        int into = offer ? gradToAddInto(node) : -1;
        Tensor[] inGrads;
        if (into < 0) {
            inGrads = node.apply(gs);
        } else {
            Tensor leaf = ((AccumulateGrad) node.nextNodes[into]).leaf;
            synchronized (leaf) {   // as accumulateGrad, which an add into the gradient replaces
                Tensor[] offered = new Tensor[node.nextNodes.length];
                offered[into] = leaf.gradToAddInto();
                inGrads = node.apply(gs, offered);
                if (offered[into] != null && inGrads.length > into && inGrads[into] == offered[into]) {
                    inGrads[into] = null;
                    leaf.gradAddedInPlace();
                }
            }
        }
        if (!retainGraph) node.release();
        if (Anomaly.isEnabled()) checkFinite(node, inGrads);
        Node[] next = node.nextNodes;
        int[] nextSlots = node.nextSlots;
        for (int j = 0, n = Math.min(next.length, inGrads.length); j < n; j++) {
            if (next[j] != null && inGrads[j] != null) send(next[j], nextSlots[j], inGrads[j]);
        }
    }

    /**
     * The first input of {@code node} whose gradient it may add straight into a leaf's {@code .grad}: a leaf
     * that gets its gradient of this pass from this node alone, with a gradient to add into; -1 for none.
     */
    private int gradToAddInto(Node node) {
        Node[] next = node.nextNodes;
        for (int j = 0; j < next.length; j++) {
            if (next[j] instanceof AccumulateGrad acc && leafEdges.get(acc)[0] == 1 && !leafGrads.containsKey(acc)
                    && acc.leaf.gradToAddInto() != null) {
                return j;
            }
        }
        return -1;
    }

    /** Accumulates each leaf {@code node} feeds whose last possible gradient of this pass has now arrived. */
    private void leavesReached(Node node) {
        for (Node next : node.nextNodes) {
            if (!(next instanceof AccumulateGrad acc) || --leafEdges.get(acc)[0] > 0) continue;
            Tensor g = leafGrads.remove(acc);
            if (g != null) acc.leaf.receiveLeafGrad(g);
        }
    }

    /** Adds a gradient to what {@code node} will receive at output {@code slot}. */
    private void send(Node node, int slot, Tensor g) {
        if (node instanceof AccumulateGrad acc) {
            if (targets == null || targets.containsKey(acc)) leafGrads.merge(acc, g, Engine::sum);
            return;
        }
        if (node.buffer == null) node.buffer = new Tensor[node.numOutputs];
        node.buffer[slot] = sum(node.buffer[slot], g);
    }

    /** Kahn's algorithm over the reachable interior nodes: a node comes after every node that sends it a gradient. */
    private ArrayList<Node> order(Node[] roots) {
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (Node r : roots) if (!(r instanceof AccumulateGrad)) visit(r, stack);
        while (!stack.isEmpty()) {
            for (Node next : stack.pop().nextNodes) {
                if (next instanceof AccumulateGrad acc && targets == null) leafEdges.computeIfAbsent(acc, k -> new int[1])[0]++;
                if (next == null || next instanceof AccumulateGrad) continue;
                visit(next, stack);
                next.pending++;
            }
        }
        ArrayList<Node> order = new ArrayList<>(seen.size());
        for (Node r : roots) {
            if (r.task == this && r.pending == 0) {
                r.pending = -1;   // queued: a node that is the root of several outputs is queued once
                order.add(r);
            }
        }
        for (int i = 0; i < order.size(); i++) {
            for (Node next : order.get(i).nextNodes) {
                if (next != null && !(next instanceof AccumulateGrad) && --next.pending == 0) order.add(next);
            }
        }
        if (targets != null) markNeeded(order);
        return order;
    }

    private void visit(Node n, ArrayDeque<Node> stack) {
        Object owner = n.task;
        if (owner == this) return;
        if (owner != null) throw conflict(n, (Engine) owner);
        n.task = this;
        n.pending = 0;
        n.buffer = null;
        n.needed = false;
        seen.add(n);
        stack.push(n);
    }

    private AutogradException conflict(Node n, Engine other) {
        if (other.thread == thread) {
            return new AutogradException.ConcurrentBackward("backward: " + n.name() + " belongs to a backward pass that is still "
                    + "running on this thread (a backward started inside another backward reached the outer graph);"
                    + " expected the inner backward to run on a graph of its own, sharing only leaves");
        }
        return new AutogradException.ConcurrentBackward("backward: " + n.name() + " is part of a backward pass running on thread '"
                + other.thread.getName() + "'; expected concurrent backward passes to use separate graphs "
                + "(they may share leaves)");
    }

    /** In autograd.grad, only nodes with a path to a requested input run. */
    private void markNeeded(ArrayList<Node> order) {
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            n.needed = targets.containsKey(n) || leadsToTarget(n);
        }
    }

    private boolean leadsToTarget(Node n) {
        for (Node next : n.nextNodes) {
            if (next == null) continue;
            if (next instanceof AccumulateGrad ? targets.containsKey(next) : next.needed) return true;
        }
        return false;
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
                throw new AutogradException.AnomalyDetected("backward: Function '" + node.name() + "' returned nan values in its "
                        + j + "th output; expected finite gradients. The forward op that created it was called at:"
                        + where);
            }
        }
    }
}
