package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.VF;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * erf and GELU over float32 runs, built from lanewise operations (the Vector API has no erf), within a few
 * float ulps of the exact values.
 *
 * <p>With z = s|x| (s = 1 for erf, 1/sqrt2 for GELU), the complementary error function uses the Chebyshev fit
 * of Numerical Recipes (relative error below 1.2e-7 for every z >= 0): {@code erfc(z) = t exp(-z^2 + P(t))}
 * with {@code t = 1/(1 + z/2)}. The square is carried exactly, {@code x^2 = hi + lo} by an FMA and s^2 = 1
 * or 1/2, and {@code exp(-s^2 hi)} is taken apart from {@code exp(P(t))} with {@code exp(-s^2 lo) ~ 1 - s^2 lo},
 * so large z lose no digits. Then erf(x) = sign(x) (1 - erfc(z)) and gelu(x) = x (1 - erfc(z)/2) for
 * x >= 0, x erfc(z)/2 for x < 0 (accurate where gelu is tiny). Below z = 1/2 both use the Taylor series of erf.
 */
final class VectorErf {
    private VectorErf() {}

    private static final float INV_SQRT2 = 0.70710678f;
    /** erfc(z) is 0 in float well before this z; clamping keeps z^2 finite. */
    private static final float Z_MAX = 12.5f;
    /** Below this z the series is more accurate than 1 - erfc(z). */
    private static final float SERIES_LIMIT = 0.5f;

    static void erfFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        erfOrGelu(false, x, xb, y, yb, bytes);
    }

    static void geluFloats(MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        erfOrGelu(true, x, xb, y, yb, bytes);
    }

    private static void erfOrGelu(boolean gelu, MemorySegment x, long xb, MemorySegment y, long yb, long bytes) {
        float s = gelu ? INV_SQRT2 : 1f, s2 = gelu ? 0.5f : 1f, aMax = gelu ? Z_MAX / INV_SQRT2 : Z_MAX;
        for (long i = 0; i < bytes; i += VF) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, xb + i, ORDER);
            FloatVector a = v.abs().lanewise(MIN, aMax);   // MIN keeps NaN
            FloatVector hi = a.mul(a), lo = a.fma(a, hi.neg());
            FloatVector z = a.mul(s);
            // erfc(z) = t exp(-s^2 hi) exp(P(t)) (1 - s^2 lo)
            FloatVector t = z.broadcast(1f).div(z.fma(0.5f, 1f));
            FloatVector p = t.fma(0.17087277f, -0.82215223f);
            p = p.fma(t, t.broadcast(1.48851587f));
            p = p.fma(t, t.broadcast(-1.13520398f));
            p = p.fma(t, t.broadcast(0.27886807f));
            p = p.fma(t, t.broadcast(-0.18628806f));
            p = p.fma(t, t.broadcast(0.09678418f));
            p = p.fma(t, t.broadcast(0.37409196f));
            p = p.fma(t, t.broadcast(1.00002368f));
            p = p.fma(t, t.broadcast(-1.26551223f));
            // VectorExp rather than lanewise(EXP), whose interpreted and compiled forms round differently
            FloatVector erfc = t.mul(VectorExp.exp(hi.mul(-s2))).mul(VectorExp.exp(p)).mul(lo.fma(-s2, 1f));
            // erf(w) = w sum_n c_n w^2n, c_n = 2/sqrt(pi) (-1)^n / (n! (2n+1)), for w = s x
            FloatVector w = v.mul(s), w2 = w.mul(w);
            FloatVector q = w2.fma(-1.4925650e-5f, 1.2055333e-4f);
            q = q.fma(w2, w2.broadcast(-8.5483270e-4f));
            q = q.fma(w2, w2.broadcast(5.2239776e-3f));
            q = q.fma(w2, w2.broadcast(-2.6866171e-2f));
            q = q.fma(w2, w2.broadcast(1.1283792e-1f));
            q = q.fma(w2, w2.broadcast(-3.7612639e-1f));
            q = q.fma(w2, w2.broadcast(1.1283792f));
            FloatVector series = w.mul(q);
            VectorMask<Float> negative = v.compare(LT, 0f), small = z.compare(LT, SERIES_LIMIT);
            if (gelu) {
                FloatVector half = erfc.mul(0.5f);
                FloatVector factor = half.neg().add(1f).blend(half, negative).blend(series.fma(0.5f, 0.5f), small);
                v.mul(factor).intoMemorySegment(y, yb + i, ORDER);
            } else {
                FloatVector big = erfc.neg().add(1f);
                big.blend(big.neg(), negative).blend(series, small).intoMemorySegment(y, yb + i, ORDER);
            }
        }
    }
}
