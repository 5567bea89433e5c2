package dev.panagrad;

import dev.panagrad.kernels.Parallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A seedable source of random tensors. The default generator is shared; seed it with
 * {@link #manualSeed(long)} for reproducible runs.
 *
 * <p>The draws are those of {@link java.util.SplittableRandom} seeded the same way (SplitMix64: the n-th draw
 * after seeding with s mixes s + n * 0x9e3779b97f4a7c15), so a tensor's k-th element depends only on the state
 * before the call and k. Large tensors are therefore filled in parallel, with the same values on any number
 * of threads as on one.
 *
 * <pre>{@code
 * Generator.manualSeed(42);
 * Tensor w = Tensor.randn(3, 4);               // same values for the same seed
 * Tensor v = new Generator(7).rand(DType.FLOAT64, 5);
 * }</pre>
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(System.nanoTime());
    /** SplittableRandom's default increment (the golden ratio in 64 bits). */
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    /** Elements per piece of a parallel fill: a few microseconds of draws. */
    private static final long GRAIN = 1 << 13;

    /** The last state drawn from; the next draw mixes state + GAMMA. */
    private long state;

    /** A generator with its own seed. */
    public Generator(long seed) {
        state = seed;
    }

    /** The default generator. */
    public static Generator global() {
        return GLOBAL;
    }

    /** Reseeds the default generator. */
    public static void manualSeed(long seed) {
        GLOBAL.seed(seed);
    }

    /** Reseeds this generator. */
    public synchronized void seed(long seed) {
        state = seed;
    }

    /** A uniform double in [0, 1). */
    public synchronized double nextDouble() {
        return uniformDouble(next());
    }

    /** A uniform long in [0, bound). */
    public synchronized long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextLong: expected a positive bound; given " + bound);
        return nextLong(0, bound);
    }

    /** Uniform values in [0, 1). */
    public synchronized Tensor rand(DType dtype, long... shape) {
        Tensor t = floating("rand", dtype, shape);
        long base = reserve(t.numel());
        MemorySegment s = t.segment();
        if (dtype == DType.FLOAT32) {
            Parallel.forRange(t.numel(), GRAIN, (lo, hi) -> {
                for (long i = lo; i < hi; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, uniformFloat(draw(base, i)));
            });
        } else {
            Parallel.forRange(t.numel(), GRAIN, (lo, hi) -> {
                for (long i = lo; i < hi; i++) s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, uniformDouble(draw(base, i)));
            });
        }
        return t;
    }

    /** Standard normal values (Box-Muller: elements 2j and 2j + 1 from draws 2j and 2j + 1). */
    public synchronized Tensor randn(DType dtype, long... shape) {
        Tensor t = floating("randn", dtype, shape);
        long n = t.numel(), pairs = (n + 1) / 2, base = reserve(2 * pairs);
        MemorySegment s = t.segment();
        boolean single = dtype == DType.FLOAT32;
        Parallel.forRange(pairs, GRAIN / 2, (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                double r = Math.sqrt(-2 * Math.log(1.0 - uniformDouble(draw(base, 2 * j))));
                double a = 2 * Math.PI * uniformDouble(draw(base, 2 * j + 1));
                put(s, single, 2 * j, r * Math.cos(a));
                if (2 * j + 1 < n) put(s, single, 2 * j + 1, r * Math.sin(a));
            }
        });
        return t;
    }

    /**
     * Dropout's mask: where the uniform value {@link #rand} would draw is at least {@code p} (both in
     * {@code dtype}), {@code 1 / (1 - p)} in {@code dtype}; elsewhere 0. One pass, and the same values as
     * {@code rand(dtype, shape).ge(p).to(dtype).mul_(1 / (1 - p))} from the same state.
     */
    public synchronized Tensor dropoutMask(DType dtype, double p, long... shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropoutMask: probability has to be between 0 and 1, but got " + p);
        }
        Tensor t = floating("dropoutMask", dtype, shape);
        long base = reserve(t.numel());
        MemorySegment s = t.segment();
        if (dtype == DType.FLOAT32) {
            float below = (float) p, keep = (float) (1 / (1 - p));
            Parallel.forRange(t.numel(), GRAIN, (lo, hi) -> {
                for (long i = lo; i < hi; i++) {
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i, uniformFloat(draw(base, i)) >= below ? keep : 0f);
                }
            });
        } else {
            double keep = 1 / (1 - p);
            Parallel.forRange(t.numel(), GRAIN, (lo, hi) -> {
                for (long i = lo; i < hi; i++) {
                    s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, uniformDouble(draw(base, i)) >= p ? keep : 0);
                }
            });
        }
        return t;
    }

    /** Uniform int64 values in [low, high). */
    public synchronized Tensor randint(long low, long high, long... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("randint: empty range [" + low + ", " + high + "); expected low < high");
        }
        Shape.checkSizes("randint", shape);
        Tensor t = Tensor.empty(DType.INT64, shape);
        MemorySegment s = t.segment();
        // rejection sampling takes a varying number of draws per element: one after the other
        for (long i = 0, n = t.numel(); i < n; i++) s.setAtIndex(ValueLayout.JAVA_LONG, i, nextLong(low, high));
        return t;
    }

    private static Tensor floating(String op, DType dtype, long[] shape) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating dtype (float32 or float64), given " + dtype);
        }
        Shape.checkSizes(op, shape);
        return Tensor.empty(dtype, shape);
    }

    private static void put(MemorySegment s, boolean single, long i, double v) {
        if (single) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        else s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
    }

    /** Takes {@code draws} draws at once; returns the state before them, for {@link #draw}. */
    private long reserve(long draws) {
        long base = state;
        state += draws * GAMMA;
        return base;
    }

    /** Draw {@code k} (from 0) after the state {@code base}. */
    private static long draw(long base, long k) {
        return base + (k + 1) * GAMMA;
    }

    private long next() {
        return state += GAMMA;
    }

    /** A uniform long in [origin, bound), origin < bound, with SplittableRandom's rejection rule. */
    private long nextLong(long origin, long bound) {
        long r = mix64(next()), n = bound - origin, m = n - 1;
        if ((n & m) == 0) return (r & m) + origin;
        if (n > 0) {
            for (long u = r >>> 1; u + m - (r = u % n) < 0; u = mix64(next()) >>> 1) {
                // u fell into the incomplete last block of n values: draw again
            }
            return r + origin;
        }
        while (r < origin || r >= bound) r = mix64(next());   // the range is wider than Long.MAX_VALUE
        return r;
    }

    /** 53 random bits as a double in [0, 1). */
    private static double uniformDouble(long state) {
        return (mix64(state) >>> 11) * 0x1.0p-53;
    }

    /** 24 random bits as a float in [0, 1): rounding can never give 1. */
    private static float uniformFloat(long state) {
        return (mix32(state) & ((1 << 24) - 1)) * 0x1p-24f;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
