package dev.panagrad.kernels;

/** Reductions along one axis; each has an identity so empty reductions are defined. */
public enum ReduceOp {
    /** The sum; 0 over no elements. */
    SUM(0.0),
    /** The product; 1 over no elements. */
    PROD(1.0),
    /** The largest value (NaN wins); -inf over no elements. */
    MAX(Double.NEGATIVE_INFINITY),
    /** The smallest value (NaN wins); +inf over no elements. */
    MIN(Double.POSITIVE_INFINITY);

    private final double identity;

    ReduceOp(double identity) {
        this.identity = identity;
    }

    /** The value of the reduction over no elements. */
    public double identity() {
        return identity;
    }

    /** Combines an accumulator with one more value; MAX and MIN propagate NaN. */
    public double combine(double acc, double x) {
        return switch (this) {
            case SUM -> acc + x;
            case PROD -> acc * x;
            case MAX -> Math.max(acc, x);
            case MIN -> Math.min(acc, x);
        };
    }
}
