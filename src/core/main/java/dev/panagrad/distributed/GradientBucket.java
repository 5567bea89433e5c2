package dev.panagrad.distributed;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.ops.Gradients;

import java.util.List;

/**
 * Gradients of several parameters packed into one flat tensor so that they travel in one all-reduce. Each
 * parameter's gradient is copied into its slice when backward has accumulated it; once all are in, the bucket's
 * all-reduce (an average) starts; {@link #finish()} waits for it and copies the averages back.
 *
 * <pre>{@code
 * GradientBucket b = new GradientBucket(List.of(fc2.weight, fc2.bias));
 * b.gradientReady(0); b.gradientReady(1);
 * if (b.complete()) b.start(group);
 * b.finish();
 * }</pre>
 */
final class GradientBucket {
    private final List<Tensor> params;
    private final long[] offsets;
    private final boolean[] ready;
    private final Tensor flat;
    private int readyCount;
    private Work work;

    GradientBucket(List<Tensor> params) {
        this.params = List.copyOf(params);
        this.offsets = new long[params.size() + 1];
        for (int i = 0; i < params.size(); i++) offsets[i + 1] = offsets[i] + params.get(i).numel();
        this.ready = new boolean[params.size()];
        this.flat = Tensor.zeros(params.get(0).dtype(), offsets[params.size()]);
    }

    int size() {
        return params.size();
    }

    boolean complete() {
        return readyCount == params.size();
    }

    /** Copies the accumulated gradient of parameter {@code slot} into the bucket. */
    void gradientReady(int slot) {
        if (ready[slot]) {
            throw new IllegalStateException("DistributedDataParallel: a parameter of shape "
                    + java.util.Arrays.toString(params.get(slot).shape()) + " received a second gradient before "
                    + "finish(); expected one backward per step, each followed by finish()");
        }
        try (var off = GradMode.noGrad()) {
            slice(slot).copy_(Gradients.of(params.get(slot)).reshape(-1));
        }
        ready[slot] = true;
        readyCount++;
    }

    /** Starts the all-reduce; parameters that got no gradient in this step contribute zeros. */
    void start(ProcessGroup group) {
        try (var off = GradMode.noGrad()) {
            for (int i = 0; i < ready.length; i++) if (!ready[i]) slice(i).zero_();
        }
        work = group.allReduceAsync(flat, ReduceOp.AVERAGE);
    }

    /** Waits for the all-reduce, writes the averages into the gradients, and returns its communication time. */
    long finish() {
        long nanos = work.communicationNanos();
        try (var off = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i), avg = slice(i).view(p.shape());
                Tensor g = Gradients.of(p);
                if (g == null) p.setGrad(Scope.unscoped(avg::clone));   // outlives the step's scope
                else g.copy_(avg);
            }
        }
        java.util.Arrays.fill(ready, false);
        readyCount = 0;
        work = null;
        return nanos;
    }

    private Tensor slice(int i) {
        return flat.narrow(0, offsets[i], offsets[i + 1] - offsets[i]);
    }
}
