package dev.panagrad.kernels;

/** Elementwise functions of one operand; {@link #apply} is the double-precision reference. */
public enum UnaryOp {
    /** {@code -x}. */
    NEG,
    /** {@code e^x}. */
    EXP,
    /** The natural logarithm. */
    LOG,
    /** The square root. */
    SQRT,
    /** {@code 1 / sqrt(x)}. */
    RSQRT,
    /** The absolute value. */
    ABS,
    /** -1, 0 or 1 (NaN stays NaN). */
    SIGN,
    /** The sine. */
    SIN,
    /** The cosine. */
    COS,
    /** The hyperbolic tangent. */
    TANH,
    /** {@code 1 / (1 + e^-x)}. */
    SIGMOID,
    /** {@code max(x, 0)}, keeping NaN. */
    RELU,
    /** {@code x/2 (1 + erf(x / sqrt 2))}, the exact GELU. */
    GELU,
    /** {@code log(1 + e^x)}, and x itself above 20 as in PyTorch. */
    SOFTPLUS,
    /** The error function. */
    ERF,
    /** {@code 1 / x}. */
    RECIPROCAL,
    /** 1 where x is 0, else 0. */
    LOGICAL_NOT,
    /** Rounds down. */
    FLOOR,
    /** Rounds up. */
    CEIL,
    /** Rounds to the nearest integer, halves to even. */
    ROUND,
    /** Rounds toward zero. */
    TRUNC,
    /** The inverse sine. */
    ASIN,
    /** The inverse cosine. */
    ACOS,
    /** The inverse tangent. */
    ATAN,
    /** The inverse hyperbolic sine. */
    ASINH,
    /** The inverse hyperbolic cosine. */
    ACOSH,
    /** The inverse hyperbolic tangent. */
    ATANH;

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double LN2 = 0.6931471805599453;

    /** log(|x| + sqrt(x^2 + 1)) with the sign of x, through log1p so small x keep their precision. */
    private static double asinh(double x) {
        double a = Math.abs(x);
        double r = a > 1e8 ? Math.log(a) + LN2 : Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
        return Math.copySign(r, x);
    }

    /** True for the functions {@link VectorUnary} computes with SIMD loops; the others run the scalar loop. */
    public boolean hasVectorForm() {
        return ordinal() < LOGICAL_NOT.ordinal();
    }

    /** The reference value of this function at {@code x}. */
    public double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
            case RELU -> x > 0 || Double.isNaN(x) ? x : 0.0;   // keeps NaN, maps -x, -0 and -inf to +0
            case GELU -> 0.5 * x * Erf.erfc(-x * INV_SQRT2);   // = x/2 (1 + erf(x/sqrt2)) without cancellation for x << 0
            case SOFTPLUS -> x > 20 ? x : Math.log1p(Math.exp(x));   // PyTorch's threshold 20
            case ERF -> Erf.erf(x);
            case RECIPROCAL -> 1.0 / x;
            case LOGICAL_NOT -> x == 0 ? 1.0 : 0.0;
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);   // halves to even, as torch.round
            case TRUNC -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case ASIN -> Math.asin(x);
            case ACOS -> Math.acos(x);
            case ATAN -> Math.atan(x);
            case ASINH -> asinh(x);
            case ACOSH -> x > 1e8 ? Math.log(x) + LN2 : Math.log(x + Math.sqrt((x - 1) * (x + 1)));
            case ATANH -> 0.5 * Math.log1p(2 * x / (1 - x));   // log((1+x)/(1-x))/2 without cancellation near 0
        };
    }
}
