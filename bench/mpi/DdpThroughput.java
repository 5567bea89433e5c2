import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.cli.fashion.FashionMlp;
import dev.panagrad.distributed.DistributedDataParallel;
import dev.panagrad.distributed.ProcessGroup;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.optim.Adam;

/**
 * Training throughput of the Fashion-MNIST MLP (784-512-512-10, Adam) on random images, global batch 128 split
 * among the ranks: one process (no DDP) or N ranks under mpirun (DDP). Rank 0 prints samples/s and, with DDP,
 * the time backward took, the all-reduce time and how much of it finish() still waited for. The MLP's 2.7 MB of
 * gradients fit one default 25 MB bucket, which can only start when backward ends; smaller buckets (1 MB: the
 * last two layers, then the first) let the first all-reduce overlap the first layer's backward. Run by
 * scripts/bench-distributed:
 * <pre>{@code
 * mpirun -np 2 java -cp CLASSPATH bench/mpi/DdpThroughput.java THREADS STEPS [BUCKET_BYTES]
 * }</pre>
 */
public class DdpThroughput {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), steps = Integer.parseInt(args[1]), warmup = 5;
        long bucketBytes = args.length > 2 ? Long.parseLong(args[2]) : DistributedDataParallel.DEFAULT_BUCKET_BYTES;
        Parallel.setThreads(threads);
        ProcessGroup group = ProcessGroup.launched() ? ProcessGroup.init() : null;
        int ranks = group == null ? 1 : group.size(), batch = 128 / ranks;
        Generator.manualSeed(1);
        FashionMlp model = new FashionMlp();
        DistributedDataParallel ddp = group == null ? null : new DistributedDataParallel(model, group, bucketBytes);
        Adam adam = new Adam(model.parameters(), 1e-3);
        Tensor x = Tensor.randn(batch, 784), y = Tensor.randint(0, 10, batch);
        long start = 0, backward = 0, comm = 0, wait = 0;
        for (int s = -warmup; s < steps; s++) {
            if (s == 0) {
                if (group != null) group.barrier();
                start = System.nanoTime();
            }
            try (Scope step = Scope.open()) {
                Tensor loss = Losses.crossEntropy(model.forward(x), y);
                adam.zeroGrad();
                long b0 = System.nanoTime();
                loss.backward();
                long b1 = System.nanoTime();
                if (ddp != null) ddp.finish();
                adam.step();
                if (s >= 0) {
                    backward += b1 - b0;
                    if (ddp != null) {
                        comm += ddp.lastCommunicationNanos();
                        wait += ddp.lastWaitNanos();
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (group == null || group.rank() == 0) {
            System.out.printf(java.util.Locale.ROOT, "throughput ranks=%d threads=%d bucket=%d samples/s=%.1f backward_ms=%.2f "
                    + "allreduce_ms=%.2f waited_ms=%.2f hidden=%.3f%n", ranks, threads, bucketBytes, steps * 128 / seconds,
                    backward / 1e6 / steps, comm / 1e6 / steps, wait / 1e6 / steps,
                    comm == 0 ? 0.0 : 1 - (double) wait / comm);
        }
        if (group != null) group.close();
    }
}
