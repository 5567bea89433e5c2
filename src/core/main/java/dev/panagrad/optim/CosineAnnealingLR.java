package dev.panagrad.optim;

/**
 * Cosine annealing from the base rate down to {@code etaMin} over {@code tMax} epochs:
 * {@code lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2} (the closed form of PyTorch's
 * CosineAnnealingLR; past tMax the cosine continues, rising again).
 *
 * <pre>{@code
 * CosineAnnealingLR sched = new CosineAnnealingLR(opt, 10, 0);   // base at epoch 0, base/2 at 5, 0 at 10
 * }</pre>
 */
public class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** Anneals over {@code tMax} steps down to {@code etaMin}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be at least 1; given " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        applyLr();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
