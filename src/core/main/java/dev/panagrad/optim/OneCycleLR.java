package dev.panagrad.optim;

/**
 * The 1cycle policy (Smith and Topor), as PyTorch's OneCycleLR with {@code three_phase=false}: over the first
 * {@code pctStart} of {@code totalSteps} the rate rises from {@code maxLr / divFactor} to {@code maxLr}, then
 * falls to {@code maxLr / divFactor / finalDivFactor}, both by cosine annealing
 * ({@code end + (start - end) * (1 + cos(pi * t)) / 2}, t the fraction of the phase done). Step it after
 * every batch. Unlike PyTorch it leaves momentum alone.
 *
 * <pre>{@code
 * OneCycleLR sched = new OneCycleLR(opt, 0.1, epochs * batchesPerEpoch);
 * }</pre>
 */
public class OneCycleLR extends LRScheduler {
    private final int totalSteps;
    private final double initialLr, maxLr, minLr, warmupEnd;

    /** pctStart 0.3, divFactor 25, finalDivFactor 1e4. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, 25, 1e4);
    }

    /** Every setting. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, double divFactor,
                      double finalDivFactor) {
        super(optimizer);
        if (totalSteps < 2 || !(pctStart > 0 && pctStart < 1) || !(maxLr > 0)) {
            throw new IllegalArgumentException("OneCycleLR: expected total_steps >= 2, pct_start in (0, 1) and "
                    + "max_lr > 0; given " + totalSteps + ", " + pctStart + ", " + maxLr);
        }
        this.totalSteps = totalSteps;
        this.maxLr = maxLr;
        this.initialLr = maxLr / divFactor;
        this.minLr = initialLr / finalDivFactor;
        this.warmupEnd = pctStart * totalSteps - 1;
        applyLr();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        if (epoch > totalSteps) {
            throw new IllegalStateException("OneCycleLR: tried to step " + epoch + " times; the specified number of "
                    + "total steps is " + totalSteps);
        }
        if (epoch <= warmupEnd) return anneal(initialLr, maxLr, epoch / warmupEnd);
        return anneal(maxLr, minLr, (epoch - warmupEnd) / (totalSteps - 1 - warmupEnd));
    }

    private static double anneal(double start, double end, double done) {
        return end + (start - end) * (1 + Math.cos(Math.PI * done)) / 2;
    }
}
