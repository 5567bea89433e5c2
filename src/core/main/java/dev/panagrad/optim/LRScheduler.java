package dev.panagrad.optim;

/**
 * Sets the learning rate of every parameter group of an optimizer as a function of the number of
 * {@link #step()} calls so far (the "epoch", counting from 0 at construction), as PyTorch's
 * {@code torch.optim.lr_scheduler}. Base rates are the groups' rates when the scheduler is created.
 *
 * <pre>{@code
 * LRScheduler sched = new CosineAnnealingLR(opt, epochs, 0);
 * for (int e = 0; e < epochs; e++) {
 *     trainOneEpoch(model, opt);
 *     sched.step();
 * }
 * }</pre>
 */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private final double[] baseLrs;
    private int lastEpoch;

    /** Records the optimizer's current rates as the base rates; subclasses call {@link #applyLr()} last. */
    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        baseLrs = new double[optimizer.paramGroups().size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = optimizer.lr(i);
    }

    /** The learning rate of group {@code group} at {@code epoch}, given its base rate. */
    protected abstract double lr(int group, double baseLr, int epoch);

    /** Advances one epoch (or step) and sets the new rates. */
    public void step() {
        lastEpoch++;
        applyLr();
    }

    /** Sets every group's rate for the current epoch. */
    protected final void applyLr() {
        for (int i = 0; i < baseLrs.length; i++) optimizer.setLr(i, lr(i, baseLrs[i], lastEpoch));
    }

    /** The number of {@link #step()} calls so far. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** The rates most recently set, one per group. */
    public double[] lastLr() {
        double[] lrs = new double[baseLrs.length];
        for (int i = 0; i < lrs.length; i++) lrs[i] = optimizer.lr(i);
        return lrs;
    }
}
