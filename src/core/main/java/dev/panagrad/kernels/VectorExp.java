package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;

import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.IS_NAN;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;

/**
 * e^x over float and double vectors from multiplies, FMAs and integer adds, inlined into the calling loop
 * (the JDK's {@code lanewise(EXP)} calls a vector math library routine instead). Normal results are within
 * 0.86 ulp (float) and 0.90 ulp (double) of the exact value on the inputs measured, so within one ulp of
 * {@link Math#exp}.
 *
 * <p>Range reduction (Cody-Waite): {@code x = n ln2 + r} with n = round(x log2(e)) and |r| <= ln2/2, so
 * {@code e^x = 2^n e^r}. n is rounded by adding 1.5 * 2^(p-1) (p = 24 or 53 significand bits), which leaves
 * n in the low significand bits of the sum. ln2 is split into {@code LN2_HI + LN2_LO}; {@code x - n LN2_HI}
 * is exact in one FMA (both are multiples of ulp(LN2_HI) and the difference is below 1/2), and the second
 * FMA subtracts {@code n LN2_LO}. e^r comes from a minimax polynomial {@code 1 + r + c2 r^2 + ... + cd r^d}
 * (relative error 3.8e-9 for float with d = 6, 1.1e-17 for double with d = 11, coefficients as rounded).
 *
 * <p>Scaling by 2^n adds n to the exponent field of e^r, which is exact while the result is normal. A vector
 * whose lanes all have |x| <= {@code FAST_LIMIT} (the common case, checked once per vector) needs nothing
 * else. Otherwise (large |x|, NaN, infinities) the vector also computes denormal results by integer rounding
 * (see {@link #exp(FloatVector, FloatVector, IntVector)}), rounded once from 2^n e^r; x above the overflow
 * threshold gives +inf (also x = +inf), x below the underflow threshold +0 (also x = -inf), NaN gives NaN.
 *
 * <p>Each method is kept under C2's size limit for inlining a hot call (325 bytecodes), so that the vectors
 * stay in registers in every loop that calls it.
 */
final class VectorExp {
    private VectorExp() {}

    private static final float LOG2E_F = 0x1.715476p0f;
    /** 1.5 * 2^23: v + ROUND_F is v rounded to an integer, held in the low significand bits. */
    private static final float ROUND_F = 0x1.8p23f;
    private static final int ROUND_F_BITS = Float.floatToRawIntBits(ROUND_F);
    /** ln2 = LN2_HI_F + LN2_LO_F; the high part is (float) ln2. */
    private static final float LN2_HI_F = 0x1.62e43p-1f, LN2_LO_F = -0x1.05c61p-29f;
    private static final float C2_F = 0x1.fffffcp-2f, C3_F = 0x1.555492p-3f, C4_F = 0x1.5558f2p-5f, C5_F = 0x1.1239ep-7f,
            C6_F = 0x1.6a243ap-10f;
    /** Up to here |n| <= 124 and 1/2 < e^r < 2, so 2^n e^r is normal. */
    private static final float FAST_LIMIT_F = 86f;
    /** The largest x whose e^x rounds to a finite float, and the smallest whose e^x rounds to a nonzero one. */
    private static final float OVERFLOW_F = 0x1.62e42ep6f, UNDERFLOW_F = -0x1.9fe368p6f;
    /** Float.MIN_NORMAL in units of Float.MIN_VALUE: 2^23. */
    private static final float DENORMALS_F = 0x1p23f;
    private static final int DENORMALS_F_BITS = Float.floatToRawIntBits(DENORMALS_F);

