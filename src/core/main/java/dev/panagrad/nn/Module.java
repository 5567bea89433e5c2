package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A building block of a network, as PyTorch's {@code nn.Module}: it owns named parameters (leaves that require
 * grad), buffers (state such as running statistics) and child modules, and maps an input to an output in
 * {@link #forward}. Parameters and buffers belong to no {@link Scope}: a training step inside
 * {@code try (Scope s = Scope.open())} frees only its temporaries.
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *     final Linear fc1 = registerModule("fc1", new Linear(784, 128));
 *     final Linear fc2 = registerModule("fc2", new Linear(128, 10));
 *     public Tensor forward(Tensor x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * Module net = new TwoLayer();
 * net.stateDict().keySet();   // [fc1.weight, fc1.bias, fc2.weight, fc2.bias]
 * net.eval();                 // inference behaviour for dropout and batch norm
 * }</pre>
 */
public abstract class Module {
    private final LinkedHashMap<String, Tensor> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers a parameter under {@code name}: {@code value} itself when it already is a contiguous leaf that
     * requires grad and belongs to no scope, else a {@link Parameter#of copy}. Returns the registered tensor.
     */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkNewName(name);
        boolean ready = value.isLeaf() && value.requiresGrad() && value.storage().scope() == null
                && value.isContiguous();
        Tensor p = ready ? value : Parameter.of(value);
        parameters.put(name, p);
        return p;
    }

    /** Registers a buffer (state saved in the state dict that is not trained), copied out of any scope. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkNewName(name);
        Tensor b = value.storage().scope() == null && value.isContiguous() && !value.requiresGrad() ? value
                : Scope.unscoped(() -> {
                    try (var off = GradMode.noGrad()) {
                        return value.detach().clone();
                    }
                });
        buffers.put(name, b);
        return b;
    }

    /** Registers a child module under {@code name} and returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkNewName(name);
        children.put(name, module);
        return module;
    }

    /** This module's own parameter of that name, or null. */
    protected final Tensor parameter(String name) {
        return parameters.get(name);
    }

    /** This module's own buffer of that name, or null. */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid name '" + name
                    + "'; expected a non-empty name without '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": attribute '" + name
                    + "' already exists; expected a new name");
        }
    }

    // ---------------------------------------------------------------- traversal

    /** All parameters of this module and its descendants by dotted name ({@code fc1.weight}), each once. */
    public Map<String, Tensor> namedParameters() {
        return collect(true);
    }

    /** All parameters, in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** All buffers of this module and its descendants by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        return collect(false);
    }

    private Map<String, Tensor> collect(boolean params) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            String prefix = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            for (Map.Entry<String, Tensor> e : (params ? m.getValue().parameters : m.getValue().buffers).entrySet()) {
                if (seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** The direct children by name. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** The direct children. */
    public List<Module> children() {
        return new ArrayList<>(children.values());
    }

    /** This module (named "") and all descendants, parents before children, each once. */
    public Map<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        addModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void addModules(String name, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) return;
        out.put(name, m);
        for (Map.Entry<String, Module> c : m.children.entrySet()) {
            addModules(name.isEmpty() ? c.getKey() : name + "." + c.getKey(), c.getValue(), out, seen);
        }
    }

    /** The number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Calls {@code fn} on every descendant, children first, then on this module (as PyTorch's apply); returns this. */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- modes and gradients

    /** Sets training ({@code true}) or evaluation mode here and in all descendants; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) c.train(mode);
        return this;
    }

    /** Training mode: dropout drops, batch norm uses and updates batch statistics. */
    public Module train() {
        return train(true);
    }

    /** Evaluation mode: dropout passes through, batch norm uses its running statistics. */
    public Module eval() {
        return train(false);
    }

    /** True in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient (sets it to null), PyTorch 2's default {@code set_to_none=True}. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /** Drops the gradients ({@code setToNone}), or zeroes them in place so the next backward reuses the memory. */
    public void zeroGrad(boolean setToNone) {
        Parameter.zeroGrad(parameters(), setToNone);
    }

    /**
     * Converts every floating parameter and buffer to {@code dtype} (new parameters; an optimizer must be
     * created afterwards); returns this.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Module.to: expected a floating dtype, given " + dtype);
        }
        IdentityHashMap<Tensor, Tensor> converted = new IdentityHashMap<>();
        for (Module m : namedModules().values()) {
            m.parameters.replaceAll((k, p) -> p.dtype() == dtype ? p
                    : converted.computeIfAbsent(p, q -> Parameter.of(convert(q, dtype))));
            m.buffers.replaceAll((k, b) -> !b.dtype().isFloating() || b.dtype() == dtype ? b
                    : converted.computeIfAbsent(b, q -> Scope.unscoped(() -> convert(q, dtype))));
        }
        return this;
    }

    private static Tensor convert(Tensor t, DType dtype) {
        try (var off = GradMode.noGrad()) {
            return t.detach().to(dtype);
        }
    }

    // ---------------------------------------------------------------- state dict

    /**
     * Parameters and buffers by PyTorch-style dotted name ({@code 0.weight}, {@code bn.running_mean}), as
     * detached tensors sharing memory with the module.
     */
    public Map<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        stateEntries().forEach((k, v) -> out.put(k, v.detach()));
        return out;
    }

    /** The live tensors behind {@link #stateDict()}: own parameters, own buffers, then each child's, by name. */
    private Map<String, Tensor> stateEntries() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        addState("", this, out);
        return out;
    }

    private static void addState(String prefix, Module m, Map<String, Tensor> out) {
        m.parameters.forEach((k, v) -> out.put(prefix + k, v));
        m.buffers.forEach((k, v) -> out.put(prefix + k, v));
        m.children.forEach((k, c) -> addState(prefix + k + ".", c, out));
    }

    /** Keys that were absent from, or unknown to, a non-strict {@link #loadStateDict(Map, boolean)}. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /** Copies every entry of {@code state} into this module; names, shapes and dtypes must match exactly. */
    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * Copies the entries of {@code state} into the module's parameters and buffers. Everything is checked
     * first (shapes and dtypes always; missing and unexpected names when {@code strict}); on any problem it
     * throws listing all of them and leaves the module untouched.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> targets = stateEntries();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : targets.entrySet()) {
            Tensor src = state.get(e.getKey()), dst = e.getValue();
            if (src == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), dst.shape())) {
                problems.add("size mismatch for " + e.getKey() + ": copying a param with shape "
                        + Shape.str(src.shape()) + " from checkpoint, the shape in current model is "
                        + Shape.str(dst.shape()));
            } else if (src.dtype() != dst.dtype()) {
                problems.add("dtype mismatch for " + e.getKey() + ": checkpoint has " + src.dtype()
                        + ", the current model has " + dst.dtype());
            }
        }
        for (String k : state.keySet()) if (!targets.containsKey(k)) unexpected.add(k);
        if (strict && !missing.isEmpty()) problems.add("Missing key(s) in state_dict: " + missing);
        if (strict && !unexpected.isEmpty()) problems.add("Unexpected key(s) in state_dict: " + unexpected);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: Error(s) in loading state_dict for "
                    + getClass().getSimpleName() + ": " + String.join("; ", problems)
                    + "; expected the names, shapes and dtypes of stateDict()");
        }
        try (var off = GradMode.noGrad()) {
            targets.forEach((k, dst) -> {
                Tensor src = state.get(k);
                if (src != null) dst.copy_(src);
            });
        }
        return new LoadResult(missing, unexpected);
    }

    // ---------------------------------------------------------------- printing

    /** The settings shown between the parentheses of {@link #toString()}, e.g. {@code in_features=784}. */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch's module print: the class, its settings and, indented, its children. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName(), extra = extraRepr();
        if (children.isEmpty()) return name + "(" + extra + ")";
        StringBuilder sb = new StringBuilder(name).append('(');
        if (!extra.isEmpty()) sb.append("\n  ").append(extra);
        children.forEach((k, c) -> sb.append("\n  (").append(k).append("): ")
                .append(c.toString().replace("\n", "\n  ")));
        return sb.append("\n)").toString();
    }
}
