package dev.panagrad.data;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.memory.MemoryPool;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {
    /** Example i is the row [i, 10 i] with label i, so every batch shows which examples it holds. */
    private static TensorDataset numbered(int n) {
        float[] rows = new float[2 * n];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            rows[2 * i] = i;
            rows[2 * i + 1] = 10 * i;
            labels[i] = i;
        }
        return new TensorDataset(Tensor.of(rows, n, 2), Tensor.of(labels, n));
    }

    private static List<long[]> labelsOfEpoch(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) out.add(b.targets().toLongArray());
        return out;
    }

    @Test
    void batchesInOrderWithShortLastBatch() {
        DataLoader loader = new DataLoader(numbered(10), 4);
        assertEquals(3, loader.batchCount());
        List<long[]> epoch = labelsOfEpoch(loader);
        assertEquals(3, epoch.size());
        assertArrayEquals(new long[] {0, 1, 2, 3}, epoch.get(0));
        assertArrayEquals(new long[] {4, 5, 6, 7}, epoch.get(1));
        assertArrayEquals(new long[] {8, 9}, epoch.get(2));
    }

    @Test
    void inputsTravelWithTheirLabels() {
        for (Batch b : new DataLoader(numbered(50), 8).shuffle(3)) {
            assertArrayEquals(new long[] {b.size(), 2}, b.inputs().shape());
            long[] labels = b.targets().toLongArray();
            float[] rows = b.inputs().toFloatArray();
            for (int k = 0; k < labels.length; k++) {
                assertEquals(labels[k], rows[2 * k]);          // row i is [i, 10 i]
                assertEquals(10 * labels[k], rows[2 * k + 1]);
            }
        }
    }

    @Test
    void dropLastDropsOnlyTheShortBatch() {
        DataLoader loader = new DataLoader(numbered(10), 4).dropLast(true);
        assertEquals(2, loader.batchCount());
        assertEquals(8, loader.exampleCount());
        List<long[]> epoch = labelsOfEpoch(loader);
        assertEquals(2, epoch.size());
        for (long[] b : epoch) assertEquals(4, b.length);
        // with an exact fit nothing is dropped
        assertEquals(3, labelsOfEpoch(new DataLoader(numbered(12), 4).dropLast(true)).size());
    }

    @Test
    void shuffledEpochVisitsEveryExampleOnce() {
        DataLoader loader = new DataLoader(numbered(103), 10).shuffle(7);
        for (int epoch = 0; epoch < 3; epoch++) {
            long[] seen = labelsOfEpoch(loader).stream().flatMapToLong(Arrays::stream).sorted().toArray();
            long[] all = new long[103];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, seen);
        }
    }

    @Test
    void sameSeedSameOrderAndEachEpochDiffers() {
        DataLoader a = new DataLoader(numbered(200), 16).shuffle(42);
        DataLoader b = new DataLoader(numbered(200), 16).shuffle(42);
        List<long[]> a0 = labelsOfEpoch(a), a1 = labelsOfEpoch(a);
        List<long[]> b0 = labelsOfEpoch(b), b1 = labelsOfEpoch(b);
        assertArrayEquals(a0.toArray(), b0.toArray());
        assertArrayEquals(a1.toArray(), b1.toArray());
        // 200! orders: two equal epochs or seeds would mean the shuffle ignores its input
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        assertFalse(Arrays.equals(a.order(0), new DataLoader(numbered(200), 16).shuffle(43).order(0)));
        long[] identity = new long[200];
        Arrays.setAll(identity, i -> i);
        assertFalse(Arrays.equals(identity, a.order(0)));
    }

    @Test
    void setEpochResumesTheSameOrder() {
        DataLoader full = new DataLoader(numbered(64), 8).shuffle(5);
        labelsOfEpoch(full);
        labelsOfEpoch(full);
        List<long[]> third = labelsOfEpoch(full);
        DataLoader resumed = new DataLoader(numbered(64), 8).shuffle(5).setEpoch(2);
        assertArrayEquals(third.toArray(), labelsOfEpoch(resumed).toArray());
        assertEquals(3, resumed.epoch());
    }

    @Test
    void backgroundAndCallerThreadGiveTheSameBatches() {
        DataLoader background = new DataLoader(numbered(100), 7).shuffle(9).prefetch(3);
        DataLoader direct = new DataLoader(numbered(100), 7).shuffle(9).prefetch(0);
        assertArrayEquals(labelsOfEpoch(direct).toArray(), labelsOfEpoch(background).toArray());
    }

    @Test
    void batchesAreFreedWhenTheIteratorAdvancesUnlessKept() {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = new DataLoader(numbered(20), 5).prefetch(prefetch);
            List<Batch> seen = new ArrayList<>();
            Batch kept = null;
            for (Batch b : loader) {
                try (Scope step = Scope.open()) {
                    b.inputs().sum();   // the step scope does not own the batch
                }
                assertEquals(5, b.inputs().select(1, 0).toFloatArray().length, "valid until the iterator advances");
                seen.add(b);
                if (b.targets().toLongArray()[0] == 5) kept = b.keep();
            }
            // rows 5..9 were kept: column 0 sums to 5 + 6 + 7 + 8 + 9
            assertEquals(35, kept.inputs().select(1, 0).sum().item());
            for (Batch b : seen) {
                if (b == kept) continue;
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.inputs().sum());
                assertTrue(e.getMessage().contains("released"), e.getMessage());
            }
        }
    }

    @Test
    void steadyLoopReusesBatchMemory() {
        // 40 batches of 100 rows: float32 [100, 2] and int64 [100], 800 bytes each
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = new DataLoader(numbered(4000), 100).shuffle(1).prefetch(prefetch);
            for (Batch b : loader) b.size();
            awaitOtherLoaderThreads();   // leftovers of earlier tests must not allocate during the measurement
            long reserved = MemoryPool.reservedBytes();
            for (int epoch = 0; epoch < 3; epoch++) for (Batch b : loader) b.size();
            // without reuse, 3 epochs would take 120 batches of fresh memory; at most prefetch + 2 are ever live
            assertTrue(MemoryPool.reservedBytes() - reserved <= (prefetch + 2) * 2 * 1024,
                    "reserved grew by " + (MemoryPool.reservedBytes() - reserved) + " bytes");
        }
    }

    /**
     * Lets the loader threads of finished or abandoned epochs end (an abandoned epoch is cancelled once its
     * iterator is collected), waiting at most two seconds for each.
     */
    private static void awaitOtherLoaderThreads() {
        System.gc();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("panagrad-data-loader")) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Test
    void failureOnTheLoaderThreadReachesTheCaller() {
        Dataset broken = new Dataset() {
            public long size() { return 10; }
            public Tensor[] get(long i) {
                if (i == 6) throw new IllegalArgumentException("bad example 6");
                return new Tensor[] {Tensor.of(i)};
            }
        };
        Iterator<Batch> it = new DataLoader(broken, 4).iterator();
        assertEquals(4, it.next().size());
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getMessage().contains("bad example 6"), e.getMessage());
    }

    @Test
    void abandonedEpochIsCancelledByTheNextOne() {
        DataLoader loader = new DataLoader(numbered(100), 5).prefetch(1);
        Iterator<Batch> first = loader.iterator();
        first.next();
        Iterator<Batch> second = loader.iterator();
        assertThrows(CancellationException.class, () -> {
            while (first.hasNext()) first.next();
        });
        int count = 0;
        while (second.hasNext()) {
            second.next();
            count++;
        }
        assertEquals(20, count);
    }

    @Test
    void defaultBatchStacksExamples() {
        // example i is (i, i^2): the batch of indices 3 and 4 is ([3, 4], [9, 16])
        Dataset squares = new Dataset() {
            public long size() { return 100; }
            public Tensor[] get(long i) { return new Tensor[] {Tensor.of(i), Tensor.scalar(DType.INT64, i * i)}; }
        };
        Batch b = squares.batch(new long[] {3, 4});
        assertArrayEquals(new double[] {3, 4}, b.inputs().toDoubleArray());
        assertArrayEquals(new long[] {9, 16}, b.targets().toLongArray());
        assertEquals(DType.INT64, b.targets().dtype());
    }

    @Test
    void badArguments() {
        TensorDataset data = numbered(4);
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 0));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 2).prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 2).setEpoch(-1));
        Iterator<Batch> it = new DataLoader(data, 4).iterator();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }
}
