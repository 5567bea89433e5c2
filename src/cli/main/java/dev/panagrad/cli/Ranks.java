package dev.panagrad.cli;

import dev.panagrad.Tensor;
import dev.panagrad.distributed.ProcessGroup;

import java.nio.file.Path;

/**
 * How {@link Train} runs as one of several processes: started by {@code mpirun} (through
 * {@code scripts/train --nproc N}), each process is a rank of the {@link ProcessGroup}; rank 0 alone prints,
 * writes metrics and checkpoints. Started alone, there is no group and nothing about MPI is loaded.
 *
 * <pre>{@code
 * ProcessGroup group = Ranks.start(nproc, hostfile);   // null when running alone
 * Ranks.exit("train: ...", 1);                          // ends every rank when one fails
 * }</pre>
 */
final class Ranks {
    private static ProcessGroup group;

    private Ranks() {}

    /**
     * The process group when launched by mpirun, else null. {@code --nproc}/{@code --hostfile} given to a process
     * that was not launched by mpirun are an error: the launcher starts the processes.
     */
    static ProcessGroup start(int nproc, Path hostfile) {
        if (!ProcessGroup.launched()) {
            if (nproc > 1 || hostfile != null) {
                throw new IllegalArgumentException("train: --nproc " + nproc + (hostfile == null ? "" : " --hostfile "
                        + hostfile) + " needs a launcher: run scripts/train with these options (it starts mpirun), "
                        + "or start the ranks yourself with mpirun -np N java ... dev.panagrad.cli.Train");
            }
            return null;
        }
        try {
            group = ProcessGroup.init();
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("train: " + e.getMessage(), e);
        }
        if (nproc > 1 && nproc != group.size()) {
            throw new IllegalArgumentException("train: --nproc " + nproc + " but mpirun started " + group.size()
                    + " processes; expected the same number");
        }
        return group;
    }

    /** Threads per process by default: this machine's cores shared among the ranks mpirun put on it. */
    static int defaultThreads() {
        int local = 1;
        try {
            local = Math.max(1, Integer.parseInt(System.getenv().getOrDefault("OMPI_COMM_WORLD_LOCAL_SIZE", "1")));
        } catch (NumberFormatException ignored) {
            // not under mpirun: all cores
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors() / local);
    }

    /** True on the process that prints and writes files: rank 0, or the only process. */
    static boolean writes() {
        return group == null || group.rank() == 0;
    }

    /** The sums over all ranks of {@code values} (the values themselves when alone). */
    static double[] sum(double... values) {
        if (group == null) return values;
        Tensor t = Tensor.ofDoubles(values);
        group.allReduce(t, dev.panagrad.distributed.ReduceOp.SUM);
        return t.toDoubleArray();
    }

    /**
     * Ends the program with {@code message} and exit status {@code code}; as one of several ranks, ends the whole
     * job (MPI_Abort) so that no rank waits forever for this one.
     */
    static void exit(String message, int code) {
        if (group != null && group.size() > 1) group.abort(message, code);
        System.err.println(message);
        System.exit(code);
    }

    /** Ends MPI after a successful run (never from a shutdown hook). */
    static void finish() {
        if (group != null) group.close();
    }
}
