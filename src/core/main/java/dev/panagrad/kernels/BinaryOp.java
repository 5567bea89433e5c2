package dev.panagrad.kernels;

/** Elementwise functions of two operands; {@link #apply} is the double-precision reference. */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}. */
    MUL,
    /** {@code a / b}. */
    DIV,
    /** {@code a} to the power {@code b}. */
    POW,
    /** The larger of a and b (NaN if either is NaN). */
    MAX,
    /** The smaller of a and b (NaN if either is NaN). */
    MIN,
    /** a where b > 0, else 0: ReLU's derivative at b applied to a (PyTorch's threshold_backward at 0). */
    RELU_GRAD,
    /** The angle of the point (b, a), as {@code Math.atan2(a, b)}. */
    ATAN2,
    /** C's remainder: the sign of a, as {@code torch.fmod}. */
    FMOD,
    /** Python's modulo: the sign of b, as {@code torch.remainder}. */
    REMAINDER;

    /** True for the ops {@link VectorBinary} computes with SIMD loops; the others run the scalar loop. */
    public boolean hasVectorForm() {
        return ordinal() <= RELU_GRAD.ordinal();
    }

    /** Python's modulo: the sign of b, as torch.remainder (a - floor(a / b) * b without its rounding error). */
    private static double remainder(double a, double b) {
        double r = a % b;
        return r != 0 && (r < 0) != (b < 0) ? r + b : r;
    }

    /** The reference value at {@code (a, b)}; MAX and MIN propagate NaN as PyTorch's maximum/minimum do. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case RELU_GRAD -> b > 0 ? a : 0;
            case ATAN2 -> Math.atan2(a, b);
            case FMOD -> a % b;   // C's fmod: the sign of a
            case REMAINDER -> remainder(a, b);
        };
    }
}
