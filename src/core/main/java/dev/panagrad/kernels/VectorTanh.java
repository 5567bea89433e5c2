package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * tanh over float vectors from {@link VectorExp#expm1Small} and one division, so that it rounds the same
 * interpreted and compiled (unlike the JDK's {@code lanewise(TANH)}). Within two ulps of {@link Math#tanh}.
 *
 * <p>{@code tanh|x| = d / (d + 2)} with {@code d = e^(2|x|) - 1}: no difference of nearly equal terms at
 * any |x|, so one formula serves the whole range. {@code |x|} is capped at 10, where d + 2 rounds to d and
 * the quotient to 1; below 2^-12 tanh x rounds to x, which is returned (keeping -0).
 *
 * <pre>{@code
 * FloatVector y = VectorTanh.tanh(FloatVector.broadcast(F, 0.5f));
 * }</pre>
 */
final class VectorTanh {
    private VectorTanh() {}

    private static final float CAP = 10f, TINY = 0x1p-12f;

    /** tanh x in every lane (NaN stays NaN, +-0 keeps its sign). */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector d = VectorExp.expm1Small(a.lanewise(MIN, CAP).mul(2f));   // NaN lanes: restored below
        FloatVector t = d.div(d.add(2f));
        return t.blend(t.neg(), x.compare(LT, 0f)).blend(x, a.compare(LT, TINY).or(x.test(IS_NAN)));
    }
}
