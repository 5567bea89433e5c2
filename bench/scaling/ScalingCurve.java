import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.cli.fashion.FashionCnn;
import dev.panagrad.cli.fashion.FashionMlp;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import dev.panagrad.optim.SGD;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The scaling curve without JMH, for machines where only the built jars are at hand: the MLP and CNN training
 * steps of {@code PanagradTraining} (batch 128, random data, plain SGD) and a 1024 x 1024 float32 product, at
 * each thread count given, after a warm-up, as the median and range of several timed rounds.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "core.jar:cli.jar:openblas.jar" \
 *     bench/scaling/ScalingCurve.java 1 2 4 8 16
 * }</pre>
 */
public class ScalingCurve {
    static final int BATCH = 128, ROUNDS = 5;

    public static void main(String[] args) {
        int[] threads = args.length == 0 ? new int[] {1, 2} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Generator.manualSeed(1);
        Tensor xImg = Tensor.rand(BATCH, 1, 28, 28), xFlat = Tensor.rand(BATCH, 784), labels = Tensor.randint(0, 10, BATCH);
        Module mlp = new FashionMlp(512, 512, 0), cnn = new FashionCnn(0);
        SGD mlpOpt = new SGD(mlp.parameters(), 0.01), cnnOpt = new SGD(cnn.parameters(), 0.01);
        Tensor a = Tensor.rand(1024, 1024), b = Tensor.rand(1024, 1024);
        System.out.printf("cores %d, kernels %s%n", Runtime.getRuntime().availableProcessors(),
                dev.panagrad.kernels.Kernels.active().name());
        for (int t : threads) {
            Parallel.setThreads(t);
            report("mlp step samples/s", t, rate(() -> step(mlp, mlpOpt, xFlat, labels), 300, 200, BATCH));
            report("cnn step samples/s", t, rate(() -> step(cnn, cnnOpt, xImg, labels), 20, 12, BATCH));
            report("matmul 1024 GFLOP/s", t, rate(() -> {
                try (Scope s = Scope.open()) {
                    a.matmul(b);
                }
            }, 30, 20, 2.0 * 1024 * 1024 * 1024 / 1e9));
        }
    }

    static void step(Module model, SGD opt, Tensor x, Tensor y) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            Losses.crossEntropy(model.forward(x), y).backward();
            opt.step();
        }
    }

    /** Units of work per second in each of {@link #ROUNDS} rounds of {@code reps} calls, after {@code warm} calls. */
    static double[] rate(Runnable body, int warm, int reps, double unitsPerCall) {
        for (int i = 0; i < warm; i++) body.run();
        double[] r = new double[ROUNDS];
        for (int k = 0; k < ROUNDS; k++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) body.run();
            r[k] = reps * unitsPerCall / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(r);
        return r;
    }

    static void report(String what, int threads, double[] sorted) {
        System.out.printf(Locale.ROOT, "%-20s threads %2d  median %10.1f  min %10.1f  max %10.1f%n", what, threads,
                sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }
}
