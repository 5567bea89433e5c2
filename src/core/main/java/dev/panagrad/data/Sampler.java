package dev.panagrad.data;

/**
 * Chooses which examples of each epoch's order a {@link DataLoader} visits, for example one rank's share in
 * data-parallel training ({@code dev.panagrad.distributed.DistributedSampler}).
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 64).shuffle(42).sampler(new DistributedSampler(rank, size));
 * }</pre>
 */
public interface Sampler {
    /** The indices to visit, in order, taken from {@code order}: the epoch's order of all examples. */
    long[] select(long[] order);

    /** How many indices {@link #select} returns for a dataset of {@code n} examples. */
    long size(long n);
}
