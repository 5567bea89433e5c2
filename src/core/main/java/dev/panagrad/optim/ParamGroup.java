package dev.panagrad.optim;

import dev.panagrad.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyperparameters within an optimizer. Options set here override the optimizer's
 * defaults for this group only (PyTorch's per-group dicts); learning-rate schedulers write {@code lr} here.
 *
 * <pre>{@code
 * SGD opt = new SGD(0.1, new ParamGroup(backbone.parameters()).set("lr", 0.01),
 *                        new ParamGroup(head.parameters()));   // head uses the default lr 0.1
 * }</pre>
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final LinkedHashMap<String, Double> options = new LinkedHashMap<>();

    /** A group of leaf tensors that require grad. */
    public ParamGroup(List<Tensor> params) {
        for (Tensor p : params) {
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException("ParamGroup: can't optimize a non-leaf Tensor or one that does "
                        + "not require grad; given " + p.describe() + (p.isLeaf() ? "" : " computed by " + p.gradFn())
                        + ", expected parameters (leaves with requiresGrad)");
            }
        }
        this.params = List.copyOf(params);
    }

    /** Sets an option for this group (e.g. {@code "lr"}, {@code "weight_decay"}); returns this. */
    public ParamGroup set(String option, double value) {
        options.put(option, value);
        return this;
    }

    /** This group's own value of an option, or null when it uses the optimizer's default. */
    public Double get(String option) {
        return options.get(option);
    }

    /** The parameters. */
    public List<Tensor> params() {
        return params;
    }

    /** The options set on this group. */
    public Map<String, Double> options() {
        return Collections.unmodifiableMap(options);
    }
}
