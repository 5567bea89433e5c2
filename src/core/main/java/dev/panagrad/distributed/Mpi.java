package dev.panagrad.distributed;

import dev.panagrad.distributed.mpi.mpi_h;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;

/**
 * The calls panagrad makes into Open MPI, on {@code MPI_COMM_WORLD}, through the jextract bindings in
 * {@code dev.panagrad.distributed.mpi}. Buffers are off-heap segments handed to MPI without copies; a buffer
 * larger than one call may take is sent in pieces (see {@link #MAX_CALL_BYTES}). Every return code is checked.
 *
 * <pre>{@code
 * Mpi mpi = Mpi.init();                     // MPI_Init_thread; rank 0 of 1 without mpirun
 * mpi.allReduceSum(segment, DType.FLOAT32);
 * }</pre>
 */
final class Mpi {
    /** The shared library of Debian's Open MPI 4.x (package libopenmpi3 / openmpi-bin). */
    static final String LIBRARY = "libmpi.so.40";

    /**
     * The most bytes one MPI call moves. MPI counts are C ints; Open MPI's transports have also mishandled
     * single messages near 2 GiB, so larger buffers go in pieces of 1 GiB, well inside both limits.
     */
    static final long MAX_CALL_BYTES = 1L << 30;

    private final MemorySegment world, bytes, float32, float64, sum;
    final int rank, size;
    final boolean threadMultiple;

    private Mpi(SymbolLookup lib) {
        // MPI_COMM_WORLD, MPI_BYTE, MPI_FLOAT, MPI_DOUBLE and MPI_SUM are addresses of globals of incomplete types, which jextract skips.
        world = lib.findOrThrow("ompi_mpi_comm_world");
        bytes = lib.findOrThrow("ompi_mpi_byte");
        float32 = lib.findOrThrow("ompi_mpi_float");
        float64 = lib.findOrThrow("ompi_mpi_double");
        sum = lib.findOrThrow("ompi_mpi_op_sum");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(ValueLayout.JAVA_INT);
            check("MPI_Initialized", mpi_h.MPI_Initialized(flag));
            MemorySegment provided = a.allocate(ValueLayout.JAVA_INT);
            if (flag.get(ValueLayout.JAVA_INT, 0) == 0) {
                check("MPI_Init_thread", mpi_h.MPI_Init_thread(MemorySegment.NULL, MemorySegment.NULL,
                        mpi_h.MPI_THREAD_MULTIPLE(), provided));
            } else {
                check("MPI_Query_thread", mpi_h.MPI_Query_thread(provided));
            }
            threadMultiple = provided.get(ValueLayout.JAVA_INT, 0) >= mpi_h.MPI_THREAD_MULTIPLE();
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            check("MPI_Comm_rank", mpi_h.MPI_Comm_rank(world, out));
            rank = out.get(ValueLayout.JAVA_INT, 0);
            check("MPI_Comm_size", mpi_h.MPI_Comm_size(world, out));
            size = out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Loads libmpi and initialises MPI; throws {@link UnsatisfiedLinkError} with what to install when missing. */
    static Mpi init() {
        return new Mpi(load(LIBRARY));
    }

    /** True when libmpi can be loaded. */
    static boolean available() {
        try {
            load(LIBRARY);
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Opens {@code library}; throws {@link UnsatisfiedLinkError} naming the packages to install when it is missing. */
    static SymbolLookup load(String library) {
        try {
            return SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError("distributed: cannot load " + library + " (" + e.getMessage()
                    + "); expected Open MPI 4.x: install it with `sudo apt-get install openmpi-bin libopenmpi-dev`");
        }
    }

    /** In-place sum over all ranks of {@code count} elements of {@code elementBytes} (4: float32, 8: float64). */
    void allReduceSum(MemorySegment buf, int elementBytes) {
        MemorySegment type = elementBytes == 4 ? float32 : float64;
        long n = buf.byteSize() / elementBytes, step = MAX_CALL_BYTES / elementBytes;
        for (long at = 0; at < n; at += step) {
            int count = (int) Math.min(step, n - at);
            MemorySegment piece = buf.asSlice(at * elementBytes, (long) count * elementBytes);
            check("MPI_Allreduce", mpi_h.MPI_Allreduce(IN_PLACE, piece, count, type, sum, world));
        }
    }

    /** Copies {@code buf} of rank {@code root} into {@code buf} of every other rank. */
    void broadcast(MemorySegment buf, int root) {
        long n = buf.byteSize();
        for (long at = 0; at < n; at += MAX_CALL_BYTES) {
            int count = (int) Math.min(MAX_CALL_BYTES, n - at);
            check("MPI_Bcast", mpi_h.MPI_Bcast(buf.asSlice(at, count), count, bytes, root, world));
        }
    }

    void barrier() {
        check("MPI_Barrier", mpi_h.MPI_Barrier(world));
    }

    /** Ends every rank of the job with {@code code}; does not return when MPI works. */
    void abort(int code) {
        mpi_h.MPI_Abort(world, code);
    }

    void finish() {
        check("MPI_Finalize", mpi_h.MPI_Finalize());
    }

    /** Open MPI's version line, e.g. {@code Open MPI v4.1.4, package: Debian OpenMPI, ...}. */
    static String libraryVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment text = a.allocate(mpi_h.MPI_MAX_LIBRARY_VERSION_STRING());
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            check("MPI_Get_library_version", mpi_h.MPI_Get_library_version(text, len));
            return text.getString(0).lines().findFirst().orElse("").strip();
        }
    }

    private static void check(String call, int code) {
        if (code != mpi_h.MPI_SUCCESS()) throw new IllegalStateException("distributed: " + call + " failed with MPI error " + code);
    }

    /** {@code MPI_IN_PLACE} is {@code (void *) 1} in Open MPI's mpi.h. */
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);
}
