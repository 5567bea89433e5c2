package dev.panagrad.memory;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's share of the {@link MemoryPool}: a few free blocks of the small size classes, taken and
 * returned without locks, and this thread's count of live bytes, written only by this thread and summed
 * by readers. A scope allocates and releases on its own thread, so a steady loop of small tensors never
 * touches shared state.
 */
final class ThreadCache {
    /** Larger blocks always go through the shared pool. */
    static final long MAX_BLOCK = 1 << 16;
    /** Bytes of free blocks one thread may hold. */
    private static final long MAX_CACHED = 1 << 20;

    private static final VarHandle LIVE, PEAK;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LIVE = lookup.findVarHandle(ThreadCache.class, "live", long.class);
            PEAK = lookup.findVarHandle(ThreadCache.class, "peak", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread owner = Thread.currentThread();
    private final MemorySegment[][] free = new MemorySegment[MemoryPool.CLASSES][];
    private final int[] count = new int[MemoryPool.CLASSES];
    private long cachedBytes;
    @SuppressWarnings("unused") private long live;   // bytes acquired minus bytes released here; any sign
    @SuppressWarnings("unused") private long peak;   // the most live bytes since the last reset

    /** A cached block of class {@code c}, or null. Owner only. */
    MemorySegment poll(int c) {
        int n = count[c];
        if (n == 0) return null;
        MemorySegment block = free[c][--n];
        free[c][n] = null;
        count[c] = n;
        cachedBytes -= block.byteSize();
        return block;
    }

    /** Keeps a free block of class {@code c} if there is room; false if the shared pool must take it. Owner only. */
    boolean offer(int c, MemorySegment block) {
        long size = block.byteSize();
        if (size > MAX_BLOCK || cachedBytes + size > MAX_CACHED) return false;
        int n = count[c];
        if (free[c] == null) free[c] = new MemorySegment[16];
        else if (n == free[c].length) free[c] = java.util.Arrays.copyOf(free[c], 2 * n);
        free[c][n] = block;
        count[c] = n + 1;
        cachedBytes += size;
        return true;
    }

    /** Adds to this thread's live bytes and raises its peak. Owner only. */
    void addLive(long delta) {
        long v = (long) LIVE.getOpaque(this) + delta;
        LIVE.setOpaque(this, v);
        if (v > (long) PEAK.getOpaque(this)) PEAK.setOpaque(this, v);
    }

    long live() {
        return (long) LIVE.getOpaque(this);
    }

    long peak() {
        return (long) PEAK.getOpaque(this);
    }

    void resetPeak() {
        PEAK.setOpaque(this, live());
    }

    /** Hands every cached block to the shared pool. The owner, or anyone once the owner has terminated. */
    void drain() {
        for (int c = 0; c < free.length; c++) {
            while (count[c] > 0) MemoryPool.releaseShared(c, poll(c));
        }
    }
}
