package dev.panagrad.kernels;

/** Elementwise functions of two operands; {@link #apply} is the double-precision reference. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, ATAN2, FMOD, REMAINDER;

    /** True for the ops {@link VectorBinary} computes with SIMD loops; the others run the scalar loop. */
    public boolean hasVectorForm() {
        return ordinal() <= MIN.ordinal();
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
            case ATAN2 -> Math.atan2(a, b);
            case FMOD -> a % b;   // C's fmod: the sign of a
            case REMAINDER -> remainder(a, b);
        };
    }
}
