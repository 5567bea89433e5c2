package dev.panagrad.ops;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;

import java.util.function.Supplier;

/**
 * Forwards built from other ops but recorded as one node: the composition runs without recording, and the
 * caller then records the op's own derivative under PyTorch's name for it.
 */
final class Untracked {
    private Untracked() {}

    /** Runs {@code forward} with gradient recording off. */
    static Tensor run(Supplier<Tensor> forward) {
        try (var off = GradMode.noGrad()) {
            return forward.get();
        }
    }
}
