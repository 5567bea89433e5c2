package dev.panagrad.kernels;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/** Components (OpenBLAS) that follow the library's thread count. */
final class ThreadListeners {
    private ThreadListeners() {}

    private static final List<IntConsumer> LISTENERS = new CopyOnWriteArrayList<>();

    static void add(IntConsumer listener) {
        LISTENERS.add(listener);
    }

    static void notifyAll(int threads) {
        for (IntConsumer l : LISTENERS) l.accept(threads);
    }
}
