package dev.panagrad.djl;

import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.memory.Storage;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Maps DJL's lifetimes (an array lives until it or its manager is closed) onto panagrad's scopes: every
 * operation that makes an array allocates inside a scope of its own, and closing the array closes that scope,
 * which returns the array's bytes and the operation's temporaries to the pool at once. When another array
 * still views the bytes (a reshape, a transpose), they are handed to the garbage collector instead, so no
 * array ever sees freed memory. A scope is closed on the thread that opened it; an array closed on another
 * thread has its scope closed the next time the opening thread computes.
 *
 * <pre>{@code
 * PanagradNDArray y = Lifetimes.compute(manager, () -> x.tensor().exp());
 * y.close();   // y's bytes go back to panagrad's pool now
 * }</pre>
 */
final class Lifetimes {
    private Lifetimes() {}

    /** The first array to wrap each storage; later wrappers of the same storage are views of it. */
    private static final Map<Storage, WeakReference<PanagradNDArray>> FIRST_WRAPPER = new WeakHashMap<>();
    private static final ConcurrentLinkedQueue<Pending> PENDING = new ConcurrentLinkedQueue<>();

    private record Pending(Thread thread, Scope scope) {}

    /**
     * Runs {@code body} in a fresh scope and wraps its result as an array of {@code manager} owning that scope.
     * A failure frees what the body allocated and arrives as DJL's engine failure ({@link EngineErrors}).
     */
    static PanagradNDArray compute(PanagradNDManager manager, Supplier<Tensor> body) {
        closePendingOfThisThread();
        Scope scope = Scope.within(null, Scope::open);
        try {
            Tensor t = Scope.within(scope, body);
            return new PanagradNDArray(manager, t, scope, Thread.currentThread());   // a capped manager refuses it
        } catch (RuntimeException e) {
            scope.close();
            throw EngineErrors.translate(e);
        } catch (Error e) {
            scope.close();
            throw e;
        }
    }

    /** Runs {@code body} for its side effects, freeing whatever it allocated before returning. */
    static void temporarily(Runnable body) {
        try (Scope scope = Scope.open()) {
            body.run();
        } catch (RuntimeException e) {
            throw EngineErrors.translate(e);
        }
    }

    /** Records {@code array} as the first wrapper of its storage, or marks the first one as viewed. */
    static void register(PanagradNDArray array, Tensor t) {
        Storage s = t.storage();
        synchronized (FIRST_WRAPPER) {
            WeakReference<PanagradNDArray> ref = FIRST_WRAPPER.get(s);
            PanagradNDArray first = ref == null ? null : ref.get();
            if (first != null && !first.isReleased()) {
                first.markViewed();
            } else {
                FIRST_WRAPPER.put(s, new WeakReference<>(array));
            }
        }
    }

    /** Releases what a closed array owned: its scope, keeping the array's bytes alive if another array views them. */
    static void release(Tensor t, Scope scope, Thread opener, boolean viewed) {
        synchronized (FIRST_WRAPPER) {
            FIRST_WRAPPER.remove(t.storage());
        }
        if (scope == null) return;
        if (viewed) scope.keep(t.storage());
        if (Thread.currentThread() == opener) {
            scope.close();
        } else {
            PENDING.add(new Pending(opener, scope));
        }
    }

    private static void closePendingOfThisThread() {
        if (PENDING.isEmpty()) return;
        Thread me = Thread.currentThread();
        for (Iterator<Pending> it = PENDING.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.thread == me) {
                it.remove();
                p.scope.close();
            }
        }
    }
}
