package dev.panagrad.memory;

import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Frees every tensor created inside it when it closes: the idiomatic way to run a training step without
 * waiting for the garbage collector. Scopes nest per thread; a tensor leaves a scope only on request
 * ({@link #keep}). Outside any scope, tensors are reclaimed by the garbage collector. Another thread may
 * allocate into a scope ({@link #within}) or keep from it; only the opening thread closes it.
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x).sub(y).pow(2).mean();
 *     loss.backward();
 *     optimizer.step();
 * }   // every temporary and graph buffer of the step goes back to the pool here
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    /** A closed scope's emptied list, for the next scope this thread opens: a loop's scopes grow no new lists. */
    private static final ThreadLocal<ArrayList<Storage>> SPARE = new ThreadLocal<>();
    private static final AtomicLong IDS = new AtomicLong();

    private final Scope parent;
    private final Thread thread;
    private final long id = IDS.incrementAndGet();
    private ArrayList<Storage> owned = takeSpareList();
    private volatile boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    private static ArrayList<Storage> takeSpareList() {
        ArrayList<Storage> spare = SPARE.get();
        if (spare == null) return new ArrayList<>();
        SPARE.set(null);
        return spare;
    }

    /** Opens a scope nested in the current one; it becomes current on this thread. */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    public static Scope current() {
        return CURRENT.get();
    }

    /** Runs {@code body} with {@code owner} (null: the garbage collector) owning what it allocates. */
    public static <T> T within(Scope owner, Supplier<T> body) {
        Scope saved = CURRENT.get();
        CURRENT.set(owner);
        try {
            return body.get();
        } finally {
            CURRENT.set(saved);
        }
    }

    /** Runs {@code body} outside every scope: what it allocates lives until unreachable (parameters, state). */
    public static <T> T unscoped(Supplier<T> body) {
        return within(null, body);
    }

    synchronized void own(Storage s) {
        if (closed) throw new IllegalStateException("allocate: " + this + " is already closed");
        owned.add(s);
    }

    /**
     * Hands {@code storage} to the nearest open enclosing scope (or the garbage collector at the outermost
     * scope) so it survives this scope's close.
     */
    public synchronized void keep(Storage storage) {
        if (storage.scope() != this) return;
        if (owned.remove(storage)) storage.adoptBy(openParent());
    }

    /** The nearest enclosing scope that is still open (scopes may be closed out of order), or null. */
    private Scope openParent() {
        Scope p = parent;
        while (p != null && p.closed) p = p.parent;
        return p;
    }

    /** Number of storages this scope will release at close. */
    public synchronized int ownedCount() {
        return owned.size();
    }

    /** Releases everything this scope owns and makes its parent current again. */
    @Override
    public synchronized void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.close: " + this + " was opened on thread '" + thread.getName()
                    + "' and closed on '" + Thread.currentThread().getName() + "'; expected the opening thread");
        }
        closed = true;
        for (Storage s : owned) s.release(this);
        owned.clear();
        if (SPARE.get() == null) SPARE.set(owned);
        owned = new ArrayList<>(0);
        if (CURRENT.get() == this) CURRENT.set(openParent());
    }

    @Override
    public String toString() {
        return "Scope#" + id;
    }
}
