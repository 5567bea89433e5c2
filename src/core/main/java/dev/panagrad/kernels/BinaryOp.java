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
    MIN;

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
        };
    }
}
