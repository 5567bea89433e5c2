package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * erf and GELU on float vectors, built from lanewise operations (the Vector API has no erf), accurate to a
 * few float ulps.
 *
 * <p>The complementary error function uses the Chebyshev fit of Numerical Recipes (relative error below
 * 1.2e-7 for every z >= 0): {@code erfc(z) = t exp(-z^2 + P(t))} with {@code t = 1/(1 + z/2)}. The square
 * is carried exactly as {@code hi + lo} (from an FMA) and {@code exp(-z^2)} is taken apart from
 * {@code exp(P(t))}, so neither loses digits to the other when z is large. Near 0, erf is the Taylor series.
 */
final class VectorErf {
    private VectorErf() {}

    private static final float INV_SQRT2 = 0.70710678f;
    /** erf(x) rounds to +-1 and erfc(z) to 0 in float far below these arguments; clamping keeps z^2 finite. */
    private static final float ERF_CLAMP = 13f, GELU_CLAMP = 18f;
    /** Below this |x| the series is more accurate than 1 - erfc(|x|). */
    private static final float SERIES_LIMIT = 0.5f;

    /** erf(x) = sign(x) (1 - erfc(|x|)), or the series near 0. */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs().lanewise(MIN, ERF_CLAMP);   // MIN keeps NaN
        FloatVector hi = a.mul(a), lo = a.fma(a, hi.neg());   // a^2 = hi + lo exactly
        FloatVector big = erfc(a, hi, lo).neg().add(1f);
        return big.blend(big.neg(), x.compare(LT, 0f)).blend(series(x), a.compare(LT, SERIES_LIMIT));
    }

    /**
     * gelu(x) = x/2 (1 + erf(x/sqrt2)) = x (1 - erfc(z)/2) for x >= 0 and x erfc(z)/2 for x < 0, z = |x|/sqrt2,
     * so large negative x keep their relative accuracy.
     */
    static FloatVector gelu(FloatVector x) {
        FloatVector a = x.abs().lanewise(MIN, GELU_CLAMP);
        FloatVector hi = a.mul(a), lo = a.fma(a, hi.neg());   // a^2 = hi + lo exactly, z^2 = a^2 / 2
        FloatVector halfErfc = erfc(a.mul(INV_SQRT2), hi.mul(0.5f), lo.mul(0.5f)).mul(0.5f);
        return x.mul(halfErfc.neg().add(1f).blend(halfErfc, x.compare(LT, 0f)));
    }

    /** erfc(z) for z >= 0 given z^2 = sqHi + sqLo: t exp(-sqHi) exp(P(t)) (1 - sqLo), as exp(-sqLo) ~ 1 - sqLo. */
    private static FloatVector erfc(FloatVector z, FloatVector sqHi, FloatVector sqLo) {
        FloatVector t = z.broadcast(1f).div(z.fma(0.5f, 1f));
        FloatVector p = t.fma(0.17087277f, -0.82215223f);
        p = step(p, t, 1.48851587f);
        p = step(p, t, -1.13520398f);
        p = step(p, t, 0.27886807f);
        p = step(p, t, -0.18628806f);
        p = step(p, t, 0.09678418f);
        p = step(p, t, 0.37409196f);
        p = step(p, t, 1.00002368f);
        p = step(p, t, -1.26551223f);
        return t.mul(sqHi.neg().lanewise(EXP)).mul(p.lanewise(EXP)).mul(sqLo.neg().add(1f));
    }

    /** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)); coefficient n is 2/sqrt(pi) (-1)^n / (n! (2n+1)). */
    private static FloatVector series(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(-1.4925650e-5f, 1.2055333e-4f);
        p = step(p, x2, -8.5483270e-4f);
        p = step(p, x2, 5.2239776e-3f);
        p = step(p, x2, -2.6866171e-2f);
        p = step(p, x2, 1.1283792e-1f);
        p = step(p, x2, -3.7612639e-1f);
        p = step(p, x2, 1.1283792f);
        return x.mul(p);
    }

    /** One Horner step: p t + c. */
    private static FloatVector step(FloatVector p, FloatVector t, float c) {
        return p.fma(t, t.broadcast(c));
    }
}
