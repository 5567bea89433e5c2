package dev.panagrad.distributed;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Data-parallel training: every rank runs the same model on its own share of each batch, and after backward
 * every parameter's gradient is the average over the ranks, so N ranks with batch B train as one process with
 * batch N·B.
 *
 * <p>At construction rank 0's parameters and buffers are copied to every rank, after checking that all ranks
 * have the same parameter names, shapes and dtypes. Gradients are packed into buckets of about 25 MB, in reverse
 * registration order (roughly the order backward produces them); a bucket's all-reduce starts on the group's
 * communication thread as soon as the last of its gradients has been accumulated, so communication overlaps
 * the rest of backward. {@link #finish()} waits for the buckets and writes the averaged gradients back; call it
 * after each {@code backward()} and before {@code optimizer.step()}. Buckets start in index order on every rank,
 * so all ranks issue the same collectives in the same order. Buffers (such as batch-norm statistics) are only
 * synchronised at construction: each rank keeps its own running statistics afterwards.
 *
 * <pre>{@code
 * ProcessGroup group = ProcessGroup.init();
 * var ddp = new DistributedDataParallel(model, group);
 * Tensor loss = Losses.crossEntropy(ddp.forward(x), y);
 * optimizer.zeroGrad();
 * loss.backward();
 * ddp.finish();            // gradients are now averaged over the ranks
 * optimizer.step();
 * }</pre>
 */
public final class DistributedDataParallel extends Module {
    /** The default bucket size: 25 MB, as in PyTorch. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Module module;
    private final ProcessGroup group;
    private final List<GradientBucket> buckets = new ArrayList<>();
    private int nextToStart;
    private long lastCommunicationNanos, lastWaitNanos;

    /** Wraps {@code module} with buckets of {@link #DEFAULT_BUCKET_BYTES}. */
    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, DEFAULT_BUCKET_BYTES);
    }

    /**
     * Wraps {@code module}: checks that every rank has the same parameters, copies rank 0's parameters and buffers
     * to all ranks, and packs gradients into buckets of at most {@code bucketBytes} (a larger parameter gets a
     * bucket of its own).
     */
    public DistributedDataParallel(Module module, ProcessGroup group, long bucketBytes) {
        if (bucketBytes < 1) {
            throw new IllegalArgumentException("DistributedDataParallel: expected a positive bucket size; given "
                    + bucketBytes);
        }
        this.module = registerModule("module", module);
        this.group = group;
        Map<String, Tensor> params = module.namedParameters();
        ParameterChecksum.verify(params, group);
        try (var off = GradMode.noGrad()) {
            for (Tensor p : params.values()) group.broadcast(p, 0);
            for (Tensor b : module.namedBuffers().values()) {
                if (b.dtype().isFloating()) group.broadcast(b, 0);
            }
        }
        List<Tensor> reversed = new ArrayList<>();
        for (Tensor p : params.values()) if (p.requiresGrad()) reversed.add(p);
        java.util.Collections.reverse(reversed);
        List<Tensor> pending = new ArrayList<>();
        long bytes = 0;
        for (Tensor p : reversed) {
            long size = p.numel() * p.dtype().byteSize();
            boolean full = !pending.isEmpty() && (bytes + size > bucketBytes || pending.get(0).dtype() != p.dtype());
            if (full) {
                addBucket(pending);
                pending = new ArrayList<>();
                bytes = 0;
            }
            pending.add(p);
            bytes += size;
        }
        if (!pending.isEmpty()) addBucket(pending);
    }

    private void addBucket(List<Tensor> params) {
        int index = buckets.size();
        GradientBucket bucket = Scope.unscoped(() -> new GradientBucket(params));
        buckets.add(bucket);
        for (int slot = 0; slot < params.size(); slot++) {
            int s = slot;
            params.get(slot).registerPostAccumulateGradHook(p -> gradientReady(index, s));
        }
    }

    /** Runs the wrapped module. */
    @Override
    public Tensor forward(Tensor input) {
        return module.forward(input);
    }

    /** The wrapped module (save this one: its state dict has no {@code module.} prefix). */
    public Module module() {
        return module;
    }

    /** The process group the gradients are averaged over. */
    public ProcessGroup group() {
        return group;
    }

    /** The number of gradient buckets. */
    public int bucketCount() {
        return buckets.size();
    }

    private synchronized void gradientReady(int bucket, int slot) {
        buckets.get(bucket).gradientReady(slot);
        while (nextToStart < buckets.size() && buckets.get(nextToStart).complete()) {
            buckets.get(nextToStart++).start(group);
        }
    }

    /**
     * Starts the buckets backward did not complete (gradients a rank did not produce count as zero), waits for
     * every bucket, and writes the averaged gradients into the parameters' {@code grad}.
     */
    public synchronized void finish() {
        while (nextToStart < buckets.size()) buckets.get(nextToStart++).start(group);
        long waitStart = System.nanoTime(), communication = 0;
        for (GradientBucket b : buckets) communication += b.finish();
        lastWaitNanos = System.nanoTime() - waitStart;
        lastCommunicationNanos = communication;
        nextToStart = 0;
    }

    /**
     * Nanoseconds the last {@link #finish()} waited for communication; {@code 1 - lastWaitNanos() /
     * lastCommunicationNanos()} is the share of communication hidden behind backward.
     */
    public long lastWaitNanos() {
        return lastWaitNanos;
    }

    /** Nanoseconds the last step's all-reduces took on the communication thread. */
    public long lastCommunicationNanos() {
        return lastCommunicationNanos;
    }

    @Override
    public String toString() {
        return "DistributedDataParallel(rank " + group.rank() + " of " + group.size() + ", buckets "
                + Arrays.toString(buckets.stream().mapToInt(GradientBucket::size).toArray()) + ")\n  " + module;
    }
}
