package dev.panagrad.optim;

import dev.panagrad.DType;
import dev.panagrad.GradMode;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Parameter;
import dev.panagrad.ops.Gradients;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, as PyTorch's {@code torch.optim.Optimizer}. Hyperparameters
 * ("options", named as in PyTorch: {@code lr}, {@code weight_decay}, ...) have optimizer-wide defaults that
 * each {@link ParamGroup} may override. {@link #step()} runs without autograd, in place, inside its own
 * {@link Scope}, so its temporaries go back to the pool at once and its state lives as long as the optimizer.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(model.parameters(), 1e-3);
 * for (Batch b : loader) {
 *     try (Scope step = Scope.open()) {
 *         opt.zeroGrad();
 *         Losses.crossEntropy(model.forward(b.x()), b.y()).backward();
 *         opt.step();
 *     }
 * }
 * }</pre>
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final LinkedHashMap<String, Double> defaults;
    private final IdentityHashMap<Tensor, ParamState> state = new IdentityHashMap<>();

    /** An optimizer over the given groups with the given option names and default values. */
    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        if (groups.isEmpty() || groups.stream().allMatch(g -> g.params().isEmpty())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer got an empty parameter list; "
                    + "expected at least one parameter");
        }
        this.groups = List.copyOf(groups);
        this.defaults = new LinkedHashMap<>(defaults);
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (String k : g.options().keySet()) checkOption(k);
            for (Tensor p : g.params()) {
                if (seen.put(p, true) != null) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": some parameters appear in more "
                            + "than one parameter group; given " + p.describe() + " twice");
                }
            }
        }
    }

    /** One group holding {@code params}. */
    protected static List<ParamGroup> single(List<Tensor> params) {
        return List.of(new ParamGroup(params));
    }

    /** Option defaults in the given order (the order of the state dict's {@code param_groups} entries). */
    @SafeVarargs
    protected static Map<String, Double> options(Map.Entry<String, Double>... entries) {
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : entries) m.put(e.getKey(), e.getValue());
        return m;
    }

    // ---------------------------------------------------------------- options

    /** The value of an option for a group: the group's own, else the default. */
    protected final double option(ParamGroup group, String name) {
        Double v = group.get(name);
        return v != null ? v : defaults.get(name);
    }

    /** The value of an option for group {@code index}. */
    public double option(int index, String name) {
        checkOption(name);
        return option(groups.get(index), name);
    }

    /** Changes the default of an option (groups that set it themselves keep their value). */
    protected final void setDefault(String name, double value) {
        checkOption(name);
        defaults.put(name, value);
    }

    private void checkOption(String name) {
        if (!defaults.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": unknown option '" + name
                    + "'; expected one of " + defaults.keySet());
        }
    }

    /** Throws unless {@code value} lies in [lo, hi]. */
    protected static double checkRange(String op, String what, double value, double lo, double hi) {
        if (!(value >= lo && value <= hi)) {
            throw new IllegalArgumentException(op + ": invalid " + what + " value: " + value + "; expected a value in ["
                    + lo + ", " + hi + "]");
        }
        return value;
    }

    /** The learning rate of group {@code index}. */
    public double lr(int index) {
        return option(groups.get(index), "lr");
    }

    /** Sets the learning rate of group {@code index} (what schedulers do). */
    public void setLr(int index, double lr) {
        groups.get(index).set("lr", checkRange(getClass().getSimpleName(), "learning rate", lr, 0, Double.MAX_VALUE));
    }

    /** The parameter groups. */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    // ---------------------------------------------------------------- stepping

    /** Updates every parameter that has a gradient, once. */
    public void step() {
        try (var off = GradMode.noGrad(); Scope temporaries = Scope.open()) {
            for (ParamGroup g : groups) {
                List<Tensor> params = new ArrayList<>();
                List<ParamState> states = new ArrayList<>();
                for (Tensor p : g.params()) {
                    if (Gradients.of(p) == null) continue;
                    ParamState st = state.computeIfAbsent(p, k -> new ParamState());
                    st.setStep(st.step() + 1);
                    params.add(p);
                    states.add(st);
                }
                if (params.isEmpty() || updateAll(g, params, states)) continue;
                for (int i = 0; i < params.size(); i++) update(g, params.get(i), params.get(i).grad(), states.get(i));
            }
        }
    }

    /** Updates one parameter in place from its gradient and state; runs without autograd. */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /**
     * Updates all parameters of a group that have a gradient at once (a fused kernel over all of them, say),
     * or returns false to have {@link #update} called for each; runs without autograd. This one returns false.
     *
     * @param params the parameters with a gradient, in the group's order
     * @param states their states, the step already counted
     */
    protected boolean updateAll(ParamGroup group, List<Tensor> params, List<ParamState> states) {
        return false;
    }

    /** Drops the gradients of all parameters (sets them to null), PyTorch 2's default {@code set_to_none=True}. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /** Drops the gradients ({@code setToNone}), or zeroes them in place so the next backward reuses the memory. */
    public void zeroGrad(boolean setToNone) {
        for (ParamGroup g : groups) Parameter.zeroGrad(g.params(), setToNone);
    }

    /** The state of a parameter, or null before its first update. */
    public ParamState state(Tensor param) {
        return state.get(param);
    }

    // ---------------------------------------------------------------- state dict

    private List<Tensor> allParams() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.params());
        return all;
    }

    /**
     * The optimizer's state as tensors, parameters numbered across groups in order: {@code state.<i>.step}
     * (int64), {@code state.<i>.<buffer>} (e.g. {@code exp_avg}), {@code param_groups.<g>.<option>} (float64)
     * and {@code param_groups.<g>.params} (the int64 parameter numbers of the group).
     */
    public Map<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        List<Tensor> all = allParams();
        for (int i = 0; i < all.size(); i++) {
            ParamState st = state.get(all.get(i));
            if (st == null) continue;
            out.put("state." + i + ".step", Tensor.scalar(DType.INT64, st.step()));
            for (Map.Entry<String, Tensor> e : st.buffers().entrySet()) {
                out.put("state." + i + "." + e.getKey(), e.getValue().detach());
            }
        }
        int first = 0;
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            for (String k : defaults.keySet()) {
                out.put("param_groups." + g + "." + k, Tensor.scalar(DType.FLOAT64, option(group, k)));
            }
            long[] ids = new long[group.params().size()];
            for (int j = 0; j < ids.length; j++) ids[j] = first + j;
            out.put("param_groups." + g + ".params", Tensor.of(ids, ids.length));
            first += ids.length;
        }
        return out;
    }

    /**
     * Restores a {@link #stateDict()}: buffers must match their parameter's shape and dtype and the groups must
     * have the same sizes. Everything is checked first; on any problem it throws listing them all and leaves
     * the optimizer untouched.
     */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Tensor> all = allParams();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : dict.entrySet()) {
            String problem = checkEntry(e.getKey(), e.getValue(), all);
            if (problem != null) problems.add(problem);
        }
        for (int g = 0; g < groups.size(); g++) {
            if (!dict.containsKey("param_groups." + g + ".params")) problems.add("missing param_groups." + g + ".params");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: Error(s) in loading optimizer state for "
                    + getClass().getSimpleName() + ": " + String.join("; ", problems)
                    + "; expected the keys, shapes and dtypes of stateDict() for the same parameters");
        }
        state.clear();
        for (Map.Entry<String, Tensor> e : dict.entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            int index = Integer.parseInt(parts[1]);
            if (parts[0].equals("param_groups")) {
                if (!parts[2].equals("params")) groups.get(index).set(parts[2], e.getValue().item());
                continue;
            }
            ParamState st = state.computeIfAbsent(all.get(index), k -> new ParamState());
            if (parts[2].equals("step")) st.setStep((long) e.getValue().item());
            else st.put(parts[2], e.getValue());
        }
    }

    /** A description of what is wrong with one state-dict entry, or null. */
    private String checkEntry(String key, Tensor value, List<Tensor> all) {
        String[] parts = key.split("\\.", 3);
        if (parts.length != 3 || !(parts[0].equals("state") || parts[0].equals("param_groups"))
                || !parts[1].matches("\\d{1,9}")) {
            return "unexpected key " + key;
        }
        int index = Integer.parseInt(parts[1]);
        if (parts[0].equals("param_groups")) {
            if (index >= groups.size()) return key + " names group " + index + " of " + groups.size();
            if (parts[2].equals("params")) {
                int first = 0;
                for (int g = 0; g < index; g++) first += groups.get(g).params().size();
                long[] expected = new long[groups.get(index).params().size()];
                for (int j = 0; j < expected.length; j++) expected[j] = first + j;
                return value.dtype() == DType.INT64 && value.dim() == 1 && Arrays.equals(value.toLongArray(), expected)
                        ? null : key + " is " + value.describe() + ", expected the parameter numbers "
                        + Arrays.toString(expected);
            }
            if (!defaults.containsKey(parts[2])) return "unknown option in " + key + "; expected one of " + defaults.keySet();
            return value.numel() == 1 ? null : key + " must hold one value; given " + value.describe();
        }
        if (index >= all.size()) return key + " names parameter " + index + " of " + all.size();
        Tensor p = all.get(index);
        if (parts[2].equals("step")) {
            return value.numel() == 1 ? null : key + " must hold one value; given " + value.describe();
        }
        if (!Arrays.equals(value.shape(), p.shape()) || value.dtype() != p.dtype()) {
            return "mismatch for " + key + ": checkpoint has " + value.describe() + ", the parameter is "
                    + Shape.str(p.shape()) + " " + p.dtype();
        }
        return null;
    }

    /** The defaults by option name. */
    public Map<String, Double> defaults() {
        return Collections.unmodifiableMap(defaults);
    }
}
