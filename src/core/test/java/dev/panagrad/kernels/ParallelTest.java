package dev.panagrad.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The range splitter: every index runs exactly once whatever the thread count, callers on several threads at
 * once, ranges nested in a chunk, a busy thread's share finished by another, and a failing chunk; workers that
 * went to sleep between ranges wake again.
 */
class ParallelTest {

    /** Runs [0, n) with the given grain and returns how often each index ran. */
    private static AtomicIntegerArray cover(int n, long grain) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        Parallel.forRange(n, grain, (lo, hi) -> {
            for (long i = lo; i < hi; i++) seen.incrementAndGet((int) i);
        });
        return seen;
    }

    private static void assertOnce(AtomicIntegerArray seen, String what) {
        for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i), what + ": index " + i);
    }

    @Test
    void everyIndexRunsOnceForEveryThreadCountAndGrain() throws InterruptedException {
        int saved = Parallel.threads();
        try {
            for (int t = 1; t <= 5; t++) {
                Parallel.setThreads(t);
                for (int n : new int[] {0, 1, 7, 1000, 100_003}) {
                    for (long grain : new long[] {1, 3, 1000}) assertOnce(cover(n, grain), t + " threads, n " + n);
                }
                Thread.sleep(5);   // long enough for the workers to stop spinning and sleep: the next range wakes them
                assertOnce(cover(10_000, 1), t + " threads after a pause");
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void callersOnSeveralThreadsAndNestedRangesEachGetTheirWholeRange() throws InterruptedException {
        int saved = Parallel.threads();
        Parallel.setThreads(3);
        try {
            int callers = 4;
            CountDownLatch start = new CountDownLatch(1);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int round = 0; round < 200; round++) {
                            assertOnce(cover(5000, 1), "concurrent caller");
                            AtomicIntegerArray nested = new AtomicIntegerArray(64 * 64);
                            Parallel.forRange(64, 1, (lo, hi) -> {
                                for (long i = lo; i < hi; i++) {
                                    long row = i;
                                    Parallel.forRange(64, 1, (a, b) -> {
                                        for (long j = a; j < b; j++) nested.incrementAndGet((int) (row * 64 + j));
                                    });
                                }
                            });
                            assertOnce(nested, "nested ranges");
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread th : threads) th.join();
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void aThreadDoneWithItsShareTakesTheRestOfABusyThreadsShare() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            int pieces = Parallel.PIECES, n = 2 * pieces;
            CountDownLatch restOfFirstShare = new CountDownLatch(pieces - 1);
            AtomicBoolean released = new AtomicBoolean();
            Parallel.forRange(n, 1, (lo, hi) -> {
                for (long i = lo; i < hi; i++) {
                    if (i > 0 && i < pieces) restOfFirstShare.countDown();
                    // the thread at index 0 stays busy until the rest of its share ran: on another thread, or
                    // on this one before index 0 when it took the whole share from the back
                    if (i == 0) released.set(await(restOfFirstShare));
                }
            });
            assertTrue(released.get(), "the rest of the first share waited for the thread busy at its first index");
            assertOnce(cover(1000, 1), "the next range");
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void aFailingChunkIsRethrownAfterTheOtherChunksFinished() {
        int saved = Parallel.threads();
        Parallel.setThreads(4);
        try {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicIntegerArray done = new AtomicIntegerArray(4);
            var e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(4, 1, (lo, hi) -> {
                if (lo == 1) throw boom;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                done.set((int) lo, 1);
            }));
            assertSame(boom, e);
            for (int i : new int[] {0, 2, 3}) assertEquals(1, done.get(i), "chunk " + i + " finished before the throw");
            assertOnce(cover(1000, 1), "the next range");
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
