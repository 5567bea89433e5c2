package dev.panagrad.kernels;

/** Reductions along one axis; each has an identity so empty reductions are defined. */
public enum ReduceOp {
    SUM(0.0), PROD(1.0), MAX(Double.NEGATIVE_INFINITY), MIN(Double.POSITIVE_INFINITY);

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
