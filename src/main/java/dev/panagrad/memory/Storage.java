package dev.panagrad.memory;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * The bytes behind one or more tensors (a base and its views), with the version counter they share.
 * Storage is owned either by a {@link Scope}, which releases it at close, or by the garbage collector,
 * which returns it to the pool once no tensor refers to it. Wrapped user memory is never released here.
 *
 * <pre>{@code
 * Storage s = Storage.allocate(1024);
 * s.segment();   // 1024 bytes, 64-byte aligned
 * }</pre>
 */
public final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment block;      // pooled block, or null for wrapped memory
    private final MemorySegment segment;    // exactly the requested bytes
    private Scope scope;                    // owner, or null when the GC owns it
    private Scope releasedBy;
    private volatile boolean released;
    private volatile Thread writer;
    private long version;

    private Storage(MemorySegment block, MemorySegment segment) {
        this.block = block;
        this.segment = segment;
    }

    /** Fresh storage of {@code bytes} bytes (contents undefined), owned by the current scope or else the GC. */
    public static Storage allocate(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("allocate: negative size " + bytes + " bytes");
        MemorySegment block = MemoryPool.acquire(bytes);
        Storage s = new Storage(block, block.asSlice(0, bytes));
        s.adoptBy(Scope.current());
        return s;
    }

    /** Storage over memory the caller owns; it is never released or pooled here. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(null, segment);
    }

    /** The bytes; throws if the storage was released. */
    public MemorySegment segment() {
        if (released) throw new IllegalStateException(releasedMessage());
        return segment;
    }

    /** True once the owning scope closed. */
    public boolean isReleased() {
        return released;
    }

    /** Why access is refused, naming the scope that released it. */
    public String releasedMessage() {
        return "storage was released when " + releasedBy + " closed";
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
            CLEANER.register(this, () -> MemoryPool.release(b));
        }
    }

    /** Returns the bytes to the pool; later access throws. Called by the owning scope. */
    void release(Scope by) {
        if (released) return;
        released = true;
        releasedBy = by;
        MemoryPool.release(block);
    }

    /** The version counter: bumped by every in-place write to any view of this storage. */
    public long version() {
        return version;
    }

    /** Records one in-place modification. */
    public void bumpVersion() {
        version++;
    }

    /**
     * Marks the start of a write by the current thread; throws if another thread is writing. Paired with
     * {@link #endWrite()}; a best-effort guard against sharing one tensor across threads while it changes.
     */
    public void beginWrite(String op) {
        Thread me = Thread.currentThread(), w = writer;
        if (w != null && w != me) throw concurrent(op, w);
        writer = me;
    }

    /** Ends a write begun by {@link #beginWrite}. */
    public void endWrite() {
        writer = null;
    }

    /** Throws if another thread is writing this storage right now. */
    public void checkNoWriter(String op) {
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) throw concurrent(op, w);
    }

    private static IllegalStateException concurrent(String op, Thread w) {
        return new IllegalStateException(op + ": tensor is being modified in place by thread '" + w.getName()
                + "' while thread '" + Thread.currentThread().getName()
                + "' uses it; expected one thread at a time to use a tensor that is being written");
    }
}
