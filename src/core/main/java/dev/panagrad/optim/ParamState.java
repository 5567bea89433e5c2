package dev.panagrad.optim;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's state for one parameter: the number of steps taken and named buffers such as
 * {@code exp_avg} or {@code momentum_buffer}. Buffers belong to no scope: they live as long as the optimizer.
 *
 * <pre>{@code
 * Tensor m = state.zerosLike("exp_avg", param);   // created at the first step, reused afterwards
 * }</pre>
 */
public final class ParamState {
    private long step;
    private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();

    /** Steps taken for this parameter (counting the current one during an update). */
    public long step() {
        return step;
    }

    void setStep(long step) {
        this.step = step;
    }

    /** The buffer of that name, or null. */
    public Tensor get(String name) {
        return buffers.get(name);
    }

    /** The buffer of that name, created as zeros shaped like {@code like} on first use. */
    public Tensor zerosLike(String name, Tensor like) {
        Tensor b = buffers.get(name);
        if (b == null) {
            b = Scope.unscoped(() -> Tensor.zeros(like.dtype(), like.shape()));
            buffers.put(name, b);
        }
        return b;
    }

    /** Stores a copy of {@code value} (outside every scope) under {@code name} and returns the copy. */
    public Tensor put(String name, Tensor value) {
        Tensor copy = Scope.unscoped(() -> {
            try (var off = GradMode.noGrad()) {
                return value.detach().clone();
            }
        });
        buffers.put(name, copy);
        return copy;
    }

    /** The buffers by name. */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }
}
