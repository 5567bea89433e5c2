package dev.panagrad.kernels;

/** Elementwise comparisons; the result is a bool mask. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE;

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
