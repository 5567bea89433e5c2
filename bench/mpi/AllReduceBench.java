import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.distributed.ProcessGroup;
import dev.panagrad.distributed.ReduceOp;

/**
 * In-place all-reduce (sum) of float32 tensors through panagrad's process group, timed per call on rank 0 after
 * a barrier, as allreduce.c times MPI_Allreduce from C. Run by scripts/bench-distributed:
 * <pre>{@code
 * mpirun -np 2 java -cp CLASSPATH bench/mpi/AllReduceBench.java BYTES REPS
 * }</pre>
 * Prints one line: {@code java BYTES t1 t2 ...} (seconds per call on rank 0).
 */
public class AllReduceBench {
    public static void main(String[] args) {
        long bytes = Long.parseLong(args[0]);
        int reps = Integer.parseInt(args[1]), warmup = 20;   // JIT compilation done before the timed calls
        ProcessGroup group = ProcessGroup.init();
        Tensor t = Tensor.ones(DType.FLOAT32, bytes / 4);
        double[] times = new double[reps];
        for (int r = -warmup; r < reps; r++) {
            group.barrier();
            long t0 = System.nanoTime();
            group.allReduce(t, ReduceOp.SUM);
            if (r >= 0) times[r] = (System.nanoTime() - t0) / 1e9;
        }
        if (group.rank() == 0) {
            StringBuilder sb = new StringBuilder("java " + bytes);
            for (double x : times) sb.append(String.format(java.util.Locale.ROOT, " %.6f", x));
            System.out.println(sb);
        }
        group.close();
    }
}
