package dev.panagrad.data;

import dev.panagrad.GradMode;
import dev.panagrad.memory.Scope;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * Splits a dataset into batches, one pass (epoch) per {@link #iterator()}. With {@link #shuffle(long)} each
 * epoch visits the examples in a random order that depends only on the seed and the epoch number, so a run
 * is reproducible and can resume at any epoch ({@link #setEpoch}).
 *
 * <p>By default a background thread prepares the next batches while the caller trains on the current one
 * ({@link #prefetch(int)}; 0 prepares them on the caller's thread). Batches prepared in the background
 * are allocated outside every scope, so the garbage collector owns them: they stay valid inside the
 * caller's training-step scopes and return to the memory pool once unreachable.
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
    private static final Object END = new Object();

    private final Dataset dataset;
    private final int batchSize;
    private boolean shuffle;
    private long seed;
    private boolean dropLast;
    private int prefetch = 2;
    private long nextEpoch;
    private Producer running;

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
        long n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The number of examples one epoch visits. */
    public long exampleCount() {
        return dropLast ? batchCount() * batchSize : dataset.size();
    }

    /** The example indices epoch {@code epoch} visits, in order (before dropping a short last batch). */
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
        return order;
    }

    /** Starts the next epoch; an epoch still running in the background is cancelled first. */
    @Override
    public Iterator<Batch> iterator() {
        close();
        long[] order = order(nextEpoch++);
        long batches = batchCount();
        if (prefetch == 0) return new Direct(dataset, order, batchSize, batches);
        running = new Producer(dataset, order, batchSize, batches, prefetch);
        BackgroundIterator it = new BackgroundIterator(running);
        CLEANER.register(it, running::cancel);   // an abandoned epoch stops its thread
        running.start();
        return it;
    }

    /** Stops the background thread of the current epoch, if any. */
    @Override
    public void close() {
        if (running != null) running.cancel();
        running = null;
    }

    /** SplitMix64's finaliser: a bijection that spreads nearby seeds over the whole range. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The examples of batch {@code b}: order[b * size, min((b + 1) * size, n)). */
    private static Batch prepare(Dataset dataset, long[] order, int size, long b) {
        int from = Math.toIntExact(b * size), to = Math.min(order.length, from + size);
        long[] indices = java.util.Arrays.copyOfRange(order, from, to);
        return Scope.unscoped(() -> {
            try (var off = GradMode.noGrad()) {
                return dataset.batch(indices);
            }
        });
    }

    /** Prepares each batch on the caller's thread when asked for. */
    private static final class Direct implements Iterator<Batch> {
        private final Dataset dataset;
        private final long[] order;
        private final int size;
        private final long batches;
        private long next;

        Direct(Dataset dataset, long[] order, int size, long batches) {
            this.dataset = dataset;
            this.order = order;
            this.size = size;
            this.batches = batches;
        }

        @Override
        public boolean hasNext() {
            return next < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
            return prepare(dataset, order, size, next++);
        }
    }

    /** A daemon thread that fills a bounded queue with the epoch's batches, then END or the failure. */
    private static final class Producer extends Thread {
        private final Dataset dataset;
        private final long[] order;
        private final int size;
        private final long batches;
        final BlockingQueue<Object> queue;
        private volatile boolean cancelled;

        Producer(Dataset dataset, long[] order, int size, long batches, int prefetch) {
            super("panagrad-data-loader");
            setDaemon(true);
            this.dataset = dataset;
            this.order = order;
            this.size = size;
            this.batches = batches;
            this.queue = new ArrayBlockingQueue<>(prefetch);
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public void run() {
            try {
                for (long b = 0; b < batches; b++) {
                    if (!offer(prepare(dataset, order, size, b))) return;
                }
                offer(END);
            } catch (Throwable e) {
                offer(new Failure(e));
            }
        }

        /** Waits for room in the queue; false once cancelled. */
        private boolean offer(Object item) {
            try {
                while (!cancelled) {
                    if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private record Failure(Throwable cause) {}

    /** Takes batches from the producer's queue, rethrowing a failure on the caller's thread. */
    private static final class BackgroundIterator implements Iterator<Batch> {
        private final Producer producer;
        private Object head;

        BackgroundIterator(Producer producer) {
            this.producer = producer;
        }

        @Override
        public boolean hasNext() {
            try {
                while (head == null) {
                    head = producer.queue.poll(50, TimeUnit.MILLISECONDS);
                    if (head == null && producer.cancelled) {
                        throw new CancellationException("DataLoader: this epoch was cancelled (a new epoch started or "
                                + "the loader was closed); expected batches to be taken before the next iterator()");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("DataLoader: interrupted while waiting for the next batch");
            }
            if (head instanceof Failure f) {
                throw new IllegalStateException("DataLoader: preparing a batch failed on the loader thread: "
                        + f.cause(), f.cause());
            }
            return head != END;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
            Batch b = (Batch) head;
            head = null;
            return b;
        }
    }
}
