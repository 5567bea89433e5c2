package dev.panagrad.data;

import dev.panagrad.GradMode;
import dev.panagrad.memory.Scope;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Splits a dataset into batches, one pass (epoch) per {@link #iterator()}. With {@link #shuffle(long)} each
 * epoch visits the examples in a random order that depends only on the seed and the epoch number, so a run
 * is reproducible and can resume at any epoch ({@link #setEpoch}).
 *
 * <p>By default a background thread prepares the next batches while the caller trains on the current one
 * ({@link #prefetch(int)}; 0 prepares them on the caller's thread). Ownership: each batch lives in a scope of
 * its own that the iterator closes when it advances (the next {@code hasNext()} or {@code next()}), so the
 * memory of a batch is reused a few batches later and a steady loop allocates nothing. Using a batch after
 * that throws {@code IllegalStateException}; call {@link Batch#keep()} to keep one for longer (it then belongs
 * to the garbage collector). One thread consumes an epoch; it is the thread that closes the batches.
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128).shuffle(42).dropLast(true);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     for (Batch b : loader) {
 *         try (Scope step = Scope.open()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Dataset dataset;
    private final int batchSize;
    private boolean shuffle;
    private long seed;
    private boolean dropLast;
    private Sampler sampler;
    private int prefetch = 2;
    private long nextEpoch;
    private Epoch running;

    /** Batches of {@code batchSize} examples in dataset order, the last one possibly smaller. */
    public DataLoader(Dataset dataset, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("DataLoader: batch size must be positive; given " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
    }

    /** Visits the examples in a new random order each epoch, drawn from {@code seed} and the epoch number. */
    public DataLoader shuffle(long seed) {
        this.shuffle = true;
        this.seed = seed;
        return this;
    }

    /** Visits only the examples {@code sampler} selects from each epoch's order (one rank's shard, for example). */
    public DataLoader sampler(Sampler sampler) {
        this.sampler = sampler;
        return this;
    }

    /** Drops the last batch of an epoch when it has fewer than batchSize examples. */
    public DataLoader dropLast(boolean drop) {
        this.dropLast = drop;
        return this;
    }

    /** How many batches the background thread prepares ahead; 0 prepares each on the caller's thread. */
    public DataLoader prefetch(int batches) {
        if (batches < 0) {
            throw new IllegalArgumentException("DataLoader.prefetch: expected 0 or more batches; given " + batches);
        }
        this.prefetch = batches;
        return this;
    }

    /** Sets the number of the epoch the next {@link #iterator()} runs (epochs count from 0). */
    public DataLoader setEpoch(long epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.setEpoch: expected epoch >= 0; given " + epoch);
        this.nextEpoch = epoch;
        return this;
    }

    /** The epoch the next {@link #iterator()} runs. */
    public long epoch() {
        return nextEpoch;
    }

    /** The number of batches in one epoch. */
    public long batchCount() {
        long n = sampler == null ? dataset.size() : sampler.size(dataset.size());
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The number of examples one epoch visits. */
    public long exampleCount() {
        return dropLast ? batchCount() * batchSize : sampler == null ? dataset.size() : sampler.size(dataset.size());
    }

    /**
     * The example indices epoch {@code epoch} visits, in order (before dropping a short last batch; after the
     * {@link #sampler(Sampler)}'s choice).
     */
    public long[] order(long epoch) {
        int n = Math.toIntExact(dataset.size());
        long[] order = new long[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            // Fisher-Yates: position i takes a uniformly chosen element of the not yet placed ones [0, i]
            SplittableRandom random = new SplittableRandom(mix(mix(seed) ^ epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return sampler == null ? order : sampler.select(order);
    }

    /** Starts the next epoch; an epoch still running is stopped first ({@link #close()}). */
    @Override
    public Iterator<Batch> iterator() {
        close();
        running = new Epoch(dataset, order(nextEpoch++), batchSize, batchCount(), prefetch);
        if (prefetch > 0) {
            Epoch e = running;
            Thread t = Thread.ofPlatform().daemon().name("panagrad-data-loader").start(e::produce);
            e.thread = t;
        }
        EpochIterator it = new EpochIterator(running);
        CLEANER.register(it, running::cancel);   // an abandoned epoch stops its thread
        return it;
    }

    /**
     * Stops the current epoch: its thread ends, batches it prepared but nobody took are freed, and the batch the
     * caller holds is handed to the garbage collector. Call from the thread that consumes the epoch.
     */
    @Override
    public void close() {
        if (running != null) running.stop();
        running = null;
    }

    /** SplitMix64's finaliser: a bijection that spreads nearby seeds over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A batch and the scope that owns its memory; {@code failure} instead of a batch when preparing it threw. */
    private record Lease(Scope scope, Batch batch, Throwable failure) {}

    /**
     * One pass over the data. The consumer opens one scope per batch and hands it to the producer as a
     * token; the producer allocates the batch inside it; the consumer closes it when it moves on. The number
     * of tokens in flight bounds the batches prepared ahead.
     */
    private static final class Epoch {
        private final Dataset dataset;
        private final long[] order;
        private final int size;
        private final long batches;
        private final int ahead;
        private final BlockingQueue<Scope> tokens = new LinkedBlockingQueue<>();
        private final BlockingQueue<Lease> ready = new LinkedBlockingQueue<>();
        private long issued, produced, taken;
        private Lease current;
        private Throwable failure;
        private volatile boolean cancelled;
        Thread thread;

        Epoch(Dataset dataset, long[] order, int size, long batches, int ahead) {
            this.dataset = dataset;
            this.order = order;
            this.size = size;
            this.batches = batches;
            this.ahead = ahead;
        }

        void cancel() {
            cancelled = true;
        }

        /** The batch {@code b} of the epoch: order[b * size, min((b + 1) * size, n)), allocated in {@code scope}. */
        private Lease prepare(Scope scope, long b) {
            int from = Math.toIntExact(b * size), to = Math.min(order.length, from + size);
            long[] indices = Arrays.copyOfRange(order, from, to);
            try {
                return Scope.within(scope, () -> {
                    try (var off = GradMode.noGrad()) {
                        return new Lease(scope, dataset.batch(indices), null);
                    }
                });
            } catch (Throwable e) {
                return new Lease(scope, null, e);
            }
        }

        /** The producer thread: one batch per token, in order, until done or cancelled. */
        void produce() {
            try {
                while (produced < batches && !cancelled) {
                    Scope token = tokens.poll(50, TimeUnit.MILLISECONDS);
                    if (token == null) continue;
                    Lease lease = prepare(token, produced++);
                    ready.add(lease);
                    if (lease.failure != null) return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Consumer side: closes the batch handed out last, then tops up the tokens. */
        private void advance() {
            if (current != null) {
                current.scope.close();
                current = null;
            }
            if (ahead == 0) return;
            while (issued < batches && issued - taken < ahead + 1) {
                tokens.add(Scope.unscoped(Scope::open));
                issued++;
            }
        }

        /** Consumer side: the next batch, or null at the end of the epoch. */
        Lease take() {
            if (cancelled) throw stopped();
            if (failure != null) throw failed(failure);
            advance();
            if (taken == batches) return null;
            Lease lease = ahead == 0 ? prepare(Scope.unscoped(Scope::open), taken) : await();
            taken++;
            current = lease;
            if (lease.failure != null) {
                failure = lease.failure;
                throw failed(failure);
            }
            return lease;
        }

        private IllegalStateException failed(Throwable e) {
            return new IllegalStateException("DataLoader: preparing a batch failed: " + e, e);
        }

        private static CancellationException stopped() {
            return new CancellationException("DataLoader: this epoch was stopped (a new epoch started or the loader "
                    + "was closed); expected its batches to be taken before that");
        }

        private Lease await() {
            try {
                while (true) {
                    Lease lease = ready.poll(50, TimeUnit.MILLISECONDS);
                    if (lease != null) return lease;
                    if (cancelled) throw stopped();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("DataLoader: interrupted while waiting for the next batch");
            }
        }

        /** Consumer side: ends the thread, frees untaken batches, hands the current one to the GC. */
        void stop() {
            cancelled = true;
            if (thread != null) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (Lease l; (l = ready.poll()) != null; ) l.scope.close();
            for (Scope s; (s = tokens.poll()) != null; ) s.close();
            if (current != null && current.batch != null) current.batch.keep();
            if (current != null) current.scope.close();
            current = null;
        }
    }

    /** The consumer's view of an epoch. */
    private static final class EpochIterator implements Iterator<Batch> {
        private final Epoch epoch;
        private Lease head;
        private boolean done;

        EpochIterator(Epoch epoch) {
            this.epoch = epoch;
        }

        @Override
        public boolean hasNext() {
            if (head == null && !done) {
                head = epoch.take();
                done = head == null;
            }
            return head != null;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
            Batch b = head.batch;
            head = null;
            return b;
        }
    }
}
