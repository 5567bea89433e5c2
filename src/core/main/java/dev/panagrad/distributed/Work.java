package dev.panagrad.distributed;

import dev.panagrad.GradMode;
import dev.panagrad.Tensor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A collective started by {@link ProcessGroup#allReduceAsync}: it runs on the group's communication thread
 * while the caller goes on; {@link #waitFor()} returns once the tensor holds the result.
 *
 * <pre>{@code
 * Work w = group.allReduceAsync(bucket, ReduceOp.SUM);
 * // ... more backward work ...
 * w.waitFor();
 * }</pre>
 */
public final class Work {
    private final CompletableFuture<Long> done;
    private final Tensor tensor;
    private final double scale;
    private boolean finished;

    Work(CompletableFuture<Long> done, Tensor tensor, double scale) {
        this.done = done;
        this.tensor = tensor;
        this.scale = scale;
    }

    /** True once the communication has ended (successfully or not); {@link #waitFor()} then returns at once. */
    public boolean isDone() {
        return done.isDone();
    }

    /**
     * Blocks until the collective has completed and the tensor holds the result; throws
     * {@link IllegalStateException} when it failed. A collective that never completes because another rank died
     * is ended by the group's watchdog, which stops the whole job.
     */
    public void waitFor() {
        try {
            done.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException(c.getMessage(), c);
        }
        if (!finished && scale != 1) {
            // AVERAGE: the sum is scaled on the waiting thread, which owns the tensor again
            try (var off = GradMode.noGrad()) {
                tensor.mul_(scale);
            }
        }
        finished = true;
    }

    /** Nanoseconds the communication took on the communication thread; waits for it first. */
    public long communicationNanos() {
        waitFor();
        return done.join();
    }
}
