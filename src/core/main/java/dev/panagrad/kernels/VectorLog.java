package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LT;

/**
 * The natural logarithm over float vectors from adds, multiplies, one divide and integer operations, so that
 * it rounds the same interpreted and compiled (the JDK's {@code lanewise(LOG)} calls a vector math library
 * routine whose interpreted fallback rounds differently). Within one ulp of {@link Math#log} on the inputs
 * measured.
 *
 * <p>{@code x = 2^k m} with {@code sqrt(1/2) <= m < sqrt(2)}, taken from the bits: subtracting the bits of
 * sqrt(1/2) leaves k in the exponent field and m's offset in the significand. With {@code f = m - 1} (exact)
 * and {@code s = f / (2 + f)}, {@code log m = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R(s^2))}, with R the
 * polynomial {@code z (2/3 + z (2/5 + z (2/7 + z 2/9)))} as fitted by fdlibm's logf; then
 * {@code log x = k ln2_hi + (log m + k ln2_lo)}, where k ln2_hi is exact.
 *
 * <pre>{@code
 * FloatVector y = VectorLog.log(FloatVector.broadcast(F, 2f));   // ln 2 in every lane
 * }</pre>
 */
final class VectorLog {
    private VectorLog() {}

    private static final VectorSpecies<Integer> I = Lanes.F.vectorShape().withLanes(int.class);
    private static final int SQRT_HALF_BITS = Float.floatToRawIntBits(0.70710677f);
    private static final float LN2_HI = 6.9313812256e-01f, LN2_LO = 9.0580006145e-06f;
    private static final float LG1 = 6.6666668653e-01f, LG2 = 4.0000000596e-01f, LG3 = 2.8571429849e-01f,
            LG4 = 2.2222198546e-01f;
    /** 2^23 scales a denormal input into the normal range. */
    private static final float DENORMAL_SCALE = 0x1p23f;

    /** log x in every lane: -inf for +-0, NaN below zero and for NaN, +inf for +inf. */
    static FloatVector log(FloatVector x) {
        if (x.compare(GE, Float.MIN_NORMAL).and(x.compare(LT, Float.POSITIVE_INFINITY)).allTrue()) {   // false for NaN
            return normal(x, IntVector.zero(I));
        }
        VectorMask<Float> denormal = x.compare(LT, Float.MIN_NORMAL);
        IntVector shift = IntVector.zero(I).blend(23, denormal.cast(I));
        FloatVector r = normal(x.blend(x.mul(DENORMAL_SCALE), denormal), shift);
        return r.blend(Float.NEGATIVE_INFINITY, x.compare(EQ, 0f))
                .blend(Float.NaN, x.compare(LT, 0f).or(x.test(IS_NAN)))
                .blend(Float.POSITIVE_INFINITY, x.compare(EQ, Float.POSITIVE_INFINITY));
    }

    /** log(1 + e) for e >= 0: log u of u = 1 + e, corrected by the rounding of u, (e - (u - 1)) / u. */
    static FloatVector log1p(FloatVector e) {
        FloatVector u = e.add(1f);
        return log(u).add(e.sub(u.sub(1f)).div(u));
    }

    /** log(x 2^-shift) for normal positive finite lanes (others give garbage that the caller replaces). */
    private static FloatVector normal(FloatVector x, IntVector shift) {
        IntVector bits = x.reinterpretAsInts().sub(SQRT_HALF_BITS);
        IntVector k = bits.lanewise(ASHR, 23).sub(shift);
        FloatVector m = bits.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats();
        FloatVector f = m.sub(1f), s = f.div(m.add(1f)), z = s.mul(s);
        FloatVector r = z.mul(z.mul(z.mul(z.mul(LG4).add(LG3)).add(LG2)).add(LG1));
        FloatVector hfsq = f.mul(f).mul(0.5f);
        FloatVector dk = (FloatVector) k.convert(I2F, 0);
        return dk.mul(LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(r)).add(dk.mul(LN2_LO))).sub(f));
    }
}
