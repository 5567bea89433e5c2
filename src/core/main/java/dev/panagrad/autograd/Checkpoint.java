package dev.panagrad.autograd;

import dev.panagrad.Autograd;
import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;

/**
 * Gradient checkpointing: trades compute for memory. {@link #checkpoint} runs a block without recording
 * its graph, inside a scope of its own that frees the block's temporaries as soon as it returns; only the
 * inputs and the output are kept. During backward the block runs again with recording on, and its
 * gradients are computed then.
 *
 * <p>As PyTorch's reentrant checkpoint: gradients reach the block's inputs, and tensors the block uses
 * without receiving them (parameters) have gradients accumulated into their {@code grad}; at least one
 * input must require grad; the block must compute the same values when run again (no fresh randomness);
 * double backward ({@code createGraph}) through a checkpointed block is not supported.
 *
 * <pre>{@code
 * Tensor h = x;
 * for (Linear layer : layers) h = Checkpoint.checkpoint(in -> layer.forward(in[0]).tanh(), h);
 * h.sum().backward();   // each block is recomputed once, while its gradient is computed
 * }</pre>
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** Runs {@code block} on {@code inputs} now and again during backward, keeping none of its intermediates. */
    public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> block, Tensor... inputs) {
        return new Recompute(block).applyOne((Object[]) inputs);
    }

    /** The recorded node: saves the inputs, recomputes the block in backward. */
    private static final class Recompute extends Function {
        private final java.util.function.Function<Tensor[], Tensor> block;

        Recompute(java.util.function.Function<Tensor[], Tensor> block) {
            this.block = block;
        }

        @Override
        public String name() {
            return "CheckpointFunctionBackward";
        }

        @Override
        protected Tensor[] forward(Context ctx, Object... args) {
            Tensor[] xs = new Tensor[args.length];
            for (int i = 0; i < args.length; i++) xs[i] = (Tensor) args[i];
            ctx.saveForBackward(xs);
            try (Scope scope = Scope.open()) {
                return new Tensor[] {keep(block.apply(xs), scope)};
            }
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor... grads) {
            if (GradMode.isEnabled()) {
                throw new UnsupportedOperationException("checkpoint: double backward (createGraph=true) through a "
                        + "checkpointed block is not supported; expected createGraph=false, or the block called "
                        + "without checkpoint");
            }
            Tensor[] xs = ctx.savedTensors();
            Tensor[] leaves = new Tensor[xs.length];
            for (int i = 0; i < xs.length; i++) leaves[i] = xs[i].detach().requiresGrad(ctx.needsInputGrad(i));
            try (Scope scope = Scope.open()) {
                Tensor out;
                try (var on = GradMode.enableGrad()) {
                    out = block.apply(leaves);
                }
                if (out.requiresGrad()) {
                    Autograd.backward(new Tensor[] {out}, new Tensor[] {grads[0]}, false, false);
                }
                // Leaf gradients live in their leaf's scope, which is outside this one.
                Tensor[] result = new Tensor[xs.length];
                for (int i = 0; i < xs.length; i++) result[i] = ctx.needsInputGrad(i) ? leaves[i].grad() : null;
                return result;
            }
        }

        /** Moves the output out of the block's scope when the block allocated it. */
        private static Tensor keep(Tensor out, Scope scope) {
            if (out.storage().scope() == scope) scope.keep(out.storage());
            return out;
        }
    }
}
