package dev.panagrad.bench.machine;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Runs {@code threads} copies of a task at once: share 0 on the calling (benchmark) thread, the
 * others on platform threads kept for the whole trial, and waits for all. Dispatch costs a few
 * microseconds; the machine benchmarks make every call last milliseconds.
 */
final class Workers implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    Workers(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "machine-worker");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    void run(IntConsumer share) {
        if (pool == null) {
            share.accept(0);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] others = new Future<?>[threads - 1];
        for (int i = 1; i < threads; i++) {
            int s = i;
            others[i - 1] = pool.submit(() -> share.accept(s));
        }
        share.accept(0);
        try {
            for (Future<?> f : others) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
