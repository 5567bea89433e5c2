package dev.panagrad;

import dev.panagrad.kernels.Parallel;
import dev.panagrad.nn.Dropout;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator draws SplittableRandom's values for the same seed, one at a time or a tensor at a time, and a
 * tensor's values do not depend on the thread count that fills it.
 */
class GeneratorTest {
    private static final long[] SEEDS = {0, 1, 42, -7, Long.MIN_VALUE, 0x123456789abcdefL};
    /** Sizes below, at and above a parallel piece, odd ones for randn's last half pair. */
    private static final long[] SIZES = {0, 1, 2, 7, 8191, 8192, 8193, 100_003};

    @Test
    void singleDrawsAreSplittableRandomsForTheSameSeed() {
        long[] bounds = {1, 2, 3, 10, 1L << 40, (1L << 62) + 1, Long.MAX_VALUE};
        for (long seed : SEEDS) {
            Generator g = new Generator(seed);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < 200; i++) {
                assertEquals(r.nextDouble(), g.nextDouble(), "nextDouble, seed " + seed + ", draw " + i);
                long bound = bounds[i % bounds.length];
                assertEquals(r.nextLong(bound), g.nextLong(bound), "nextLong(" + bound + "), seed " + seed);
            }
        }
    }

    @Test
    void randintIsSplittableRandomsBoundedLongs() {
        long[][] ranges = {{0, 10}, {-5, 3}, {0, 1L << 20}, {Long.MIN_VALUE, Long.MAX_VALUE}, {-3, Long.MAX_VALUE}};
        for (long seed : SEEDS) {
            for (long[] range : ranges) {
                Tensor t = new Generator(seed).randint(range[0], range[1], 1000);
                SplittableRandom r = new SplittableRandom(seed);
                long[] expected = new long[1000];
                for (int i = 0; i < expected.length; i++) expected[i] = r.nextLong(range[0], range[1]);
                assertArrayEquals(expected, t.toLongArray(), "randint [" + range[0] + ", " + range[1] + "), seed " + seed);
            }
        }
    }

    @Test
    void randAndRandnDrawSplittableRandomsValuesOnEveryThreadCount() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (long seed : SEEDS) {
                    for (long n : SIZES) {
                        String where = threads + " threads, seed " + seed + ", " + n + " elements";
                        Generator g = new Generator(seed);
                        SplittableRandom r = new SplittableRandom(seed);
                        assertArrayEquals(uniform(r, n, true), g.rand(DType.FLOAT32, n).toDoubleArray(), "rand float32, " + where);
                        assertArrayEquals(uniform(r, n, false), g.rand(DType.FLOAT64, n).toDoubleArray(), "rand float64, " + where);
                        assertArrayEquals(normal(r, n, true), g.randn(DType.FLOAT32, n).toDoubleArray(), "randn float32, " + where);
                        assertArrayEquals(normal(r, n, false), g.randn(DType.FLOAT64, n).toDoubleArray(), "randn float64, " + where);
                        assertEquals(r.nextDouble(), g.nextDouble(), "the draw after the tensors, " + where);
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void theDropoutMaskIsTheComposedOnesValuesAndUsesTheSameDraws() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    for (double p : new double[] {0, 0.1, 0.2, 0.5, 1.0 / 3, 0.9}) {
                        Generator a = new Generator(11), b = new Generator(11);
                        Tensor mask = a.dropoutMask(dt, p, 300, 301);
                        Tensor composed = b.rand(dt, 300, 301).ge(p).to(dt).mul_(1 / (1 - p));
                        String where = dt + ", p " + p + ", " + threads + " threads";
                        assertArrayEquals(composed.toDoubleArray(), mask.toDoubleArray(), where);
                        assertEquals(b.nextDouble(), a.nextDouble(), "the draw after the mask, " + where);
                    }
                    // p = 1 keeps nothing (the composed form would give 0 * infinity there)
                    assertEquals(0, new Generator(3).dropoutMask(dt, 1, 1000).abs().sum().item());
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void dropoutKeepsAboutOneMinusPAndScalesTheSurvivors() {
        Tensor x = Tensor.ones(200_000);
        double[] y = Dropout.dropout(x, 0.3, true, new Generator(5)).toDoubleArray();
        long kept = 0;
        for (double v : y) {
            assertTrue(v == 0 || v == (float) (1 / 0.7), "an element is 0 or 1 / (1 - p); got " + v);
            if (v != 0) kept++;
        }
        assertEquals(0.7, kept / (double) y.length, 0.005, "share kept");
    }

    @Test
    void badArgumentsNameTheOp() {
        Generator g = new Generator(1);
        var e = assertThrows(IllegalArgumentException.class, () -> g.dropoutMask(DType.FLOAT32, 1.5, 3));
        assertTrue(e.getMessage().startsWith("dropoutMask:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.dropoutMask(DType.INT64, 0.5, 3));
        assertTrue(e.getMessage().startsWith("dropoutMask:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.nextLong(0));
        assertTrue(e.getMessage().startsWith("nextLong:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.randn(DType.FLOAT32, -1));
        assertTrue(e.getMessage().startsWith("randn"), e.getMessage());
    }

    /** What the generator drew one element at a time before tensors were filled in parallel. */
    private static double[] uniform(SplittableRandom r, long n, boolean single) {
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) v[i] = single ? (float) (r.nextInt(1 << 24) * 0x1p-24) : r.nextDouble();
        return v;
    }

    private static double[] normal(SplittableRandom r, long n, boolean single) {
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - r.nextDouble(), u2 = r.nextDouble();
            double radius = Math.sqrt(-2 * Math.log(u1)), a = 2 * Math.PI * u2;
            v[i] = single ? (float) (radius * Math.cos(a)) : radius * Math.cos(a);
            if (i + 1 < n) v[i + 1] = single ? (float) (radius * Math.sin(a)) : radius * Math.sin(a);
        }
        return v;
    }
}
