package dev.panagrad.distributed;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.data.DataLoader;
import dev.panagrad.data.TensorDataset;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every collective as rank 0 of 1, started without a launcher (through MPI when libmpi is installed). */
class ProcessGroupTest {
    private final ProcessGroup group = ProcessGroup.init();

    @Test
    void aloneIsRankZeroOfOne() {
        assertEquals(0, group.rank());
        assertEquals(1, group.size());
        assertEquals(ProcessGroup.mpiAvailable(), group.usesMpi());
    }

    @Test
    void allReduceOfOneRankKeepsTheValues() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : new int[] {0, 1, 17, 1000}) {
                Tensor t = Tensor.arange(dtype, 0, n, 1);
                group.allReduce(t, ReduceOp.SUM);
                assertArrayEquals(Tensor.arange(dtype, 0, n, 1).toDoubleArray(), t.toDoubleArray(), dtype + " " + n);
                group.allReduce(t, ReduceOp.AVERAGE);   // the sum over 1 rank divided by 1
                assertArrayEquals(Tensor.arange(dtype, 0, n, 1).toDoubleArray(), t.toDoubleArray(), dtype + " " + n);
            }
        }
    }

    @Test
    void asyncAllReduceCompletes() {
        Tensor t = Tensor.full(2.5, 3);
        Work w = group.allReduceAsync(t, ReduceOp.SUM);
        w.waitFor();
        assertTrue(w.isDone());
        assertArrayEquals(new double[] {2.5, 2.5, 2.5}, t.toDoubleArray());
    }

    @Test
    void allReduceOfAViewTouchesOnlyTheView() {
        Tensor t = Tensor.arange(DType.FLOAT32, 0, 10, 1);
        group.allReduce(t.narrow(0, 2, 3), ReduceOp.AVERAGE);
        assertArrayEquals(Tensor.arange(DType.FLOAT32, 0, 10, 1).toDoubleArray(), t.toDoubleArray());
    }

    @Test
    void broadcastAndBarrier() {
        Tensor t = Tensor.full(DType.FLOAT64, 7, 5);
        group.broadcast(t, 0);
        assertArrayEquals(new double[] {7, 7, 7, 7, 7}, t.toDoubleArray());
        group.barrier();
    }

    @Test
    void badInputNamesTheOp() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> group.allReduce(Tensor.zeros(DType.INT64, 3), ReduceOp.SUM));
        assertTrue(e.getMessage().startsWith("allReduce: expected a contiguous float32 or float64 tensor"), e.getMessage());
        var t = Tensor.zeros(3, 4).transpose(0, 1);
        assertThrows(IllegalArgumentException.class, () -> group.allReduce(t, ReduceOp.SUM));
        var r = assertThrows(IllegalArgumentException.class, () -> group.broadcast(Tensor.zeros(2), 1));
        assertEquals("broadcast: root rank 1 out of range; expected 0 <= root < 1", r.getMessage());
    }

    @Test
    void aMissingLibraryNamesThePackagesToInstall() {
        var e = assertThrows(UnsatisfiedLinkError.class, () -> Mpi.load("libmpi-not-installed.so.40"));
        assertTrue(e.getMessage().contains("sudo apt-get install openmpi-bin libopenmpi-dev"), e.getMessage());
    }

    @Test
    void samplerShardsAreDisjointAndCoverTheEpoch() {
        // 10 examples over 3 ranks: 3 each, the last (10 mod 3 = 1) position of the order left out
        TensorDataset data = new TensorDataset(Tensor.arange(10).reshape(10, 1), Tensor.arange(10));
        DataLoader all = new DataLoader(data, 4).shuffle(5);
        long[] order = all.order(2);
        Set<Long> seen = new HashSet<>();
        for (int r = 0; r < 3; r++) {
            DataLoader shard = new DataLoader(data, 4).shuffle(5).sampler(new DistributedSampler(r, 3));
            long[] mine = shard.order(2);
            assertEquals(3, mine.length);
            assertEquals(3, shard.exampleCount());
            assertEquals(1, shard.batchCount());
            for (int i = 0; i < mine.length; i++) assertEquals(order[r + 3 * i], mine[i]);
            for (long m : mine) assertTrue(seen.add(m), "index " + m + " in two shards");
        }
        assertEquals(9, seen.size());
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(3, 3));
        assertTrue(Arrays.stream(order).anyMatch(i -> !seen.contains(i)));
    }
}
