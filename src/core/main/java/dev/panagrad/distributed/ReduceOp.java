package dev.panagrad.distributed;

/**
 * How {@link ProcessGroup#allReduce} combines the ranks' tensors.
 *
 * <pre>{@code
 * group.allReduce(grad, ReduceOp.AVERAGE);   // every rank ends with the mean of all ranks' values
 * }</pre>
 */
public enum ReduceOp {
    /** The element-wise sum over all ranks. */
    SUM,
    /** The element-wise sum over all ranks divided by the number of ranks. */
    AVERAGE
}
