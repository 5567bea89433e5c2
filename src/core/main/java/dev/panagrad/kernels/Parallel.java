package dev.panagrad.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a range of independent work items on the library's thread pool. Ranges smaller than the grain
 * stay on the caller's thread, so small ops pay nothing for threading.
 *
 * <pre>{@code
 * Parallel.forRange(n, 1 << 16, (lo, hi) -> kernels.fill(dt, seg, lo, 1, hi - lo, 0));
 * }</pre>
 */
public final class Parallel {
    private Parallel() {}

    /** Work on the half-open range [lo, hi). */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * @param lo the first index of the chunk
         * @param hi one past its last index
         */
        void run(long lo, long hi);
    }

    private static volatile int threads = initialThreads();
    private static volatile ForkJoinPool pool = newPool(threads);

    /** True on a thread that runs a chunk of a split range, so nested ranges stay on it. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);

    private static int initialThreads() {
        String p = System.getProperty("panagrad.threads");
        int n = p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p.trim());
        if (n < 1) throw new IllegalArgumentException("panagrad.threads: need at least 1 thread, got " + n);
        return n;
    }

    /** The caller runs one chunk itself, so n threads need n - 1 workers. */
    private static ForkJoinPool newPool(int n) {
        AtomicInteger ids = new AtomicInteger(1);
        return n <= 1 ? null : new ForkJoinPool(n - 1, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("panagrad-" + ids.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The number of threads large ops use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads large ops use, matrix products through OpenBLAS included. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setThreads: need at least 1 thread, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        if (old != null) old.shutdown();
    }

    /**
     * Splits [0, n) into at most {@link #threads()} chunks of at least {@code grain} items and runs them on the
     * caller's thread and the pool's workers: whoever is free takes the next chunk, so a worker that is slow to
     * wake (its core busy elsewhere) leaves its chunk to the caller instead of holding the op up.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        ForkJoinPool p = pool;
        int chunks = (int) Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || p == null || ForkJoinTask.inForkJoinPool() || IN_CHUNK.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        Chunks work = new Chunks(body, n, chunks);
        Helper[] helpers = new Helper[chunks - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper(work);
            try {
                p.execute(helpers[i]);
            } catch (RejectedExecutionException e) {
                break;   // setThreads shut this pool down just now: the caller runs the chunks
            }
        }
        IN_CHUNK.set(true);
        try {
            work.run();
        } finally {
            IN_CHUNK.set(false);
        }
        // Every chunk has been taken; wait for the helpers that took one, so that no chunk still runs (and
        // touches the operands' memory) after the op has returned or thrown.
        for (Helper h : helpers) {
            if (!h.claim()) h.join();
        }
        work.rethrow();
    }

    /** The chunks of one range, handed out in order to whichever thread asks; failures are collected. */
    private static final class Chunks {
        private final RangeBody body;
        private final long n;
        private final int count;
        private final AtomicInteger next = new AtomicInteger();
        private Throwable failure;

        Chunks(RangeBody body, long n, int count) {
            this.body = body;
            this.n = n;
            this.count = count;
        }

        void run() {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                try {
                    body.run(n * i / count, n * (i + 1) / count);
                } catch (RuntimeException | Error e) {
                    fail(e);
                }
            }
        }

        private synchronized void fail(Throwable e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }

        synchronized void rethrow() {
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
        }
    }

    /** A pool task that takes chunks, unless the caller claimed it first because it had not started yet. */
    private static final class Helper extends RecursiveAction {
        private final Chunks work;
        private final AtomicBoolean started = new AtomicBoolean();

        Helper(Chunks work) {
            this.work = work;
        }

        /** True when this helper had not started and now never will. */
        boolean claim() {
            return started.compareAndSet(false, true);
        }

        @Override
        protected void compute() {
            if (claim()) work.run();
        }
    }
}
