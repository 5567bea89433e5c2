package dev.panagrad.bench.panagrad;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * panagrad's side of {@code TorchAllocation}: {@code Tensor.empty(numel)} (float32, uninitialised)
 * inside a {@link Scope} opened and closed per call, so the block goes back to the pool at close and
 * every call after the first takes the pool's hit path (the thread's cache of free blocks). No kernel
 * runs, so the class has no {@code kernels} param and the report labels it {@code panagrad};
 * {@code threads} sets panagrad's pool as elsewhere, which allocation does not use.
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PanagradAllocation extends PanagradBenchmark {
    @Param({"1", "1024", "1048576"})
    public int numel;

    @Setup(Level.Trial)
    public void pool() {
        Parallel.setThreads(threads);
        // one call takes ~0.1 us compiled and microseconds before C2 has compiled the scope and pool path
        // (seconds on a loaded machine): warm on batches long enough to time
        warm(() -> {
            for (int i = 0; i < WARM_BATCH; i++) {
                try (Scope s = Scope.open()) {
                    Tensor.empty(numel);
                }
            }
        }, 50, 20_000);
    }

    private static final int WARM_BATCH = 1000;

    @Benchmark
    public void empty(Blackhole bh) {
        try (Scope s = Scope.open()) {
            bh.consume(Tensor.empty(numel));
        }
    }
}
