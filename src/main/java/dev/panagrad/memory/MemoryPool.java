package dev.panagrad.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recycles off-heap blocks by size class so that a steady loop allocates nothing after warm-up.
 * Classes are spaced four to a power of two (at most 25% slack). Blocks come from automatic arenas: the
 * memory is returned to the system only when no block, pool slot or stale tensor refers to it any more,
 * so a use after release can never touch unmapped memory.
 *
 * <pre>{@code
 * MemoryPool.stats();   // live=..., pooled=..., reserved=...
 * }</pre>
 */
public final class MemoryPool {
    private MemoryPool() {}

    /** Blocks are aligned for 512-bit vectors and cache lines. */
    static final long ALIGNMENT = 64;
    private static final int CLASSES = 4 * 64;

    @SuppressWarnings("unchecked")
    private static final ArrayDeque<MemorySegment>[] FREE = new ArrayDeque[CLASSES];
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong POOLED = new AtomicLong();
    private static final AtomicLong RESERVED = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();

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

    /** A block of at least {@code bytes} bytes, contents undefined. */
    static MemorySegment acquire(long bytes) {
        int c = sizeClass(bytes);
        long cap = classBytes(c);
        MemorySegment block;
        synchronized (FREE[c]) {
            block = FREE[c].pollLast();
        }
        if (block != null) {
            POOLED.addAndGet(-cap);
        } else {
            block = Arena.ofAuto().allocate(cap, ALIGNMENT);
            RESERVED.addAndGet(cap);
        }
        long live = LIVE.addAndGet(cap);
        if (live > PEAK.get()) PEAK.accumulateAndGet(live, Math::max);
        return block;
    }

    /** Returns a block obtained from {@link #acquire}. */
    static void release(MemorySegment block) {
        int c = sizeClass(block.byteSize());
        LIVE.addAndGet(-block.byteSize());
        POOLED.addAndGet(block.byteSize());
        synchronized (FREE[c]) {
            FREE[c].addLast(block);
        }
    }

    /** Bytes held by live tensors. */
    public static long liveBytes() {
        return LIVE.get();
    }

    /** The most bytes held by live tensors at any moment since the last {@link #resetPeak()}. */
    public static long peakLiveBytes() {
        return PEAK.get();
    }

    /** Starts a new peak measurement from the bytes live now. */
    public static void resetPeak() {
        PEAK.set(LIVE.get());
    }

    /** Bytes waiting in the pool for reuse. */
    public static long pooledBytes() {
        return POOLED.get();
    }

    /** Bytes ever obtained from the system and not trimmed: what a steady loop must keep flat. */
    public static long reservedBytes() {
        return RESERVED.get();
    }

    /** Drops every pooled block; the system reclaims them once unreachable. */
    public static void trim() {
        for (int c = 0; c < CLASSES; c++) {
            synchronized (FREE[c]) {
                long bytes = FREE[c].size() * classBytes(c);
                FREE[c].clear();
                POOLED.addAndGet(-bytes);
                RESERVED.addAndGet(-bytes);
            }
        }
    }

    /** A one-line summary for diagnostics. */
    public static String stats() {
        return "live=" + liveBytes() + " B, pooled=" + pooledBytes() + " B, reserved=" + reservedBytes() + " B";
    }
}
