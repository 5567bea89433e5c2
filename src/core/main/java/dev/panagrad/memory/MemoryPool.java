package dev.panagrad.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recycles off-heap blocks by size class so that a steady loop allocates nothing after warm-up.
 * Classes are spaced four to a power of two (at most 25% slack). Each allocating thread keeps a small
 * cache of free small blocks (see {@link ThreadCache}), so scoped loops recycle without locks. Blocks come
 * from automatic arenas: the memory is returned to the system only when no block, pool slot or stale
 * tensor refers to it any more, so a use after release can never touch unmapped memory.
 *
 * <pre>{@code
 * MemoryPool.stats();   // live=..., pooled=..., reserved=...
 * }</pre>
 */
public final class MemoryPool {
    private MemoryPool() {}

    /** Blocks are aligned for 512-bit vectors and cache lines. */
    static final long ALIGNMENT = 64;
    static final int CLASSES = 4 * 64;

    @SuppressWarnings("unchecked")
    private static final ArrayDeque<MemorySegment>[] FREE = new ArrayDeque[CLASSES];
    private static final AtomicLong RESERVED = new AtomicLong();
    /** Live bytes counted outside the thread caches: releases by threads that never allocate, and ended threads. */
    private static final AtomicLong SHARED_LIVE = new AtomicLong();
    /** Bytes of blocks whose tensors the garbage collector owns and has not yet returned. */
    private static final AtomicLong COLLECTOR_OWNED = new AtomicLong();
    private static final long COLLECT_ABOVE = Long.getLong("panagrad.memory.collectAbove", 256L << 20);
    private static volatile long collectLimit = COLLECT_ABOVE;
    private static final Object COLLECTING = new Object();
    private static final ThreadLocal<ThreadCache> CACHE = new ThreadLocal<>();
    private static final CopyOnWriteArrayList<ThreadCache> CACHES = new CopyOnWriteArrayList<>();

    static {
        for (int i = 0; i < CLASSES; i++) FREE[i] = new ArrayDeque<>();
    }

    /** Size class of a request: 4 classes per power of two above 64 bytes. */
    static int sizeClass(long bytes) {
        long b = Math.max(bytes, ALIGNMENT);
        int log = 63 - Long.numberOfLeadingZeros(b - 1);   // 2^log < b <= 2^(log+1)
        long base = 1L << log;
        int quarter = (int) ((b - base + (base >> 2) - 1) / (base >> 2));   // 1..4
        return log * 4 + quarter - 1;
    }

    static long classBytes(int sizeClass) {
        int log = sizeClass / 4, quarter = sizeClass % 4 + 1;
        long base = 1L << log;
        return base + quarter * (base >> 2);
    }

    /** A block of at least {@code bytes} bytes, contents undefined; from this thread's cache if it can. */
    static MemorySegment acquire(long bytes) {
        int c = sizeClass(bytes);
        long cap = classBytes(c);
        ThreadCache cache = cache();
        MemorySegment block = cache.poll(c);
        if (block == null) {
            synchronized (FREE[c]) {
                block = FREE[c].pollLast();
            }
            if (block == null && COLLECTOR_OWNED.get() > collectLimit) {
                collect();
                synchronized (FREE[c]) {
                    block = FREE[c].pollLast();
                }
            }
            if (block == null) {
                block = allocateFresh(bytes, cap);
                RESERVED.addAndGet(cap);
            }
        }
        cache.addLive(cap);
        return block;
    }

    /**
     * A new block from the system. When the off-heap limit is reached, the pooled blocks of other sizes are
     * dropped (so the collector can return them) and the allocation is tried once more.
     */
    private static MemorySegment allocateFresh(long bytes, long cap) {
        try {
            return Arena.ofAuto().allocate(cap, ALIGNMENT);
        } catch (OutOfMemoryError first) {
            trim();
            try {
                return Arena.ofAuto().allocate(cap, ALIGNMENT);
            } catch (OutOfMemoryError e) {
                OutOfMemoryError clear = new OutOfMemoryError("allocate: cannot reserve " + cap + " bytes off-heap for a "
                        + bytes + "-byte tensor (" + stats() + "): " + e.getMessage() + "; expected enough direct "
                        + "memory: free tensors sooner (Scope) or raise -XX:MaxDirectMemorySize");
                clear.initCause(e);
                throw clear;
            }
        }
    }

