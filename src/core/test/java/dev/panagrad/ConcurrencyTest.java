package dev.panagrad;

import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several threads: independent work is correct; a tensor written by one thread while another uses it is refused. */
class ConcurrencyTest {

    /** Runs body on a thread named name and returns what it threw (or null). */
    private static Throwable onThread(String name, Runnable body) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, name);
        t.start();
        t.join();
        return thrown[0];
    }

    @Test
    void independentOpsOnTwoThreadsAreCorrect() throws Exception {
        double[] a = Ref.random(71, 256 * 300, -1, 1), b = Ref.random(72, 300 * 8, -1, 1);
        Tensor ta = Ref.layout(Ref.Layout.TRANSPOSED, a, DType.FLOAT32, 256, 300);
        Tensor tb = Ref.tensor(b, DType.FLOAT32, 300, 8);
        Callable<double[]> work = () -> {
            try (Scope s = Scope.open()) {
                return ta.mul(2).tanh().matmul(tb).softmax(-1).sum(0, false).toDoubleArray();
            }
        };
        double[] expected = work.call();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<double[]>> results = new ArrayList<>();
                for (int i = 0; i < 4; i++) results.add(pool.submit(work));
                // OpenBLAS may split a GEMM differently when two callers run at once: equal up to float rounding.
                for (Future<double[]> f : results) assertArrayEquals(expected, f.get(), 1e-5);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void useWhileAnotherThreadWritesIsRefused() throws Exception {
        Tensor x = Tensor.ones(4, 5);
        CountDownLatch writing = new CountDownLatch(1), done = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            x.storage().beginWrite("mul_", x::describe);          // as an in-place op does for its whole run
            writing.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                x.storage().endWrite();
            }
        }, "writer");
        writer.start();
        writing.await();
        try {
            Ref.assertThrowsWith(IllegalStateException.class, x::exp, "exp", "[4, 5] float32", "'writer'", "expected one thread");
            Ref.assertThrowsWith(IllegalStateException.class, x::sum, "sum", "'writer'");
            Ref.assertThrowsWith(IllegalStateException.class, () -> x.t().matmul(x), "matmul", "'writer'");
            Ref.assertThrowsWith(IllegalStateException.class, () -> x.add_(1), "add_", "[4, 5] float32", "'writer'");
            Ref.assertThrowsWith(IllegalStateException.class, () -> Tensor.zeros(4, 5).copy_(x), "copy_", "'writer'");
        } finally {
            done.countDown();
            writer.join();
        }
        assertEquals(20, x.exp().log().sum().item(), 1e-5, "usable again once the write ended");
    }

    @Test
    void inPlaceWriteWhileAnotherThreadReadsIsRefused() throws Exception {
        Tensor x = Tensor.ones(3);
        assertTrue(x.storage().pin());                                   // a kernel on this thread is reading x
        try {
            Throwable e = onThread("other", () -> x.add_(1));
            assertTrue(e instanceof IllegalStateException, "got " + e);
            assertTrue(e.getMessage().contains("add_") && e.getMessage().contains("[3] float32")
                    && e.getMessage().contains("being read"), e.getMessage());
        } finally {
            x.storage().unpin();
        }
        assertEquals(null, onThread("other", () -> x.add_(1)), "the write goes ahead once the read ended");
        assertEquals(6, x.sum().item());
    }

    @Test
    void nestedWritesOnOneThreadAreAllowed() throws Exception {
        Tensor x = Tensor.ones(2);
        x.storage().beginWrite("outer", x::describe);
        x.storage().beginWrite("inner", x::describe);
        x.add_(1);                                                       // the writing thread may use it
        x.storage().endWrite();
        assertTrue(onThread("other", x::exp) instanceof IllegalStateException, "still written after the inner end");
        x.storage().endWrite();
        assertEquals(null, onThread("other", x::exp));
    }

    @Test
    void racingReaderAndWriterNeverSeeAnythingButTheConcurrentUseError() throws Exception {
        // not deterministic in what it detects; every outcome must be a correct value or the clear exception
        Tensor x = Tensor.zeros(DType.FLOAT64, 50_000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> unexpected = new ArrayList<>();
        Runnable writer = () -> {
            for (int i = 0; i < 300; i++) {
                try {
                    x.fill_(i);
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                }
            }
            stop.set(true);
        };
        Runnable reader = () -> {
            while (!stop.get()) {
                try {
                    // fill_(i) sets every element to i: a read that saw half a fill would not be a multiple of 50000
                    double s = x.sum().item();
                    assertEquals(0, s % 50_000, "torn read: " + s);
                } catch (IllegalStateException e) {
                    if (!e.getMessage().contains("thread")) throw e;
                    refused.incrementAndGet();
                }
            }
        };
        Thread w = new Thread(() -> run(writer, unexpected), "w"), r = new Thread(() -> run(reader, unexpected), "r");
        w.start();
        r.start();
        w.join();
        r.join();
        assertTrue(unexpected.isEmpty(), "unexpected: " + unexpected);
    }

    private static void run(Runnable body, List<Throwable> failures) {
        try {
            body.run();
        } catch (Throwable e) {
            synchronized (failures) {
                failures.add(e);
            }
        }
    }

    @Test
    void scopeClosingWhileAnotherThreadComputesNeverYieldsWrongValues() throws Exception {
        // the owner closes its scope while another thread reads a tensor of it, then reuses the pool: the reader
        // gets either exact results or the use-after-release exception, never recycled bytes
        for (int round = 0; round < 20; round++) {
            Scope s = Scope.open();
            Tensor t = Tensor.ones(100_000);
            CountDownLatch started = new CountDownLatch(1);
            List<Throwable> failures = new ArrayList<>();
            Thread reader = new Thread(() -> run(() -> {
                started.countDown();
                for (int i = 0; i < 50; i++) {
                    double[] v;
                    try {
                        v = t.mul(3).toDoubleArray();
                    } catch (IllegalStateException e) {
                        assertTrue(e.getMessage().contains("released"), e.getMessage());
                        return;
                    }
                    for (double d : v) assertEquals(3, d);
                }
            }, failures), "reader");
            reader.start();
            started.await();
            s.close();
            try (Scope reuse = Scope.open()) {
                for (int i = 0; i < 20; i++) Tensor.full(7, 100_000);      // same size class: takes freed blocks
            }
            reader.join();
            assertTrue(failures.isEmpty(), "reader saw: " + failures);
        }
    }

    @Test
    void smallRangesStayOnTheCallerAndLargeOnesUseThePool() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            Set<String> names = ConcurrentHashMap.newKeySet();
            AtomicLong covered = new AtomicLong();
            Parallel.forRange(1000, 1 << 15, (lo, hi) -> {
                names.add(Thread.currentThread().getName());
                covered.addAndGet(hi - lo);
            });
            assertEquals(Set.of(Thread.currentThread().getName()), names, "below the grain: the caller's thread only");
            assertEquals(1000, covered.get());
            names.clear();
            covered.set(0);
            // Each of the two chunks waits until both have started, so they must run on two threads at once.
            CountDownLatch bothStarted = new CountDownLatch(2);
            Parallel.forRange(1 << 20, 1 << 15, (lo, hi) -> {
                names.add(Thread.currentThread().getName());
                covered.addAndGet(hi - lo);
                bothStarted.countDown();
                await(bothStarted);
            });
            assertTrue(names.stream().anyMatch(n -> n.startsWith("panagrad-")), "large ranges run on the pool: " + names);
            assertTrue(names.contains(Thread.currentThread().getName()), "the caller takes a chunk too: " + names);
            assertEquals(1 << 20, covered.get(), "every item exactly once");
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void aBusyWorkerLeavesItsChunkToTheCaller() throws Exception {
        int saved = Parallel.threads();
        Parallel.setThreads(2);   // one worker besides the caller
        CountDownLatch workerBusy = new CountDownLatch(2), release = new CountDownLatch(1);
        Thread other = new Thread(() -> Parallel.forRange(1 << 20, 1 << 15, (lo, hi) -> {
            workerBusy.countDown();   // this range's two chunks hold its caller and the worker
            await(release);
        }), "other");
        try {
            other.start();
            await(workerBusy);
            Set<String> names = ConcurrentHashMap.newKeySet();
            Parallel.forRange(1 << 20, 1 << 15, (lo, hi) -> names.add(Thread.currentThread().getName()));
            assertEquals(Set.of(Thread.currentThread().getName()), names, "both chunks ran here while the worker was busy");
        } finally {
            release.countDown();
            other.join();
            Parallel.setThreads(saved);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "timed out waiting for another thread");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFailingChunkWaitsForTheOthersBeforeTheOpThrows() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        try {
            AtomicBoolean otherFinished = new AtomicBoolean();
            Ref.assertThrowsWith(IllegalStateException.class, () -> Parallel.forRange(1 << 20, 1 << 15, (lo, hi) -> {
                if (lo == 0) throw new IllegalStateException("first chunk fails");
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                otherFinished.set(true);
            }), "first chunk fails");
            // otherwise the other chunk could still be writing an output its caller already released
            assertTrue(otherFinished.get(), "the second chunk finished before forRange returned");
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void changingTheThreadCountWhileOpsRunIsSafe() throws Exception {
        int saved = Parallel.threads();
        Tensor x = Tensor.ones(200_000);
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new ArrayList<>();
        Thread worker = new Thread(() -> run(() -> {
            while (!stop.get()) assertEquals(400_000, x.mul(2).sum().item());
        }, failures), "worker");
        worker.start();
        try {
            for (int i = 0; i < 200; i++) Parallel.setThreads(1 + i % 2);
        } finally {
            stop.set(true);
            worker.join();
            Parallel.setThreads(saved);
        }
        assertTrue(failures.isEmpty(), "worker saw: " + failures);
    }
}
