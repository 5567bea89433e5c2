package dev.panagrad.nn;

/**
 * How a loss combines its per-element values.
 *
 * <pre>{@code
 * Losses.mseLoss(pred, target, Reduction.SUM);
 * }</pre>
 */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (for cross-entropy and NLL: over the targets that are not ignored). */
    MEAN,
    /** Their sum. */
    SUM
}
