package dev.panagrad.bench.machine;

import dev.panagrad.bench.ProbedBenchmark;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Peak float32 arithmetic: {@value #ACCUMULATORS} independent FMA chains on
 * {@code FloatVector.SPECIES_PREFERRED} (16 lanes with AVX-512), {@code acc = acc * m + c}, per
 * thread. An FMA has a latency of 4 cycles and Zen 4/5 issue two per cycle, so 8 chains in flight
 * are needed to keep both pipes busy; 16 leave margin (18 of the 32 vector registers). The chains
 * converge to c / (1 - m), so no value overflows or goes subnormal.
 *
 * <p>Work per call: {@link #flopsPerCall(int)} = ITERATIONS x 16 chains x lanes x 2 x threads.
 * Measured on this machine (Zen 5, family 26) in a quiet moment, outside JMH: 200-214 GFLOP/s on
 * one core, i.e. 64 FLOP per cycle at ~3.3 GHz: Zen 5 executes 512-bit FMAs at full width. (In JMH
 * runs that got half a core because of other load: 102 GFLOP/s.)
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PeakFlops extends ProbedBenchmark {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    public static final int ACCUMULATORS = 16;
    public static final int ITERATIONS = 1 << 21;

    @Param({"1", "2"})
    public int threads;

    private Workers workers;
    private final DoubleAdder sink = new DoubleAdder();

    public static long flopsPerCall(int threads) {
        return (long) ITERATIONS * ACCUMULATORS * SPECIES.length() * 2L * threads;
    }

    @Setup(Level.Trial)
    public void start() {
        workers = new Workers(threads);
        // 4096 iterations = 65,536 vector FMAs: ~10 us compiled, milliseconds boxed
        Warm.untilFast(() -> sink.add(chains(4096, 1)), 100_000, 50, 10_000);
    }

    @TearDown(Level.Trial)
    public void stop() {
        workers.close();
    }

    @Benchmark
    public double fma() {
        workers.run(share -> sink.add(chains(ITERATIONS, 1 + share)));
        return sink.sum();
    }

    static float chains(int iterations, int seed) {
        FloatVector m = FloatVector.broadcast(SPECIES, 0.999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-6f * seed);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.01f), a1 = FloatVector.broadcast(SPECIES, 0.02f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.03f), a3 = FloatVector.broadcast(SPECIES, 0.04f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.05f), a5 = FloatVector.broadcast(SPECIES, 0.06f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.07f), a7 = FloatVector.broadcast(SPECIES, 0.08f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 0.09f), a9 = FloatVector.broadcast(SPECIES, 0.10f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 0.11f), a11 = FloatVector.broadcast(SPECIES, 0.12f);
        FloatVector a12 = FloatVector.broadcast(SPECIES, 0.13f), a13 = FloatVector.broadcast(SPECIES, 0.14f);
        FloatVector a14 = FloatVector.broadcast(SPECIES, 0.15f), a15 = FloatVector.broadcast(SPECIES, 0.16f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
            a12 = a12.fma(m, c);
            a13 = a13.fma(m, c);
            a14 = a14.fma(m, c);
            a15 = a15.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15)
                .reduceLanes(VectorOperators.ADD);
    }
}
