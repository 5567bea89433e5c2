package dev.panagrad.memory;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * The bytes behind one or more tensors (a base and its views), with the version counter they share.
 * Storage is owned either by a {@link Scope}, which releases it at close, or by the garbage collector,
 * which returns it to the pool once no tensor refers to it. Wrapped user memory is never released here.
 *
 * <p>Kernels {@link #pin} the storages they touch for the duration of a run: a scope that closes meanwhile
 * (on another thread) marks the storage released at once but returns its bytes to the pool only after the
 * last unpin, so a running kernel never sees its bytes handed to a new tensor. Holding the storage while
 * pinned also keeps it reachable, so the garbage collector cannot recycle it under a running kernel.
 *
 * <pre>{@code
 * Storage s = Storage.allocate(1024);
 * s.segment();   // 1024 bytes, 64-byte aligned
 * }</pre>
 */
public final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    /** Allocations beyond this many bytes are refused before size-class rounding could overflow. */
    private static final long MAX_BYTES = 1L << 61;

    private final MemorySegment block;      // pooled block, or null for wrapped memory
    private final Thread allocator;         // the thread whose cache may take the block back, or null
    private final MemorySegment segment;    // exactly the requested bytes
    private volatile Scope scope;           // owner, or null when the GC owns it
    private volatile Scope releasedBy;
    /** Bit 0: released. The remaining bits count pins (each pin adds 2). Updated through {@link #STATE}. */
    private volatile int state;
    private volatile Thread writer;         // updated through WRITER
    private int writeDepth;                 // nesting of beginWrite, touched only by the writer thread
    private volatile long version;

    // Field handles rather than atomic objects: one storage is made per tensor allocation.
    private static final VarHandle STATE, WRITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Storage.class, "state", int.class);
            WRITER = l.findVarHandle(Storage.class, "writer", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Storage(MemorySegment block, MemorySegment segment, Thread allocator) {
        this.block = block;
        this.segment = segment;
        this.allocator = allocator;
    }

    /** Fresh storage of {@code bytes} bytes (contents undefined), owned by the current scope or else the GC. */
    public static Storage allocate(long bytes) {
        if (bytes < 0 || bytes > MAX_BYTES) {
            throw new IllegalArgumentException("allocate: cannot allocate " + bytes + " bytes; expected a size in [0, "
                    + MAX_BYTES + "]");
        }
        MemorySegment block = MemoryPool.acquire(bytes);
        Storage s = new Storage(block, block.asSlice(0, bytes), Thread.currentThread());
        try {
            s.adoptBy(Scope.current());
        } catch (RuntimeException e) {
            MemoryPool.release(block, s.allocator);   // the current scope refused it (closed): nobody else would return it
            throw e;
        }
        return s;
    }

    /** Storage over memory the caller owns; it is never released or pooled here. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(null, segment, null);
    }

    /** The bytes; throws if the storage was released. */
    public MemorySegment segment() {
        if (isReleased()) throw new IllegalStateException(releasedMessage());
        return segment;
    }

    /** Size in bytes; readable after release (it touches no data). */
    public long byteSize() {
        return segment.byteSize();
    }

    /** True once the owning scope closed, or for wrapped memory, once the arena that owns it closed. */
    public boolean isReleased() {
        return (state & 1) != 0 || (block == null && !segment.scope().isAlive());
    }

    /** Why access is refused, naming the scope that released it. */
    public String releasedMessage() {
        return block == null ? "the wrapped memory was freed (its arena is closed)"
                : "storage was released when " + releasedBy + " closed";
    }

    /** The exception for a use of released storage by {@code op}; {@code tensor} describes the tensor used. */
    public IllegalStateException releasedError(String op, String tensor) {
        return new IllegalStateException(op + ": tensor " + tensor + ": " + releasedMessage()
                + "; expected a live tensor (keep() it past the scope, or create it outside the scope)");
    }

    /** The scope that owns this storage, or null when the garbage collector does. */
    public Scope scope() {
        return scope;
    }

    /** Moves ownership to {@code owner} (null: the garbage collector). */
    void adoptBy(Scope owner) {
        if (block == null) return;
        scope = owner;
        if (owner != null) {
            owner.own(this);
        } else {
            MemorySegment b = block;
            MemoryPool.collectorOwned(b.byteSize());
            CLEANER.register(this, () -> {
                MemoryPool.collectorOwned(-b.byteSize());
                MemoryPool.release(b, null);
            });
        }
    }

    /** Marks the storage released (later access throws); the bytes go back to the pool once no kernel pins them. */
    void release(Scope by) {
        if (isReleased()) return;
        releasedBy = by;
        int s;
        do {
            s = state;
            if ((s & 1) != 0) return;
        } while (!STATE.compareAndSet(this, s, s | 1));
        if (s == 0) MemoryPool.release(block, allocator);
    }

    /**
     * Keeps the bytes valid for a kernel run until {@link #unpin()}; returns false (and pins nothing) when the
     * storage is already released. Every successful pin must be paired with one unpin.
     */
    public boolean pin() {
        if (block == null && !segment.scope().isAlive()) return false;   // the user's arena closed
        int s;
        do {
            s = state;
            if ((s & 1) != 0) return false;
        } while (!STATE.compareAndSet(this, s, s + 2));
        return true;
    }

    /** Ends a {@link #pin()}; the last unpin of a released storage returns its bytes to the pool. */
    public void unpin() {
        if ((int) STATE.getAndAdd(this, -2) - 2 == 1 && block != null) MemoryPool.release(block, allocator);
    }

    /** The thread writing this storage in place right now, or null. */
    public Thread writer() {
        return writer;
    }

    /** The version counter: bumped by every in-place write to any view of this storage. */
    public long version() {
        return version;
    }

    /** Records one in-place modification (by the thread that holds the write, see {@link #beginWrite}). */
    public void bumpVersion() {
        version++;
    }

    /**
     * Marks the start of an in-place write by the current thread; throws if another thread is writing or a
     * kernel on another thread is reading this storage. {@code tensor} describes the written tensor for the
     * message. Paired with {@link #endWrite()}; nested calls on the writing thread are allowed.
     */
    public void beginWrite(String op, Supplier<String> tensor) {
        Thread me = Thread.currentThread();
        if (writer == me) {
            writeDepth++;
            return;
        }
        if (!WRITER.compareAndSet(this, null, me)) throw concurrentWrite(op, tensor.get(), writer);
        // A reader pins before it checks for a writer; a writer claims before it checks for readers: one sees the other.
        if ((state >> 1) > 0) {
            writer = null;
            throw new IllegalStateException(op + ": tensor " + tensor.get() + " is being read by another thread while thread '"
                    + me.getName() + "' modifies it in place; expected one thread at a time to use a tensor that is "
                    + "being written");
        }
        writeDepth = 1;
    }

    /** Ends a write begun by {@link #beginWrite}. */
    public void endWrite() {
        if (writer == Thread.currentThread() && --writeDepth == 0) writer = null;
    }

    /** The exception for a use of {@code tensor} by {@code op} while thread {@code w} writes it. */
    public static IllegalStateException concurrentWrite(String op, String tensor, Thread w) {
        return new IllegalStateException(op + ": tensor " + tensor + " is being modified in place by thread '"
                + (w == null ? "?" : w.getName()) + "' while thread '" + Thread.currentThread().getName()
                + "' uses it; expected one thread at a time to use a tensor that is being written");
    }
}
