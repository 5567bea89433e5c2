package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * tanh over float vectors from {@link VectorExp} and arithmetic, so that it rounds the same interpreted and
 * compiled (unlike the JDK's {@code lanewise(TANH)}). Within two ulps of {@link Math#tanh}.
 *
 * <p>For {@code |x| >= 0.55}, {@code tanh|x| = 1 - 2 / (e^(2|x|) + 1)}: the subtracted term is at most about
 * 0.5, so the difference loses nothing. Below, where that difference would cancel, the Taylor series
 * {@code x + x^3 (c3 + x^2 (c5 + ... + x^2 c19))} (coefficients {@code 2^2n (2^2n - 1) B_2n / (2n)!}) is
 * below 1e-9 in relative error. {@code |x|} is capped at 9, where tanh rounds to 1.
 *
 * <pre>{@code
 * FloatVector y = VectorTanh.tanh(FloatVector.broadcast(F, 0.5f));
 * }</pre>
 */
final class VectorTanh {
    private VectorTanh() {}

    private static final float SERIES_LIMIT = 0.55f, CAP = 9f, TINY = 0x1p-12f;
    private static final float C3 = -0x1.555556p-2f, C5 = 0x1.111112p-3f, C7 = -0x1.ba1ba2p-5f, C9 = 0x1.664f48p-6f,
            C11 = -0x1.226e36p-7f, C13 = 0x1.d6d3d0p-9f, C15 = -0x1.7da364p-10f, C17 = 0x1.355824p-11f,
            C19 = -0x1.f57d78p-13f;

    /** tanh x in every lane (NaN stays NaN, +-0 keeps its sign). */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector e = VectorExp.exp(a.lanewise(MIN, CAP).mul(2f));
        FloatVector large = e.broadcast(1f).sub(e.broadcast(2f).div(e.add(1f)));
        large = large.blend(large.neg(), x.compare(LT, 0f));
        FloatVector z = x.mul(x);
        FloatVector p = z.mul(C19).add(C17).mul(z).add(C15).mul(z).add(C13).mul(z).add(C11).mul(z).add(C9).mul(z)
                .add(C7).mul(z).add(C5).mul(z).add(C3);
        // below 2^-12, tanh x rounds to x: this keeps -0 (the series would give +0) and skips denormal arithmetic
        FloatVector small = x.add(x.mul(z).mul(p)).blend(x, a.compare(LT, TINY));
        return large.blend(small, a.compare(LT, SERIES_LIMIT));
    }
}
