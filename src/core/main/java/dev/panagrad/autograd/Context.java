package dev.panagrad.autograd;

import dev.panagrad.Tensor;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one call of a custom {@link Function} keeps between its forward and its backward: tensors saved
 * for backward (checked against in-place changes), which inputs need a gradient, which outputs are not
 * differentiable, and any other values the backward needs.
 *
 * <pre>{@code
 * protected Tensor[] forward(Context ctx, Object... args) {
 *     Tensor x = (Tensor) args[0];
 *     ctx.saveForBackward(x);
 *     ctx.put("scale", args[1]);
 *     return new Tensor[] {x.mul((double) args[1])};
 * }
 * protected Tensor[] backward(Context ctx, Tensor... grads) {
 *     double scale = ctx.get("scale");
 *     return new Tensor[] {ctx.needsInputGrad(0) ? grads[0].mul(scale) : null, null};
 * }
 * }</pre>
 */
public final class Context {
    private final String owner;
    private final boolean[] needsInputGrad;
    private Tensor[] saved = new Tensor[0];
    private long[] savedVersions;
    private boolean released;
    private final Set<Tensor> nonDifferentiable = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, Object> values = new HashMap<>();
    private boolean materializeGrads = true;

    Context(String owner, boolean[] needsInputGrad) {
        this.owner = owner;
        this.needsInputGrad = needsInputGrad;
    }

    /** Keeps tensors (inputs or outputs of forward) for backward; replaces what an earlier call saved. */
    public void saveForBackward(Tensor... tensors) {
        saved = tensors.clone();
    }

    /**
     * The tensors saved by forward. Throws if the graph was already freed by a backward without
     * {@code retainGraph}, or if any of them was modified in place since forward returned.
     */
    public Tensor[] savedTensors() {
        checkSaved();
        return saved.clone();
    }

    /** True when argument {@code i} of the call is a tensor whose gradient is wanted. */
    public boolean needsInputGrad(int i) {
        if (i < 0 || i >= needsInputGrad.length) {
            throw new IndexOutOfBoundsException("needsInputGrad: argument " + i + " does not exist; the call had "
                    + needsInputGrad.length + " arguments");
        }
        return needsInputGrad[i];
    }

    /** Declares outputs (for example indices) that get no gradient and do not require grad. */
    public void markNonDifferentiable(Tensor... outputs) {
        Collections.addAll(nonDifferentiable, outputs);
    }

    /**
     * Whether backward sees zeros (true, the default) or null for outputs that received no gradient, as
     * PyTorch's {@code ctx.set_materialize_grads}.
     */
    public void setMaterializeGrads(boolean value) {
        materializeGrads = value;
    }

    /** Stores a value (a constant, a shape) for backward. */
    public void put(String key, Object value) {
        values.put(key, value);
    }

    /** A value stored by {@link #put}; throws if there is none. */
    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("Context.get: no value named '" + key + "'; forward stored "
                    + values.keySet());
        }
        return (T) values.get(key);
    }

    boolean isNonDifferentiable(Tensor t) {
        return nonDifferentiable.contains(t);
    }

    boolean materializeGrads() {
        return materializeGrads;
    }

    /** Swaps a saved output for the tensor the caller receives in its place. */
    void replaceSaved(Tensor from, Tensor to) {
        for (int i = 0; i < saved.length; i++) if (saved[i] == from) saved[i] = to;
        if (nonDifferentiable.remove(from)) nonDifferentiable.add(to);
    }

    /** Records the versions of the saved tensors once forward has returned. */
    void freeze() {
        savedVersions = new long[saved.length];
        for (int i = 0; i < saved.length; i++) savedVersions[i] = saved[i] == null ? 0 : saved[i].version();
    }

    void checkSaved() {
        if (released) {
            throw new IllegalStateException("backward: Trying to backward through the graph a second time (or "
                    + "directly access saved tensors after they have already been freed): " + owner + " freed its "
                    + "saved tensors after the first backward; expected retainGraph=true on the first backward if "
                    + "you need to backward through the graph again");
        }
        for (int i = 0; savedVersions != null && i < saved.length; i++) {
            Tensor t = saved[i];
            if (t != null && t.version() != savedVersions[i]) {
                throw new IllegalStateException("backward: one of the variables needed for gradient computation has "
                        + "been modified by an inplace operation: saved tensor " + i + " of " + owner + " "
                        + t.describe() + " is at version " + t.version() + "; expected version " + savedVersions[i]
                        + " instead");
            }
        }
    }

    /** Drops the saved tensors after a backward that does not retain the graph. */
    void release() {
        if (saved.length == 0) return;
        saved = new Tensor[0];
        released = true;
    }
}
