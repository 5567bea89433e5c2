package dev.panagrad.kernels;

/** Elementwise functions of one operand; {@link #apply} is the double-precision reference. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, SIGN, SIN, COS, TANH, SIGMOID, RELU, GELU, SOFTPLUS, ERF, RECIPROCAL, LOGICAL_NOT;

    private static final double INV_SQRT2 = 0.7071067811865476;

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
        };
    }
}
