package dev.panagrad.kernels;

/** Elementwise comparisons; the result is a bool mask. */
public enum CompareOp {
    /** {@code a == b}. */
    EQ,
    /** {@code a != b} (true where either is NaN). */
    NE,
    /** {@code a < b}. */
    LT,
    /** {@code a <= b}. */
    LE,
    /** {@code a > b}. */
    GT,
    /** {@code a >= b}. */
    GE;

    /** The reference result of {@code a op b}. */
    public boolean test(double a, double b) {
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case LE -> a <= b;
            case GT -> a > b;
            case GE -> a >= b;
        };
    }
}