    private static final double LOG2E = 0x1.71547652b82fep0;
    /** 1.5 * 2^52: v + ROUND is v rounded to an integer, held in the low significand bits. */
    private static final double ROUND = 0x1.8p52;
    private static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    /** ln2 = LN2_HI + LN2_LO; the high part is (double) ln2. */
    private static final double LN2_HI = 0x1.62e42fefa39efp-1, LN2_LO = 0x1.abc9e3b39803fp-56;
    private static final double C2 = 0x1.000000000000ap-1, C3 = 0x1.55555555554fap-3, C4 = 0x1.555555555088p-5,
            C5 = 0x1.1111111127bd4p-7, C6 = 0x1.6c16c18429335p-10, C7 = 0x1.a01a012a5c042p-13,
            C8 = 0x1.a0199a0ee7035p-16, C9 = 0x1.71df254c77156p-19, C10 = 0x1.28ad706015ad7p-22,
            C11 = 0x1.ad7f71e4d6022p-26;
    /** Up to here |n| <= 1020 and 1/2 < e^r < 2, so 2^n e^r is normal. */
    private static final double FAST_LIMIT = 707;
    /** The largest x whose e^x rounds to a finite double, and the smallest whose e^x rounds to a nonzero one. */
    private static final double OVERFLOW = 0x1.62e42fefa39efp9, UNDERFLOW = -0x1.74910d52d3051p9;
    /** Double.MIN_NORMAL in units of Double.MIN_VALUE: 2^52. */
    private static final double DENORMALS = 0x1p52;
    private static final long DENORMALS_BITS = Double.doubleToRawLongBits(DENORMALS);

