package dev.panagrad.distributed;

import dev.panagrad.data.Sampler;

/**
 * One rank's share of every epoch: rank r of N visits positions r, r+N, r+2N, ... of the epoch's (seeded, shared)
 * order, so the ranks' shards are disjoint and, batch for batch, together make up the batches one process with
 * an N times larger batch would see. The last {@code n mod N} positions are left out so that every rank runs
 * the same number of steps (a rank with an extra step would wait for the others forever).
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 64).shuffle(seed)
 *         .sampler(new DistributedSampler(group.rank(), group.size()));
 * }</pre>
 */
public final class DistributedSampler implements Sampler {
    private final int rank, ranks;

    /** The shard of {@code rank} among {@code ranks}. */
    public DistributedSampler(int rank, int ranks) {
        if (ranks < 1 || rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("DistributedSampler: expected 0 <= rank < ranks; given rank " + rank
                    + " of " + ranks);
        }
        this.rank = rank;
        this.ranks = ranks;
    }

    /** The shard of this process in {@code group}. */
    public DistributedSampler(ProcessGroup group) {
        this(group.rank(), group.size());
    }

    @Override
    public long[] select(long[] order) {
        long[] shard = new long[(int) size(order.length)];
        for (int i = 0; i < shard.length; i++) shard[i] = order[rank + i * ranks];
        return shard;
    }

    @Override
    public long size(long n) {
        return n / ranks;
    }
}
