package dev.panagrad.distributed;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.data.Batch;
import dev.panagrad.data.DataLoader;
import dev.panagrad.data.TensorDataset;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Linear;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.nn.ReLU;
import dev.panagrad.nn.Sequential;
import dev.panagrad.optim.SGD;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The program each rank runs in {@link MpiLaunchTest} ({@code mpirun -np 2 java ... MpiWorker TASK}): checks
 * collective results against values computed from the ranks' known inputs, trains a small model with
 * {@link DistributedDataParallel}, or plays a failing peer. Prints {@code rank R ok} on success; any failure
 * aborts the job with a non-zero exit.
 *
 * <pre>{@code
 * mpirun -np 2 java -cp ... dev.panagrad.distributed.MpiWorker collectives
 * }</pre>
 */
public final class MpiWorker {
    private MpiWorker() {}

    /** Runs the task named by {@code args[0]}; for {@code ddp}, rank r writes its parameters to {@code args[1] + ".rank" + r}. */
    public static void main(String[] args) throws Exception {
        ProcessGroup group = ProcessGroup.init();
        try {
            switch (args[0]) {
                case "collectives" -> collectives(group);
                case "large" -> large(group);
                case "ddp" -> writeParameters(trainDdp(group), Path.of(args[1] + ".rank" + group.rank()));
                case "mismatch" -> new DistributedDataParallel(model(group.rank() == 0 ? 32 : 33), group);
                case "die" -> die(group);
                case "stuck" -> stuck(group);
                default -> throw new IllegalArgumentException("MpiWorker: unknown task " + args[0]);
            }
        } catch (Throwable e) {
            group.abort(e.toString(), 1);
        }
        System.out.println("rank " + group.rank() + " ok");
        group.close();
    }

    /** Sizes 0, 1 and odd, both dtypes: rank r holds (r + 1) * (i + 1) at position i. */
    private static void collectives(ProcessGroup group) {
        int r = group.rank(), n = group.size();
        double rankSum = n * (n + 1) / 2.0;   // sum over ranks of (r + 1)
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int size : new int[] {0, 1, 1001}) {
                Tensor t = Tensor.arange(dtype, 1, size + 1, 1).mul(r + 1);
                group.allReduce(t, ReduceOp.SUM);
                expect(t, i -> rankSum * (i + 1), "allReduce SUM " + dtype + " " + size);
                group.allReduce(t, ReduceOp.AVERAGE);   // every rank now holds the sum: the average is the sum
                expect(t, i -> rankSum * (i + 1), "allReduce AVERAGE " + dtype + " " + size);
                Tensor a = Tensor.arange(dtype, 1, size + 1, 1).mul(r + 1);
                group.allReduceAsync(a, ReduceOp.AVERAGE).waitFor();
                expect(a, i -> rankSum / n * (i + 1), "allReduceAsync AVERAGE " + dtype + " " + size);
                Tensor b = r == n - 1 ? Tensor.arange(dtype, 0, size, 1).mul(2).add(1) : Tensor.zeros(dtype, size);
                group.broadcast(b, n - 1);
                expect(b, i -> 2 * i + 1, "broadcast " + dtype + " " + size);
                group.barrier();
            }
        }
    }

    /** One float32 buffer over 2^31 bytes (sent in pieces): all-reduce, then broadcast from the last rank. */
    private static void large(ProcessGroup group) {
        long n = (1L << 29) + 5;   // 2 GiB + 20 bytes
        int r = group.rank(), ranks = group.size();
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.zeros(DType.FLOAT32, n);
            MemorySegment m = t.segment();
            for (long i = 0; i < n; i++) m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 1024) + r);
            group.allReduce(t, ReduceOp.SUM);
            double rankSum = ranks * (ranks - 1) / 2.0;   // sum over ranks of r
            checkLarge(m, n, ranks, rankSum, "allReduce");
            if (r != ranks - 1) t.zero_();
            group.broadcast(t, ranks - 1);
            checkLarge(m, n, ranks, rankSum, "broadcast");
        }
    }

    private static void checkLarge(MemorySegment m, long n, int ranks, double rankSum, String what) {
        for (long i = 0; i < n; i++) {
            float want = (float) (ranks * (i % 1024) + rankSum);
            float got = m.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (got != want) throw new AssertionError(what + ": element " + i + " is " + got + ", expected " + want);
        }
    }

    private interface Expected {
        double at(long i);
    }

    private static void expect(Tensor t, Expected want, String what) {
        double[] got = t.toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want.at(i)) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want.at(i));
            }
        }
    }

    /** The model of the equivalence test: 16 -> hidden -> 4. */
    static Module model(int hidden) {
        Generator.manualSeed(11);
        return new Sequential(new Linear(16, hidden), new ReLU(), new Linear(hidden, 4));
    }

    /**
     * 20 SGD steps on a fixed synthetic dataset, global batch 128 split over the ranks by a
     * {@link DistributedSampler}; returns the parameters. Each rank's initial parameters differ (seeded by the
     * rank) so the test also covers the broadcast from rank 0.
     */
    static List<float[]> trainDdp(ProcessGroup group) {
        Generator.manualSeed(5);
        Tensor x = Tensor.randn(128 * 20, 16);
        Tensor y = x.narrow(1, 0, 4).argmax(1, false);   // the class is the largest of the first four features
        Module model = model(32);
        if (group.rank() != 0) {
            Generator.manualSeed(100 + group.rank());
            for (Tensor p : model.parameters()) p.detach().copy_(Tensor.randn(p.shape()));
        }
        var ddp = new DistributedDataParallel(model, group, 4096);   // small buckets: several per step
        SGD sgd = new SGD(model.parameters(), 0.1);
        DataLoader loader = new DataLoader(new TensorDataset(x, y), 128 / group.size()).shuffle(9).prefetch(0)
                .sampler(new DistributedSampler(group));
        for (Batch b : loader) {
            try (Scope step = Scope.open()) {
                Tensor loss = Losses.crossEntropy(ddp.forward(b.inputs()), b.targets());
                sgd.zeroGrad();
                loss.backward();
                ddp.finish();
                sgd.step();
            }
        }
        List<float[]> out = new ArrayList<>();
        for (Tensor p : model.parameters()) out.add(p.toFloatArray());
        return out;
    }

    private static void writeParameters(List<float[]> params, Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (float[] p : params) {
            for (float v : p) sb.append(Float.floatToRawIntBits(v)).append(' ');
            sb.append('\n');
        }
        Files.writeString(file, sb);
    }

    /** Reads what {@link #writeParameters} wrote. */
    static List<float[]> readParameters(Path file) throws IOException {
        List<float[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] bits = line.isBlank() ? new String[0] : line.trim().split(" ");
            float[] p = new float[bits.length];
            for (int i = 0; i < bits.length; i++) p[i] = Float.intBitsToFloat(Integer.parseInt(bits[i]));
            out.add(p);
        }
        return out;
    }

    /** Rank 1 dies by SIGKILL after a barrier while rank 0 goes on calling collectives. */
    private static void die(ProcessGroup group) throws Exception {
        group.barrier();
        if (group.rank() == 1) {
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(60_000);
        }
        for (int i = 0; i < 1000; i++) {
            group.allReduce(Tensor.ones(1000), ReduceOp.SUM);
            Thread.sleep(100);
        }
    }

    /** Rank 1 stays alive but stops calling collectives; rank 0's watchdog must end the job. */
    private static void stuck(ProcessGroup group) throws Exception {
        group.barrier();
        if (group.rank() == 1) Thread.sleep(600_000);
        group.allReduce(Tensor.ones(1000), ReduceOp.SUM);
    }
}
