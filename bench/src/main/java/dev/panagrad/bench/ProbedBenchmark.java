package dev.panagrad.bench;

import dev.panagrad.bench.machine.LoadProbe;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of every benchmark class in this project: the JMH defaults of the full suite (average time
 * per call; scripts/bench --quick overrides iterations and forks on the command line) and a
 * {@link LoadProbe} around every iteration, so the report can flag runs disturbed by other load.
 *
 * <p>Forks get the flags the library needs ({@code --add-modules jdk.incubator.vector},
 * native access) and the offline DJL settings; scripts/bench passes the same flags to the host JVM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {
        "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",    // JMH and DJL still use sun.misc.Unsafe
        "-XX:TypeProfileLevel=222",                 // see README "The JVM flags": vector stores stay fast
        "-Dai.djl.offline=true", "-DPYTORCH_VERSION=2.7.1", "-DPYTORCH_FLAVOR=cpu",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error"})
public abstract class ProbedBenchmark {
    private final LoadProbe probe = new LoadProbe();

    @Setup(Level.Iteration)
    public void loadProbeStart() {
        probe.start();
    }

    @TearDown(Level.Iteration)
    public void loadProbeStop(BenchmarkParams benchmark, IterationParams iteration) {
        if (!LoadProbe.enabled()) {
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : benchmark.getParamsKeys()) {
            params.put(k, benchmark.getParam(k));
        }
        probe.stop(benchmark.getBenchmark(), params, iteration.getType().name());
    }
}
