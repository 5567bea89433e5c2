package dev.panagrad.memory;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The per-thread block caches of the pool: recycling, accounting across threads, peaks, ended threads. */
class MemoryPoolCacheTest {

    /**
     * Runs a measurement of the live bytes again when it failed while the garbage collector returned blocks of
     * earlier tests' tensors (which lowers the live count between its readings); at most ten times.
     */
    private static void measured(Runnable attempt) {
        for (int i = 0; ; i++) {
            long owned = MemoryPool.collectorOwnedBytes();
            try {
                attempt.run();
                return;
            } catch (AssertionError e) {
                if (i == 9 || MemoryPool.collectorOwnedBytes() == owned) throw e;
            }
        }
    }

    @Test
    void aScopedLoopRecyclesWithoutReservingMore() {
        for (int warm = 0; warm < 2; warm++) step();
        measured(() -> {
            long reserved = MemoryPool.reservedBytes(), live = MemoryPool.liveBytes();
            for (int i = 0; i < 20; i++) step();
            assertEquals(reserved, MemoryPool.reservedBytes());
            assertEquals(live, MemoryPool.liveBytes());
        });
    }

    private static void step() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.ones(DType.FLOAT32, 100);
            for (int i = 0; i < 500; i++) t = t.mul(1.001);
        }
    }

    @Test
    void peakCoversWhatAScopeHeld() {
        measured(() -> {
            long before = MemoryPool.liveBytes();
            MemoryPool.resetPeak();
            try (Scope s = Scope.open()) {
                Tensor.zeros(DType.FLOAT64, 1 << 17);   // 1 MiB
            }
            assertEquals(before, MemoryPool.liveBytes());
            assertTrue(MemoryPool.peakLiveBytes() - before >= 1 << 20, "peak " + (MemoryPool.peakLiveBytes() - before));
        });
    }

    @Test
    void blocksAProducerThreadAllocatesAreReusedWhenAConsumerReleasesThem() throws Exception {
        long bytes = 23_456;   // a size class no other test uses
        try (Scope s = Scope.open()) {
            Storage.allocate(8);   // the consumer thread has a cache of its own, as any thread that computes
        }
        MemoryPool.trim();         // and it starts empty
        long reserved = 0;
        for (int round = 0; round < 20; round++) {
            // as a data loader: the consumer opens the batch scope, a producer thread fills it, the consumer closes it
            try (Scope batch = Scope.open()) {
                Thread t = new Thread(() -> Scope.within(batch, () -> Storage.allocate(bytes)));
                t.start();
                t.join();
            }
            if (round == 0) reserved = MemoryPool.reservedBytes();
        }
        assertEquals(reserved, MemoryPool.reservedBytes(), "the producers reused the blocks the consumer released");
    }

    @Test
    void blocksCachedByAnEndedThreadReturnToThePool() throws Exception {
        long bytes = 12_345;   // a size class no other test uses
        int n = 8;
        Thread worker = new Thread(() -> {
            try (Scope s = Scope.open()) {
                for (int i = 0; i < n; i++) Storage.allocate(bytes);
            }   // released into the worker's own cache
        });
        worker.start();
        worker.join();
        Thread newcomer = new Thread(() -> Storage.allocate(8));   // a new thread's first allocation reaps ended ones
        newcomer.start();
        newcomer.join();
        long reserved = MemoryPool.reservedBytes();
        try (Scope s = Scope.open()) {
            for (int i = 0; i < n; i++) Storage.allocate(bytes);
        }
        assertEquals(reserved, MemoryPool.reservedBytes(), "the ended thread's blocks were reused");
    }

    @Test
    void memoryReleasedByTheCollectorIsCountedBack() {
        long before = MemoryPool.liveBytes();
        Scope.unscoped(() -> Tensor.zeros(DType.FLOAT64, 1 << 16));   // garbage at once, released by the cleaner
        for (int i = 0; i < 20 && MemoryPool.liveBytes() > before; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        assertTrue(MemoryPool.liveBytes() <= before, MemoryPool.stats());
        assertEquals(MemoryPool.reservedBytes() - MemoryPool.liveBytes(), MemoryPool.pooledBytes());
    }
}
