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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Memory bandwidth with Vector API loops over 64-byte aligned off-heap float32 arrays of {@code n}
 * elements, STREAM style: {@code copy} c = a (8 bytes per element), {@code add} c = a + b (12),
 * {@code triad} c = a + s b (12), {@code read} sum(a) (4). Bytes count what the kernel must read
 * and write (no write-allocate traffic, as STREAM counts).
 *
 * <p>The same {@code n} list as the elementwise benchmarks: small n measures the cache level the
 * arrays fit in, the largest sizes (3 x 256 MiB) DRAM. Each call repeats the kernel
 * {@link #reps(long)} times so even 1K-element calls last about a millisecond; with two threads
 * each thread streams its own half of the arrays.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StreamBandwidth extends ProbedBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Param({"1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
    public long n;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment a, b, c;
    private Workers workers;
    private final DoubleAdder sink = new DoubleAdder();

    /** Kernel passes per benchmark call: enough to stream at least 16M elements per call. */
    public static long reps(long n) {
        return Math.max(1, (1L << 24) / n);
    }

    /** Bytes one pass moves, per element: what the report divides by. */
    public static int bytesPerElement(String kernel) {
        return switch (kernel) {
            case "copy" -> 8;
            case "add", "triad" -> 12;
            case "read" -> 4;
            default -> throw new IllegalArgumentException("unknown stream kernel " + kernel);
        };
    }

    @Setup(Level.Trial)
    public void allocate() {
        arena = Arena.ofShared();
        a = arena.allocate(n * 4, 64);
        b = arena.allocate(n * 4, 64);
        c = arena.allocate(n * 4, 64);
        for (long i = 0; i < n; i++) {
            a.setAtIndex(JAVA_FLOAT, i, 1f + (i & 7));
            b.setAtIndex(JAVA_FLOAT, i, 0.5f);
        }
        workers = new Workers(threads);
        warm();
    }

    @TearDown(Level.Trial)
    public void release() {
        workers.close();
        arena.close();
    }

    /** [from, to) of share s, in elements, split on vector boundaries. */
    private long from(int s) {
        long per = (n / threads) / S.length() * S.length();
        return per * s;
    }

    private long to(int s) {
        return s == threads - 1 ? n : from(s + 1);
    }

    @Benchmark
    public double copy() {
        long reps = reps(n);
        workers.run(s -> copy(a, c, from(s), to(s), reps));
        return c.getAtIndex(JAVA_FLOAT, n - 1);
    }

    @Benchmark
    public double add() {
        long reps = reps(n);
        workers.run(s -> add(a, b, c, from(s), to(s), reps));
        return c.getAtIndex(JAVA_FLOAT, n - 1);
    }

    @Benchmark
    public double triad() {
        long reps = reps(n);
        workers.run(s -> triad(a, b, c, from(s), to(s), reps));
        return c.getAtIndex(JAVA_FLOAT, n - 1);
    }

    @Benchmark
    public double read() {
        long reps = reps(n);
        workers.run(s -> sink.add(read(a, from(s), to(s), reps)));
        return sink.sum();
    }

    /** Compiles the four kernels on a 4K-element slice (about a microsecond each once compiled). */
    private void warm() {
        long m = Math.min(n, 4096);
        Warm.untilFast(() -> copy(a, c, 0, m, 1), 20_000, 50, 10_000);
        Warm.untilFast(() -> add(a, b, c, 0, m, 1), 20_000, 50, 10_000);
        Warm.untilFast(() -> triad(a, b, c, 0, m, 1), 20_000, 50, 10_000);
        Warm.untilFast(() -> sink.add(read(a, 0, m, 1)), 20_000, 50, 10_000);
    }

    static void copy(MemorySegment a, MemorySegment c, long lo, long hi, long reps) {
        long bound = lo + S.loopBound(hi - lo);
        for (long r = 0; r < reps; r++) {
            long i = lo;
            for (; i < bound; i += S.length()) {
                FloatVector.fromMemorySegment(S, a, i * 4, NATIVE).intoMemorySegment(c, i * 4, NATIVE);
            }
            for (; i < hi; i++) {
                c.setAtIndex(JAVA_FLOAT, i, a.getAtIndex(JAVA_FLOAT, i));
            }
        }
    }

    static void add(MemorySegment a, MemorySegment b, MemorySegment c, long lo, long hi, long reps) {
        long bound = lo + S.loopBound(hi - lo);
        for (long r = 0; r < reps; r++) {
            long i = lo;
            for (; i < bound; i += S.length()) {
                FloatVector.fromMemorySegment(S, a, i * 4, NATIVE)
                        .add(FloatVector.fromMemorySegment(S, b, i * 4, NATIVE))
                        .intoMemorySegment(c, i * 4, NATIVE);
            }
            for (; i < hi; i++) {
                c.setAtIndex(JAVA_FLOAT, i, a.getAtIndex(JAVA_FLOAT, i) + b.getAtIndex(JAVA_FLOAT, i));
            }
        }
    }

    static void triad(MemorySegment a, MemorySegment b, MemorySegment c, long lo, long hi, long reps) {
        FloatVector q = FloatVector.broadcast(S, 3f);
        long bound = lo + S.loopBound(hi - lo);
        for (long r = 0; r < reps; r++) {
            long i = lo;
            for (; i < bound; i += S.length()) {
                FloatVector.fromMemorySegment(S, b, i * 4, NATIVE)
                        .fma(q, FloatVector.fromMemorySegment(S, a, i * 4, NATIVE))
                        .intoMemorySegment(c, i * 4, NATIVE);
            }
            for (; i < hi; i++) {
                c.setAtIndex(JAVA_FLOAT, i, a.getAtIndex(JAVA_FLOAT, i) + 3f * b.getAtIndex(JAVA_FLOAT, i));
            }
        }
    }

    /** Sum with 4 vector accumulators, so the adds' latency does not limit the loads. */
    static float read(MemorySegment a, long lo, long hi, long reps) {
        int step = 4 * S.length();
        long bound = lo + (hi - lo) / step * step;
        float total = 0;
        for (long r = 0; r < reps; r++) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            long i = lo;
            for (; i < bound; i += step) {
                s0 = s0.add(FloatVector.fromMemorySegment(S, a, i * 4, NATIVE));
                s1 = s1.add(FloatVector.fromMemorySegment(S, a, (i + S.length()) * 4, NATIVE));
                s2 = s2.add(FloatVector.fromMemorySegment(S, a, (i + 2L * S.length()) * 4, NATIVE));
                s3 = s3.add(FloatVector.fromMemorySegment(S, a, (i + 3L * S.length()) * 4, NATIVE));
            }
            float t = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
            for (; i < hi; i++) {
                t += a.getAtIndex(JAVA_FLOAT, i);
            }
            total += t;
        }
        return total;
    }
}
