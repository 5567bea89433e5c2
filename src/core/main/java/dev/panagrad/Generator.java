package dev.panagrad;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * A seedable source of random tensors. The default generator is shared; seed it with
 * {@link #manualSeed(long)} for reproducible runs.
 *
 * <pre>{@code
 * Generator.manualSeed(42);
 * Tensor w = Tensor.randn(3, 4);               // same values for the same seed
 * Tensor v = new Generator(7).rand(DType.FLOAT64, 5);
 * }</pre>
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(System.nanoTime());

    private SplittableRandom random;

    /** A generator with its own seed. */
    public Generator(long seed) {
        random = new SplittableRandom(seed);
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
        random = new SplittableRandom(seed);
    }

    /** A uniform double in [0, 1). */
    public synchronized double nextDouble() {
        return random.nextDouble();
    }

    /** A uniform long in [0, bound). */
    public synchronized long nextLong(long bound) {
        return random.nextLong(bound);
    }

    /** Uniform values in [0, 1). */
    public synchronized Tensor rand(DType dtype, long... shape) {
        return fill(dtype, shape, false);
    }

    /** Standard normal values (Box-Muller). */
    public synchronized Tensor randn(DType dtype, long... shape) {
        return fill(dtype, shape, true);
    }

    /** Uniform int64 values in [low, high). */
    public synchronized Tensor randint(long low, long high, long... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("randint: empty range [" + low + ", " + high + "); expected low < high");
        }
        Shape.checkSizes("randint", shape);
        Tensor t = Tensor.empty(DType.INT64, shape);
        MemorySegment s = t.segment();
        // nextLong(origin, bound) also handles ranges wider than Long.MAX_VALUE
        for (long i = 0, n = t.numel(); i < n; i++) s.setAtIndex(ValueLayout.JAVA_LONG, i, random.nextLong(low, high));
        return t;
    }

    private Tensor fill(DType dtype, long[] shape, boolean normal) {
        String op = normal ? "randn" : "rand";
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating dtype (float32 or float64), given " + dtype);
        }
        Shape.checkSizes(op, shape);
        Tensor t = Tensor.empty(DType.FLOAT64, shape);
        MemorySegment s = t.segment();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            double v;
            if (normal) {
                if (i + 1 < n) {
                    double[] pair = gaussianPair();
                    s.setAtIndex(ValueLayout.JAVA_DOUBLE, i++, pair[0]);
                    v = pair[1];
                } else {
                    v = gaussianPair()[0];
                }
            } else {
                // float32 gets 24 random bits so that rounding can never produce 1.0
                v = dtype == DType.FLOAT32 ? random.nextInt(1 << 24) * 0x1p-24 : random.nextDouble();
            }
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        }
        return t.to(dtype);
    }

    private double[] gaussianPair() {
        double u1 = 1.0 - random.nextDouble(), u2 = random.nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1)), a = 2 * Math.PI * u2;
        return new double[] {r * Math.cos(a), r * Math.sin(a)};
    }
}