    /** e^x in every lane. */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(LOG2E_F, ROUND_F), n = t.sub(ROUND_F);
        FloatVector r = n.fma(x.broadcast(-LN2_LO_F), n.fma(x.broadcast(-LN2_HI_F), x));
        // e^r = 1 + r (1 + r (c2 + r (c3 + ... + r c6)))
        FloatVector p = r.fma(C6_F, C5_F).fma(r, x.broadcast(C4_F)).fma(r, x.broadcast(C3_F)).fma(r, x.broadcast(C2_F))
                .fma(r, x.broadcast(1f)).fma(r, x.broadcast(1f));
        IntVector bits = t.reinterpretAsInts();   // ROUND_F_BITS + n
        if (x.abs().compare(LE, FAST_LIMIT_F).allTrue()) {   // false for NaN
            // ROUND_F_BITS has no bits below 2^22, so shifting by 23 leaves n << 23: add n to p's exponent
            return p.reinterpretAsInts().add(bits.lanewise(LSHL, 23)).reinterpretAsFloats();
        }
        return exp(x, p, bits);
    }

    /**
     * e^x - 1 for lanes in [0, 20] (others, NaN included, give unspecified values), without the cancellation of
     * {@code exp(x) - 1} near 0: {@code 2^n (1 + s) - 1 = fma(2^n, s, 2^n - 1)} with s = e^r - 1 from its
     * Taylor series to r^8 (truncation below 6e-10 of s for |r| <= ln2/2).
     */
    static FloatVector expm1Small(FloatVector x) {
        FloatVector t = x.fma(LOG2E_F, ROUND_F), n = t.sub(ROUND_F);
        FloatVector r = n.fma(x.broadcast(-LN2_LO_F), n.fma(x.broadcast(-LN2_HI_F), x));
        FloatVector q = r.fma(1f / 40320, 1f / 5040).fma(r, x.broadcast(1f / 720)).fma(r, x.broadcast(1f / 120))
                .fma(r, x.broadcast(1f / 24)).fma(r, x.broadcast(1f / 6)).fma(r, x.broadcast(0.5f));
        FloatVector s = r.mul(r).fma(q, r);
        // ROUND_F's bits plus n, shifted by 23: n in the exponent field of 1.0f
        FloatVector scale = t.reinterpretAsInts().lanewise(LSHL, 23).add(Float.floatToRawIntBits(1f)).reinterpretAsFloats();
        return scale.fma(s, scale.sub(1f));
    }

    /**
     * e^x = 2^n p for a vector with a lane outside the fast range. Normal results take n into the exponent
     * field as the fast path does (right up to the overflow threshold: there n = 128 and p < 1). A denormal
     * result is m units of Float.MIN_VALUE, {@code m = p 2^(n+149) < 2^23}: adding 2^23 rounds m to an integer
     * held in the low significand bits, which are the denormal's bits. No lane does floating-point arithmetic
     * on a denormal (slow on many CPUs) or on a garbage exponent.
     */
    private static FloatVector exp(FloatVector x, FloatVector p, IntVector bits) {
        FloatVector normal = p.reinterpretAsInts().add(bits.lanewise(LSHL, 23)).reinterpretAsFloats();
        // n clamped to [-170, -22] keeps 2^(n+149) a normal float; for n >= -22, m >= 2^23 anyway
        IntVector n = bits.sub(ROUND_F_BITS).lanewise(MAX, -170).lanewise(MIN, -22);
        FloatVector m = p.mul(n.add(149 + 127).lanewise(LSHL, 23).reinterpretAsFloats());
        FloatVector denormal = m.add(DENORMALS_F).reinterpretAsInts().sub(DENORMALS_F_BITS).reinterpretAsFloats();
        return normal.blend(denormal, m.compare(LT, DENORMALS_F))
                .blend(Float.POSITIVE_INFINITY, x.compare(GT, OVERFLOW_F))
                .blend(0f, x.compare(LT, UNDERFLOW_F))
                .blend(x, x.test(IS_NAN));
    }

    /** e^x in every lane. */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector t = x.fma(LOG2E, ROUND), n = t.sub(ROUND);
        DoubleVector p = polynomial(n.fma(x.broadcast(-LN2_LO), n.fma(x.broadcast(-LN2_HI), x)));
        LongVector bits = t.reinterpretAsLongs();   // ROUND_BITS + n
        if (x.abs().compare(LE, FAST_LIMIT).allTrue()) {   // false for NaN
            // ROUND_BITS has no bits below 2^51, so shifting by 52 leaves n << 52: add n to p's exponent
            return p.reinterpretAsLongs().add(bits.lanewise(LSHL, 52)).reinterpretAsDoubles();
        }
        return exp(x, p, bits);
    }

    /** e^r for |r| <= ln2/2: 1 + r (1 + r (c2 + r (c3 + ... + r c11))). */
    private static DoubleVector polynomial(DoubleVector r) {
        return r.fma(C11, C10).fma(r, r.broadcast(C9)).fma(r, r.broadcast(C8)).fma(r, r.broadcast(C7))
                .fma(r, r.broadcast(C6)).fma(r, r.broadcast(C5)).fma(r, r.broadcast(C4)).fma(r, r.broadcast(C3))
                .fma(r, r.broadcast(C2)).fma(r, r.broadcast(1)).fma(r, r.broadcast(1));
    }

    /** e^x = 2^n p for a vector with a lane outside the fast range, as for float: m = p 2^(n+1074) < 2^52. */
    private static DoubleVector exp(DoubleVector x, DoubleVector p, LongVector bits) {
        DoubleVector normal = p.reinterpretAsLongs().add(bits.lanewise(LSHL, 52)).reinterpretAsDoubles();
        // n clamped to [-1100, -60] keeps 2^(n+1074) a normal double; for n >= -60, m >= 2^52 anyway
        LongVector n = bits.sub(ROUND_BITS).lanewise(MAX, -1100).lanewise(MIN, -60);
        DoubleVector m = p.mul(n.add(1074 + 1023).lanewise(LSHL, 52).reinterpretAsDoubles());
        DoubleVector denormal = m.add(DENORMALS).reinterpretAsLongs().sub(DENORMALS_BITS).reinterpretAsDoubles();
        return normal.blend(denormal, m.compare(LT, DENORMALS))
                .blend(Double.POSITIVE_INFINITY, x.compare(GT, OVERFLOW))
                .blend(0, x.compare(LT, UNDERFLOW))
                .blend(x, x.test(IS_NAN));
    }
}
