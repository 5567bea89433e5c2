package dev.panagrad.optim;

/**
 * Decays the learning rate by {@code gamma} every {@code stepSize} epochs:
 * {@code lr = base * gamma^floor(epoch / stepSize)}.
 *
 * <pre>{@code
 * StepLR sched = new StepLR(opt, 30, 0.1);   // 0.1 for epochs 0-29, 0.01 for 30-59, ...
 * }</pre>
 */
public class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** Multiplies the rate by {@code gamma} every {@code stepSize} steps. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: step_size must be at least 1; given " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        applyLr();
    }

    @Override
    protected double lr(int group, double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }
}
