package dev.panagrad.bench.torch;

import dev.panagrad.bench.ProbedBenchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Base of the PyTorch benchmarks: the {@code threads} parameter (libtorch intra-op threads, set
 * once per fork; JMH gives every parameter combination its own forks) and PyTorch's default grad
 * mode (on) on the benchmark thread: grad mode is thread-local and DJL switches it off on the
 * thread that loads the engine.
 */
public abstract class TorchBenchmark extends ProbedBenchmark {
    @Param({"1", "2"})
    public int threads;

    @Setup(Level.Trial)
    public void torchThreads() {
        Torch.threads(threads);
    }

    @Setup(Level.Iteration)
    public void torchThreadMode() {
        Torch.gradMode(true);
        if (Torch.threads() != threads) {
            // at::set_num_threads reaches a thread at its first parallel op; set it again here
            Torch.threads(threads);
        }
    }
}
