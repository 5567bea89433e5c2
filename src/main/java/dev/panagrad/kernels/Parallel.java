package dev.panagrad.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RecursiveAction;

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
        void run(long lo, long hi);
    }

    private static volatile int threads = initialThreads();
    private static volatile ForkJoinPool pool = newPool(threads);

    private static int initialThreads() {
        String p = System.getProperty("panagrad.threads");
        int n = p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p.trim());
        if (n < 1) throw new IllegalArgumentException("panagrad.threads: need at least 1 thread, got " + n);
        return n;
    }

    private static ForkJoinPool newPool(int n) {
        return n <= 1 ? null : new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("panagrad-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** The number of threads large ops use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads large ops use (and OpenBLAS, when loaded). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setThreads: need at least 1 thread, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        if (old != null) old.shutdown();
        ThreadListeners.notifyAll(n);
    }

    /** Splits [0, n) into at most {@link #threads()} chunks of at least {@code grain} items and runs them. */
    public static void forRange(long n, long grain, RangeBody body) {
        ForkJoinPool p = pool;
        int chunks = (int) Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || p == null || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        try {
            p.invoke(new Split(body, 0, n, chunks));
        } catch (RejectedExecutionException e) {
            body.run(0, n);   // setThreads shut this pool down just now: nothing ran yet, so run it all here
        }
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final long lo, hi;
        private final int chunks;

        Split(RangeBody body, long lo, long hi, int chunks) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
            this.chunks = chunks;
        }

        @Override
        protected void compute() {
            if (chunks == 1) {
                body.run(lo, hi);
                return;
            }
            int left = chunks / 2;
            long mid = lo + (hi - lo) * left / chunks;
            // Unlike invokeAll, wait for the other half even when this half fails, so that no chunk still runs
            // (and touches the operands' memory) after the op has returned or thrown.
            Split right = new Split(body, mid, hi, chunks - left);
            right.fork();
            Throwable failure = null;
            try {
                new Split(body, lo, mid, left).compute();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            try {
                right.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
        }
    }
}
