package dev.panagrad;

import dev.panagrad.kernels.Kernels;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.kernels.SplitMix;

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
        return SplitMix.uniformDouble(next());
    }

    /** A uniform long in [0, bound). */
    public synchronized long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("nextLong: expected a positive bound; given " + bound);
        return nextLong(0, bound);
    }

    /** Uniform values in [0, 1). */
    public synchronized Tensor rand(DType dtype, long... shape) {
        return fill("rand", dtype, shape, (s, lo, n, base) -> Kernels.active().randomUniform(dtype, s, lo, n, base, lo));
    }

    /** Standard normal values (Box-Muller: elements 2j and 2j + 1 from draws 2j and 2j + 1). */
    public synchronized Tensor randn(DType dtype, long... shape) {
        Tensor t = floating("randn", dtype, shape);
        long n = t.numel(), pairs = (n + 1) / 2, base = reserve(2 * pairs);
        MemorySegment s = t.segment();
        boolean single = dtype == DType.FLOAT32;
        Parallel.forRange(pairs, GRAIN / 2, (lo, hi) -> {
            for (long j = lo; j < hi; j++) {
                double r = Math.sqrt(-2 * Math.log(1.0 - SplitMix.uniformDouble(SplitMix.state(base, 2 * j))));
                double a = 2 * Math.PI * SplitMix.uniformDouble(SplitMix.state(base, 2 * j + 1));
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
        return fill("dropoutMask", dtype, shape,
                (s, lo, n, base) -> Kernels.active().dropoutMask(dtype, s, lo, n, base, lo, p));
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

    /** A fill kernel over elements [lo, lo + n) of s, element i taking draw i after the state base. */
    private interface FillRange {
        void run(MemorySegment s, long lo, long n, long base);
    }

    /** A new tensor with one draw per element, filled by {@code kernel} over ranges split among the threads. */
    private Tensor fill(String op, DType dtype, long[] shape, FillRange kernel) {
        Tensor t = floating(op, dtype, shape);
        long base = reserve(t.numel());
        MemorySegment s = t.segment();
        Parallel.forRange(t.numel(), GRAIN, (lo, hi) -> kernel.run(s, lo, hi - lo, base));
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

    /** Takes {@code draws} draws at once; returns the state before them ({@link SplitMix#state} gives each). */
    private long reserve(long draws) {
        long base = state;
        state += draws * SplitMix.GAMMA;
        return base;
    }

    private long next() {
        return state += SplitMix.GAMMA;
    }

    /** A uniform long in [origin, bound), origin < bound, with SplittableRandom's rejection rule. */
    private long nextLong(long origin, long bound) {
        long r = SplitMix.mix64(next()), n = bound - origin, m = n - 1;
        if ((n & m) == 0) return (r & m) + origin;
        if (n > 0) {
            for (long u = r >>> 1; u + m - (r = u % n) < 0; u = SplitMix.mix64(next()) >>> 1) {
                // u fell into the incomplete last block of n values: draw again
            }
            return r + origin;
        }
        while (r < origin || r >= bound) r = SplitMix.mix64(next());   // the range is wider than Long.MAX_VALUE
        return r;
    }
}
