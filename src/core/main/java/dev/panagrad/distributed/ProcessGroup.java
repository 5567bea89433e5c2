package dev.panagrad.distributed;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The processes of one training job ({@code MPI_COMM_WORLD}): each knows its {@link #rank()} among
 * {@link #size()} and takes part in collectives on float32/float64 tensors, in place, without copies: the
 * tensors' off-heap memory goes to Open MPI as it is.
 *
 * <p>Launched by {@code mpirun}, every process is one rank. Started without a launcher, the process is rank 0 of
 * 1 (through MPI when libmpi is installed, else without it), so the same program runs alone unchanged.
 *
 * <p>Non-blocking all-reduces run on one communication thread in the order they were started, so they overlap
 * with the caller's work; a blocking collective started while none is queued calls MPI on the caller's thread
 * (MPI runs with {@code MPI_THREAD_MULTIPLE}; one lock keeps calls from overlapping), else it queues behind them. A {@link Watchdog} ends the whole job, with a message naming the
 * rank and the collective, when one collective takes longer than the timeout (60 s by default, system
 * property {@code panagrad.distributed.timeout} in seconds): a dead or stuck peer stops the job instead of
 * hanging it. Call {@link #close()} (MPI_Finalize) at the end of a normal run, never from a shutdown hook.
 *
 * <pre>{@code
 * ProcessGroup group = ProcessGroup.init();
 * Tensor t = Tensor.full(group.rank() + 1.0, 4);
 * group.allReduce(t, ReduceOp.SUM);        // with 2 ranks: [3, 3, 3, 3] everywhere
 * group.broadcast(weights, 0);              // rank 0's values on every rank
 * group.close();
 * }</pre>
 */
public final class ProcessGroup implements AutoCloseable {
    /** System property overriding the collective timeout, in seconds. */
    public static final String TIMEOUT_PROPERTY = "panagrad.distributed.timeout";

    private static ProcessGroup world;

    private final Mpi mpi;   // null: one process without MPI
    private final int rank, size;
    private final ExecutorService comm;
    /** Held during every MPI call: MPI forbids two collectives on one communicator at the same time. */
    private final Object callLock = new Object();
    /** Operations submitted to the communication thread and not yet finished. */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final Watchdog watchdog;
    private volatile boolean closed;

    private ProcessGroup(Mpi mpi, Duration timeout) {
        this.mpi = mpi;
        this.rank = mpi == null ? 0 : mpi.rank;
        this.size = mpi == null ? 1 : mpi.size;
        this.comm = mpi == null ? null : Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("panagrad-mpi").unstarted(r));
        this.watchdog = mpi == null ? null : new Watchdog(timeout, this::abort);
    }

    /**
     * The group of all processes of this job, started on the first call: through MPI when launched by
     * {@code mpirun} (libmpi is then required), else rank 0 of 1. The timeout comes from
     * {@value #TIMEOUT_PROPERTY} (seconds, default 60).
     */
    public static ProcessGroup init() {
        return init(Duration.ofSeconds(Long.getLong(TIMEOUT_PROPERTY, 60)));
    }

    /** As {@link #init()}, with the watchdog's timeout for one collective (used only by the first call). */
    public static synchronized ProcessGroup init(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ProcessGroup.init: expected a positive timeout; given " + timeout);
        }
        if (world == null) {
            if (!launched() && !Mpi.available()) {
                world = new ProcessGroup(null, timeout);
            } else {
                // MPI_Init_thread asks for MPI_THREAD_MULTIPLE: later calls may come from any thread
                ExecutorService starter = Executors.newSingleThreadExecutor();
                try {
                    world = new ProcessGroup(starter.submit(Mpi::init).get(), timeout);
                } catch (Exception e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    if (c instanceof Error err) throw err;
                    throw new IllegalStateException("distributed: MPI did not start: " + c.getMessage(), c);
                } finally {
                    starter.shutdown();
                }
            }
        }
        return world;
    }

    /** True when this process was started by Open MPI's {@code mpirun} (it sets {@code OMPI_COMM_WORLD_SIZE}). */
    public static boolean launched() {
        return System.getenv("OMPI_COMM_WORLD_SIZE") != null;
    }

    /** True when Open MPI's library can be loaded on this machine. */
    public static boolean mpiAvailable() {
        return Mpi.available();
    }

    /** This process's number, from 0 to {@code size() - 1}. */
    public int rank() {
        return rank;
    }

    /** The number of processes in the job. */
    public int size() {
        return size;
    }

    /** True when collectives go through Open MPI (false: a single process without libmpi). */
    public boolean usesMpi() {
        return mpi != null;
    }

    /** The longest one collective may take before the watchdog ends the job. */
    public Duration timeout() {
        return watchdog == null ? Duration.ZERO : watchdog.timeout();
    }

    /** Combines {@code tensor} over all ranks in place; every rank must call it with the same shape and dtype. */
    public void allReduce(Tensor tensor, ReduceOp op) {
        MemorySegment buf = buffer("allReduce", tensor);
        int elementBytes = tensor.dtype().byteSize();
        runNow("allReduce of " + tensor.numel() + " " + tensor.dtype() + " elements",
                m -> m.allReduceSum(buf, elementBytes));
        if (op == ReduceOp.AVERAGE && size > 1) {
            try (var off = dev.panagrad.GradMode.noGrad()) {
                tensor.mul_(1.0 / size);
            }
        }
    }

    /**
     * Starts combining {@code tensor} over all ranks in place and returns at once; the tensor must not be read or
     * written until {@link Work#waitFor()} returns. Collectives run in the order they were started, which must be
     * the same on every rank.
     */
    public Work allReduceAsync(Tensor tensor, ReduceOp op) {
        MemorySegment buf = buffer("allReduce", tensor);
        int elementBytes = tensor.dtype().byteSize();
        String what = "allReduce of " + tensor.numel() + " " + tensor.dtype() + " elements";
        double scale = op == ReduceOp.AVERAGE ? 1.0 / size : 1;
        return new Work(submit(what, m -> m.allReduceSum(buf, elementBytes)), tensor, scale);
    }

    /** Copies rank {@code root}'s {@code tensor} into {@code tensor} on every other rank. */
    public void broadcast(Tensor tensor, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast: root rank " + root + " out of range; expected 0 <= root < "
                    + size);
        }
        MemorySegment buf = buffer("broadcast", tensor);
        String what = "broadcast of " + tensor.numel() + " " + tensor.dtype() + " elements from rank " + root;
        runNow(what, m -> m.broadcast(buf, root));
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        runNow("barrier", Mpi::barrier);
    }

    /**
     * Ends the whole job after a fatal error: prints {@code message} with this rank's number to stderr and calls
     * {@code MPI_Abort}, which stops every rank; {@code mpirun} then exits with {@code code}. Without MPI the
     * process exits with {@code code}. Does not return.
     */
    public void abort(String message, int code) {
        System.err.println("panagrad: rank " + rank + " of " + size + ": " + message);
        System.err.flush();
        if (mpi != null && (mpi.threadMultiple || Thread.currentThread().getName().equals("panagrad-mpi"))) {
            mpi.abort(code);
        }
        Runtime.getRuntime().halt(code);   // MPI_Abort returned, or could not be called from this thread
    }

    private void abort(String message) {
        abort(message, 3);
    }

    /** Finalises MPI after the last collective; the group (and MPI) cannot be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed || mpi == null) {
            closed = true;
            return;
        }
        submit("MPI_Finalize", Mpi::finish).join();
        closed = true;
        comm.shutdown();
        watchdog.stop();
    }

    private MemorySegment buffer(String op, Tensor t) {
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.FLOAT64 || !t.isContiguous()) {
            throw new IllegalArgumentException(op + ": expected a contiguous float32 or float64 tensor; given "
                    + t.describe());
        }
        long bytes = (long) t.dtype().byteSize();
        return t.segment().asSlice(t.offset() * bytes, t.numel() * bytes);
    }

    /** Runs {@code call} on the communication thread; the future gives the nanoseconds it took. */
    private CompletableFuture<Long> submit(String what, Consumer<Mpi> call) {
        if (closed) throw new IllegalStateException("distributed: " + what + " after the process group was closed");
        if (mpi == null) return CompletableFuture.completedFuture(0L);   // alone: every collective is the identity
        queued.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call(what, call);
            } finally {
                queued.decrementAndGet();
            }
        }, comm);
    }

    /**
     * Runs a blocking collective: on this thread when nothing is queued (no hand-off between threads), else behind
     * the queued ones, keeping the order in which this rank started them.
     */
    private void runNow(String what, Consumer<Mpi> call) {
        if (closed) throw new IllegalStateException("distributed: " + what + " after the process group was closed");
        if (mpi == null) return;
        if (mpi.threadMultiple) {
            synchronized (callLock) {
                if (queued.get() == 0) {
                    call(what, call);
                    return;
                }
            }
        }
        new Work(submit(what, call), null, 1).waitFor();
    }

    /** One MPI call under the lock and the watchdog; returns the nanoseconds it took. */
    private long call(String what, Consumer<Mpi> call) {
        synchronized (callLock) {
            long start = System.nanoTime();
            watchdog.begin(what);
            try {
                call.accept(mpi);
            } finally {
                watchdog.end();
            }
            return System.nanoTime() - start;
        }
    }
}
