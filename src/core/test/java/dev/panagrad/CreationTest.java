package dev.panagrad;

import dev.panagrad.memory.MemoryPool;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static dev.panagrad.Ref.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Factories, random tensors, Java-array round trips and zero-copy wrapping. */
class CreationTest {

    @Test
    void constantFactoriesAndLikeVariants() {
        for (DType dt : DType.values()) {
            Tensor z = Tensor.zeros(dt, 2, 3), o = Tensor.ones(dt, 2, 3), f = Tensor.full(dt, 1, 2, 3);
            assertEquals(dt, z.dtype());
            assertArrayEquals(new long[] {2, 3}, z.shape());
            assertTrue(z.isContiguous());
            assertExact(new double[6], z, 2, 3);
            assertExact(new double[] {1, 1, 1, 1, 1, 1}, o, 2, 3);
            assertExact(new double[] {1, 1, 1, 1, 1, 1}, f, 2, 3);
            assertEquals(dt, o.zerosLike().dtype());
            assertExact(new double[6], o.zerosLike(), 2, 3);
            assertExact(new double[] {1, 1, 1, 1, 1, 1}, z.onesLike(), 2, 3);
            assertArrayEquals(new long[] {2, 3}, z.emptyLike().shape());
            assertEquals(dt, z.emptyLike().dtype());
        }
        assertExact(new double[] {2.5, 2.5}, Tensor.full(2.5, 2), 2);
        assertExact(new double[] {-3, -3}, Tensor.zeros(DType.FLOAT64, 2).fullLike(-3), 2);
        assertEquals(DType.FLOAT32, Tensor.zeros(4).dtype(), "float32 is the default");
    }

