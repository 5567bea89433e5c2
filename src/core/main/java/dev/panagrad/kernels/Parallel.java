package dev.panagrad.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a range of independent work items on the library's threads. Ranges smaller than the grain stay on the
 * caller's thread, so small ops pay nothing for threading.
 *
 * <p>The worker threads wait for the next range spinning, for {@code -Dpanagrad.spinMicros} microseconds
 * (default 1000) after their last one, before they sleep: a training step runs dozens of parallel regions of
 * a few hundred microseconds with short serial stretches between them, and waking a sleeping thread takes
 * tens of microseconds each time.
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

    private static final long SPIN_NANOS = 1000L * spinMicros();
    private static volatile int threads = initialThreads();
    private static volatile Team team = Team.of(threads);

    /** True on a thread that runs a chunk of a split range, so nested ranges stay on it. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);

    private static int initialThreads() {
        String p = System.getProperty("panagrad.threads");
        int n = p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p.trim());
        if (n < 1) throw new IllegalArgumentException("panagrad.threads: need at least 1 thread, got " + n);
        return n;
    }

    private static long spinMicros() {
        long us = Long.getLong("panagrad.spinMicros", 1000);
        if (us < 0) throw new IllegalArgumentException("panagrad.spinMicros: need 0 or more microseconds, got " + us);
        return us;
    }

    /** The number of threads large ops use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads large ops use, matrix products through OpenBLAS included. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("setThreads: need at least 1 thread, got " + n);
        if (n == threads) return;
        Team old = team;
        team = Team.of(n);
        threads = n;
        if (old != null) old.stop();
    }

    /**
     * Splits [0, n) into at most {@link #threads()} shares of at least {@code grain} items and runs them on the
     * caller's thread and the workers. Share i belongs to thread i (the caller is thread 0), so consecutive ops
     * over the same data give each core the part it wrote last, still in its cache. Each share is cut into up
     * to {@value #PIECES} pieces of at least {@code grain} items, which its thread runs in order; a thread done
     * with its share takes the last pieces nobody has started of the others, so a thread that is late to start
     * or slowed by other work on its core leaves the end of its share to the others instead of holding the op
     * up. {@code body} may therefore see any cut of the range into consecutive runs. While another thread's
     * range occupies the workers, and inside a piece, the range runs on the caller's thread alone.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        Team t = team;
        long g = Math.max(1, grain);
        int shares = (int) Math.min(threads, Math.max(1, n / g));
        Chunks work = shares <= 1 || t == null || IN_CHUNK.get() ? null : new Chunks(body, n, shares, g);
        if (work == null || !t.offer(work)) {
            if (n > 0) body.run(0, n);
            return;
        }
        IN_CHUNK.set(true);
        try {
            work.run(0);
        } finally {
            IN_CHUNK.set(false);
            t.finish(work);   // no piece still runs (and touches the operands' memory) once the op returns or throws
        }
        work.rethrow();
    }

    /** The most pieces one thread's share of a range is cut into. */
    static final int PIECES = 8;

    /**
     * The shares of one range and their pieces, each piece taken once: from the front of a share by its own
     * thread, from the back by a thread done with its own; failures are collected.
     */
    private static final class Chunks {
        private final RangeBody body;
        private final long n;
        private final int shares, pieces;
        /** Per share: the next piece from the front (high 32 bits) and one past the last piece left (low 32 bits). */
        private final AtomicLongArray left;
        /** Workers inside {@link #help}: a piece is only ever taken by a thread counted here or the caller. */
        final AtomicInteger helpers = new AtomicInteger();
        private Throwable failure;

        Chunks(RangeBody body, long n, int shares, long grain) {
            this.body = body;
            this.n = n;
            this.shares = shares;
            this.pieces = (int) Math.max(1, Math.min(PIECES, n / shares / grain));
            this.left = new AtomicLongArray(shares);
            for (int i = 0; i < shares; i++) left.set(i, pieces);
        }

        /** Runs the share of thread {@code slot} (if there is one) piece by piece, then every piece left. */
        void run(int slot) {
            if (slot < shares) {
                for (int p; (p = take(slot, true)) >= 0; ) runPiece(slot, p);
            }
            for (int i = shares - 1; i >= 0; i--) {
                for (int p; (p = take(i, false)) >= 0; ) runPiece(i, p);
            }
        }

        /** Takes the first (or last) piece of share {@code i} nobody has taken; -1 when none is left. */
        private int take(int i, boolean first) {
            while (true) {
                long state = left.get(i);
                int next = (int) (state >>> 32), end = (int) state;
                if (next >= end) return -1;
                if (left.compareAndSet(i, state, first ? state + (1L << 32) : state - 1)) return first ? next : end - 1;
            }
        }

        private void runPiece(int share, int piece) {
            long lo = n * share / shares, len = n * (share + 1) / shares - lo;
            try {
                body.run(lo + len * piece / pieces, lo + len * (piece + 1) / pieces);
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        /** Runs pieces on a worker; one that arrives after every piece was taken runs nothing. */
        void help(int slot) {
            helpers.incrementAndGet();
            IN_CHUNK.set(true);
            try {
                run(slot);
            } finally {
                IN_CHUNK.set(false);
                helpers.decrementAndGet();
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

    /** The worker threads of one thread count (the caller is the n-th thread) and the range they work on. */
    private static final class Team {
        private final Thread[] workers;
        /** One flag per worker: true while it sleeps (or is about to), so that {@link #offer} wakes it. */
        private final boolean[] sleeping;
        private final AtomicReference<Chunks> current = new AtomicReference<>();
        private volatile boolean stopped;

        private Team(int n) {
            workers = new Thread[n - 1];
            sleeping = new boolean[n - 1];
            for (int i = 0; i < workers.length; i++) {
                int id = i;
                workers[i] = new Thread(() -> work(id), "panagrad-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        static Team of(int n) {
            return n <= 1 ? null : new Team(n);
        }

        /** Hands the range to the workers; false when another thread's range holds them. */
        boolean offer(Chunks work) {
            if (!current.compareAndSet(null, work)) return false;
            for (int i = 0; i < workers.length; i++) {
                if (sleepingVolatile(i)) LockSupport.unpark(workers[i]);
            }
            return true;
        }

        /** Withdraws the range and waits for the workers still running a chunk of it. */
        void finish(Chunks work) {
            current.compareAndSet(work, null);
            for (int spins = 0; work.helpers.get() > 0; spins++) {
                if (spins < 1 << 12) Thread.onSpinWait();
                else Thread.yield();   // a worker without a core of its own: let it run
            }
        }

        void stop() {
            stopped = true;
            for (Thread w : workers) LockSupport.unpark(w);
        }

        private void work(int id) {
            Chunks last = null;
            long idleSince = System.nanoTime();
            while (!stopped) {
                Chunks w = current.get();
                if (w != null && w != last) {
                    last = w;
                    w.help(id + 1);
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    setSleeping(id, true);
                    // re-read after announcing the sleep: either this sees a new range or offer() sees the flag
                    Chunks now = current.get();
                    if ((now == null || now == last) && !stopped) LockSupport.park(this);
                    setSleeping(id, false);
                    idleSince = System.nanoTime();
                }
            }
        }

        private static final java.lang.invoke.VarHandle FLAGS =
                java.lang.invoke.MethodHandles.arrayElementVarHandle(boolean[].class);

        private boolean sleepingVolatile(int i) {
            return (boolean) FLAGS.getVolatile(sleeping, i);
        }

        private void setSleeping(int i, boolean value) {
            FLAGS.setVolatile(sleeping, i, value);
        }
    }
}
