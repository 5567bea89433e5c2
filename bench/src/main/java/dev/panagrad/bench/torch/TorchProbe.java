package dev.panagrad.bench.torch;

import ai.djl.ndarray.NDArray;

/**
 * Preflight for scripts/bench: loads libtorch the way a JMH fork will (offline, from the native jar
 * on the class path), runs one op and one backward, and prints the engine version, thread count and
 * where DJL keeps its extracted libraries. Exits non-zero when PyTorch cannot be used, so the suite
 * stops before spending minutes on forks that would all fail.
 */
public final class TorchProbe {
    private TorchProbe() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        Torch.threads(1);
        long loaded = System.nanoTime();

        Torch.gradMode(true);   // DJL switches grad mode off on the thread that loads the engine
        NDArray a = Torch.ones(4);
        NDArray two = Torch.scalar(2f);
        long x = Torch.handle(a);
        Torch.requiresGrad(x);
        long y = Torch.mul(x, Torch.handle(two));       // y = 2x
        long s = Torch.sum(y);                           // s = sum(2x), so ds/dx = 2
        long one = Torch.handle(Torch.scalar(1f));
        Torch.backward(s, one);
        long g = Torch.grad(x);
        float[] grad = Torch.wrap(g).toFloatArray();
        Torch.free(y);
        Torch.free(s);
        for (float v : grad) {
            if (v != 2f) {
                throw new IllegalStateException("PyTorch autograd gave d sum(2x)/dx = " + v + ", expected 2");
            }
        }
        System.out.printf("PyTorch %s loaded offline in %.1f s (threads=%d, DJL cache %s); autograd check ok%n",
                Torch.version(), (loaded - t0) / 1e9, Torch.threads(),
                ai.djl.util.Utils.getEngineCacheDir("pytorch"));
    }
}
