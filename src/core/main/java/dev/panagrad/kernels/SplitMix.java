package dev.panagrad.kernels;

/**
 * SplitMix64, the generator behind {@link java.util.SplittableRandom}: draw k (from 1) after the state s mixes
 * {@code s + k * GAMMA}, so any draw can be computed without the ones before it. These are its mixing functions
 * and its conversions to uniform floats and doubles, shared by {@code Generator}'s single draws and the fill
 * kernels ({@link Kernels#randomUniform}, {@link Kernels#dropoutMask}).
 *
 * <pre>{@code
 * long s = 42;
 * double u = SplitMix.uniformDouble(s + SplitMix.GAMMA);   // new SplittableRandom(42).nextDouble()
 * }</pre>
 */
public final class SplitMix {
    private SplitMix() {}

    /** The increment between consecutive draws (SplittableRandom's default gamma). */
    public static final long GAMMA = 0x9e3779b97f4a7c15L;

    /** The state of draw {@code k} (from 0) after {@code base}. */
    public static long state(long base, long k) {
        return base + (k + 1) * GAMMA;
    }

    /** 64 random bits from a state. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** 32 random bits from a state. */
    public static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    /** 53 random bits as a double in [0, 1) (SplittableRandom.nextDouble). */
    public static double uniformDouble(long state) {
        return (mix64(state) >>> 11) * 0x1.0p-53;
    }

    /** 24 random bits as a float in [0, 1) (SplittableRandom.nextInt(1 << 24) / 2^24): never rounds to 1. */
    public static float uniformFloat(long state) {
        return (mix32(state) & ((1 << 24) - 1)) * 0x1p-24f;
    }
}