    @Test
    void arangeAndLinspace() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertExact(new double[] {0, 1, 2, 3, 4}, a, 5);
        assertExact(new double[] {5, 3, 1}, Tensor.arange(5, 0, -2), 3);          // negative step stops above the end
        Tensor f = Tensor.arange(0, 1, 0.25);
        assertEquals(DType.FLOAT32, f.dtype(), "a fractional step gives float32");
        assertExact(new double[] {0, 0.25, 0.5, 0.75}, f, 4);
        assertEquals(DType.FLOAT64, Tensor.arange(DType.FLOAT64, 0, 3, 1).dtype());
        assertExact(new double[] {}, Tensor.arange(0), 0);
        // linspace(start, end, n): start + i (end - start) / (n - 1), both ends included exactly
        assertExact(new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5), 5);
        assertExact(new double[] {-3, -2, -1, 0, 1, 2, 3}, Tensor.linspace(-3, 3, 7), 7);
        assertExact(new double[] {-1}, Tensor.linspace(-1, 1, 1), 1);
        assertExact(new double[] {}, Tensor.linspace(0, 1, 0), 0);
        double[] l = Tensor.linspace(0.1, 0.7, 4).toDoubleArray();
        assertEquals((float) 0.7, l[3], 0.0, "the last value is the end itself");
    }

    @Test
    void eye() {
        assertExact(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3), 3, 3);
        assertExact(new double[] {1, 0, 0, 0, 0, 1, 0, 0}, Tensor.eye(DType.FLOAT64, 2, 4), 2, 4);
        Tensor tall = Tensor.eye(DType.INT64, 3, 2);
        assertEquals(DType.INT64, tall.dtype());
        assertExact(new double[] {1, 0, 0, 1, 0, 0}, tall, 3, 2);
        assertArrayEquals(new long[] {0, 0}, Tensor.eye(0).shape());
    }

    @Test
    void randomTensorsAreSeededAndDistributedRight() {
        Generator.manualSeed(7);
        double[] u1 = Tensor.rand(10000).toDoubleArray();
        Generator.manualSeed(7);
        double[] u2 = Tensor.rand(10000).toDoubleArray();
        assertArrayEquals(u1, u2, "the same seed gives the same values");
        assertTrue(Arrays.stream(u1).allMatch(x -> x >= 0 && x < 1), "rand is in [0, 1)");
        // mean of U(0, 1) is 1/2 with standard error sqrt(1/12) / 100 = 0.003
        assertEquals(0.5, Arrays.stream(u1).average().orElseThrow(), 0.02);
        // a separate generator with the same seed is reproducible and independent of the global one
        double[] g1 = new Generator(11).randn(DType.FLOAT64, 20001).toDoubleArray();   // odd count
        Tensor.rand(5);
        double[] g2 = new Generator(11).randn(DType.FLOAT64, 20001).toDoubleArray();
        assertArrayEquals(g1, g2);
        double mean = Arrays.stream(g1).average().orElseThrow();
        double var = Arrays.stream(g1).map(x -> (x - mean) * (x - mean)).sum() / (g1.length - 1);
        assertEquals(0, mean, 0.05);     // standard error 1 / sqrt(20001) = 0.007
        assertEquals(1, var, 0.05);      // standard error sqrt(2 / 20001) = 0.01
        assertNotEquals(g1[0], g1[1]);
        assertEquals(DType.FLOAT32, Tensor.randn(2, 2).dtype());
    }

    @Test
    void randintCoversItsRange() {
        Generator.manualSeed(3);
        Tensor r = Tensor.randint(-2, 3, 400);
        assertEquals(DType.INT64, r.dtype());
        Set<Long> seen = new HashSet<>();
        for (long v : r.toLongArray()) {
            assertTrue(v >= -2 && v < 3, "randint is in [low, high)");
            seen.add(v);
        }
        assertEquals(Set.of(-2L, -1L, 0L, 1L, 2L), seen);
        // the widest range does not overflow
        assertEquals(5, Tensor.randint(Long.MIN_VALUE, Long.MAX_VALUE, 5).numel());
    }

    @Test
    void javaArraysRoundTrip() {
        Tensor f = Tensor.of(new float[] {1.5f, -2, 3, 4}, 2, 2);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new float[] {1.5f, -2, 3, 4}, f.toFloatArray());
        Tensor d = Tensor.of(DType.FLOAT64, new double[] {0.1, 0.2}, 2);
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {0.1, 0.2}, d.toDoubleArray());
        Tensor l = Tensor.of(new long[] {Long.MAX_VALUE, -1}, 2);
        assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, l.toLongArray(), "int64 round-trips exactly");
        Tensor b = Tensor.of(new boolean[] {true, false}, 1, 2);
        assertEquals(DType.BOOL, b.dtype());
        assertArrayEquals(new double[] {1, 0}, b.toDoubleArray());
        // 0-dim tensors and item()
        assertEquals(0, Tensor.of(2.5).dim());
        assertEquals(2.5, Tensor.of(2.5).item());
        assertEquals(7, Tensor.scalar(DType.INT64, 7).item());
        assertEquals(3, Tensor.ofDoubles(1, 3).narrow(0, 1, 1).item(), "item of a one-element view");
        // out of a non-contiguous view: row-major order of the view
        Tensor t = Ref.layout(Ref.Layout.TRANSPOSED, new double[] {1, 2, 3, 4, 5, 6}, DType.FLOAT32, 2, 3);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, t.toLongArray());
        assertArrayEquals(new double[] {3, 6}, t.select(1, 2).toDoubleArray());
    }

    @Test
    void wrapIsZeroCopyAndNeverPooled() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(6 * 4, 4);
            for (int i = 0; i < 6; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            long live = MemoryPool.liveBytes();
            Tensor t = Tensor.wrap(seg, DType.FLOAT32, 2, 3);
            assertEquals(live, MemoryPool.liveBytes(), "wrapping allocates nothing");
            assertExact(new double[] {0, 1, 2, 3, 4, 5}, t, 2, 3);
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, 4, 40);                 // the caller writes: the tensor sees it
            assertEquals(40, t.select(0, 1).select(0, 1).item());
            t.select(1, 0).fill_(-1);                                       // the tensor writes: the caller sees it
            assertEquals(-1, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(-1, seg.getAtIndex(ValueLayout.JAVA_FLOAT, 3));
            // a wrapped segment may be larger than the shape
            assertEquals(4, Tensor.wrap(seg, DType.FLOAT32, 2, 2).numel());
        }
    }
}
