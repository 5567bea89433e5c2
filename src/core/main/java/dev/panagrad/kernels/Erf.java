package dev.panagrad.kernels;

/** The error function in double precision (about 1e-14 absolute error), which java.lang.Math lacks. */
final class Erf {
    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        double r = a < 2.5 ? series(a) : 1.0 - erfcContinuedFraction(a);
        return Math.copySign(r, x);
    }

    /**
     * erfc(x) = 1 - erf(x), accurate relative to its own size where it is tiny: from the continued fraction
     * for x >= 2.5, where 1 - erf(x) would cancel.
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        return x < 2.5 ? 1.0 - erf(x) : erfcContinuedFraction(x);
    }

    /** erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); the terms shrink fast for x < 2.5. */
    private static double series(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return sum * 1.1283791670955126;   // 2/sqrt(pi)
    }

    /** erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated by Lentz's method. */
    private static double erfcContinuedFraction(double x) {
        if (x > 27) return 0.0;
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int n = 1; n < 500; n++) {
            double an = n * 0.5;
            d = x + an * d;
            d = d == 0 ? tiny : d;
            c = x + an / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / f * 0.5641895835477563;   // 1/sqrt(pi)
    }
}