    /**
     * Asks the collector to find unreachable tensors and waits until their blocks stop coming back (at most
     * about a tenth of a second): the back-pressure that keeps unscoped loops flat. The cleaner thread may start
     * returning blocks milliseconds after the collection and return them in bursts (its core busy), so the wait
     * lasts at least 5 ms, until some block is back, and until 2 ms pass without one. One thread collects at a
     * time; the others wait for it and then find the returned blocks in the pool.
     */
    private static void collect() {
        synchronized (COLLECTING) {
            if (COLLECTOR_OWNED.get() <= collectLimit) return;   // another thread just collected
            long start = COLLECTOR_OWNED.get();
            System.gc();
            long owned = COLLECTOR_OWNED.get();
            int quiet = 0;   // consecutive milliseconds without a returned block
            for (int waited = 1; waited <= 100 && !(waited > 5 && owned < start && quiet >= 2); waited++) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                long now = COLLECTOR_OWNED.get();
                quiet = now < owned ? 0 : quiet + 1;
                owned = now;
            }
            collectLimit = Math.max(COLLECT_ABOVE, 2 * owned);
        }
    }

    /** Counts a block handed to the garbage collector (positive) or returned by it (negative). */
    static void collectorOwned(long bytes) {
        COLLECTOR_OWNED.addAndGet(bytes);
    }

    /** Bytes of blocks held by tensors that the garbage collector owns (made or kept outside every scope). */
    public static long collectorOwnedBytes() {
        return COLLECTOR_OWNED.get();
    }

    /**
     * Returns a block obtained from {@link #acquire} by thread {@code allocator}: to this thread's cache when this
     * thread allocated it and the cache has room, else to the shared pool. A block released by another thread
     * (a consumer closing the scope of a batch a producer thread made) must go where the producer finds it:
     * kept in the consumer's cache, the producer would allocate fresh memory for every batch.
     */
    static void release(MemorySegment block, Thread allocator) {
        int c = sizeClass(block.byteSize());
        ThreadCache cache = CACHE.get();
        if (cache == null) {
            SHARED_LIVE.addAndGet(-block.byteSize());
            releaseShared(c, block);
            return;
        }
        cache.addLive(-block.byteSize());
        if (cache.owner != allocator || !cache.offer(c, block)) releaseShared(c, block);
    }

    static void releaseShared(int c, MemorySegment block) {
        synchronized (FREE[c]) {
            FREE[c].addLast(block);
        }
    }

    /** This thread's cache, created on its first allocation; registering it folds in the caches of ended threads. */
    private static ThreadCache cache() {
        ThreadCache cache = CACHE.get();
        if (cache != null) return cache;
        reapEndedThreads();
        cache = new ThreadCache();
        CACHE.set(cache);
        CACHES.add(cache);
        return cache;
    }

    /** Moves the cached blocks and live counts of threads that have ended into the shared pool. */
    private static void reapEndedThreads() {
        for (ThreadCache other : CACHES) {
            if (other.owner.isAlive() || !CACHES.remove(other)) continue;   // only one thread wins the removal
            other.drain();
            SHARED_LIVE.addAndGet(other.live());
        }
    }

    /** Bytes held by live tensors. */
    public static long liveBytes() {
        long live = SHARED_LIVE.get();
        for (ThreadCache c : CACHES) live += c.live();
        return live;
    }

    /**
     * The most bytes held by live tensors since the last {@link #resetPeak()}: exact while one thread allocates,
     * an upper bound when several do.
     */
    public static long peakLiveBytes() {
        long peak = SHARED_LIVE.get();
        for (ThreadCache c : CACHES) peak += c.peak();
        return peak;
    }

    /** Starts a new peak measurement from the bytes live now. */
    public static void resetPeak() {
        for (ThreadCache c : CACHES) c.resetPeak();
    }

    /** Bytes waiting for reuse, in the pool or in threads' caches. */
    public static long pooledBytes() {
        return RESERVED.get() - liveBytes();
    }

    /** Bytes ever obtained from the system and not trimmed: what a steady loop must keep flat. */
    public static long reservedBytes() {
        return RESERVED.get();
    }

    /**
     * Drops every pooled block, including those cached by this thread and by ended threads (live threads keep
     * their small caches); the system reclaims them once unreachable.
     */
    public static void trim() {
        reapEndedThreads();
        ThreadCache own = CACHE.get();
        if (own != null) own.drain();
        for (int c = 0; c < CLASSES; c++) {
            synchronized (FREE[c]) {
                long bytes = FREE[c].size() * classBytes(c);
                FREE[c].clear();
                RESERVED.addAndGet(-bytes);
            }
        }
    }

    /** A one-line summary for diagnostics. */
    public static String stats() {
        return "live=" + liveBytes() + " B, pooled=" + pooledBytes() + " B, reserved=" + reservedBytes() + " B";
    }
}
