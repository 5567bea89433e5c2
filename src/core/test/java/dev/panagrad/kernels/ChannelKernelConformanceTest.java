package dev.panagrad.kernels;

import dev.panagrad.DType;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-channel batch-normalisation kernels of every implementation against {@link ScalarKernels} (which
 * computes in double) on float32 blocks whose runs are shorter than, equal to and longer than a vector,
 * with values far from 0 so that a mean or variance taken carelessly loses its digits. Only channels
 * [1, channels) are asked for: channel 0's results and the elements around each block must stay untouched.
 */
class ChannelKernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int GUARD = 24, C0 = 1;
    private static final float GUARD_VALUE = -777.25f;

    static Stream<Arguments> blocks() {
        List<Arguments> args = new ArrayList<>();
        int fl = Lanes.FL;
        for (Kernels k : KernelConformanceTest.implementations()) {
            for (long inner : new long[] {1, 5, fl - 1, fl, fl + 3, 2 * fl + 1, 196}) {
                ChannelBlock b = new ChannelBlock(3, 4, inner);
                args.add(Arguments.of(Named.of(k.name(), k), Named.of(b.batch() + "x" + b.channels() + "x" + inner, b)));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blocks")
    void sumsAndMomentsMatchTheReference(Kernels k, ChannelBlock block) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, block, 1, 100);
            int c = (int) block.channels();
            double[] center = {100.25, 99.75, 100.5, 100.0625};   // float32 holds them, as the caller makes sure
            double[] wantSum = nan(c), wantShifted = nan(c), wantSquares = nan(c);
            double[] sum = nan(c), shifted = nan(c), squares = nan(c);
            REF.channelSums(DType.FLOAT32, block, x, GUARD, C0, c, wantSum);
            k.channelSums(DType.FLOAT32, block, x, GUARD, C0, c, sum);
            REF.channelMoments(DType.FLOAT32, block, x, GUARD, C0, c, center, wantShifted, wantSquares);
            k.channelMoments(DType.FLOAT32, block, x, GUARD, C0, c, center, shifted, squares);
            for (int i = C0; i < c; i++) {
                assertClose(wantSum[i], sum[i], 1e-6 * 101 * block.count(), "sum of channel " + i);
                assertClose(wantShifted[i], shifted[i], 1e-6 * block.count(), "sum about the center of channel " + i);
                assertClose(wantSquares[i], squares[i], 1e-5 * wantSquares[i], "squares of channel " + i);
            }
            assertTrue(Double.isNaN(sum[0]) && Double.isNaN(shifted[0]) && Double.isNaN(squares[0]),
                    "channel 0 was not asked for");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blocks")
    void gradientSumsMatchTheReference(Kernels k, ChannelBlock block) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = floats(arena, block, 2, 0), x = floats(arena, block, 3, 100);
            int c = (int) block.channels();
            double[] center = {100.1, 99.7, 100.3, 100.05};
            double[] wantSum = nan(c), wantDot = nan(c), sum = nan(c), dot = nan(c);
            REF.channelGradSums(DType.FLOAT32, block, g, GUARD, x, GUARD, C0, c, center, null, wantSum, wantDot);
            k.channelGradSums(DType.FLOAT32, block, g, GUARD, x, GUARD, C0, c, center, null, sum, dot);
            double scale = Math.sqrt(block.count());
            for (int i = C0; i < c; i++) {
                assertClose(wantSum[i], sum[i], 1e-6 * scale, "sum of channel " + i);
                assertClose(wantDot[i], dot[i], 1e-5 * scale, "dot of channel " + i);
            }
            assertTrue(Double.isNaN(sum[0]) && Double.isNaN(dot[0]), "channel 0 was not asked for");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blocks")
    void affineMatchesTheReferenceAlsoInPlace(Kernels k, ChannelBlock block) {
        double[] center = {100.1, 99.7, 100.3, 100.05}, scale = {2, -0.5, 3.25, 1e-3}, shift = {0.5, -1, 7, 0},
                gScale = {1.5, -2, 0.25, 4};
        try (Arena arena = Arena.ofConfined()) {
            for (boolean withG : new boolean[] {false, true}) {
                MemorySegment x = floats(arena, block, 4, 100), g = withG ? floats(arena, block, 5, 0) : null;
                MemorySegment want = guarded(arena, block), got = guarded(arena, block);
                REF.channelAffine(DType.FLOAT32, block, x, GUARD, g, GUARD, C0, (int) block.channels(), center, scale,
                        shift, gScale, null, false, want, GUARD);
                k.channelAffine(DType.FLOAT32, block, x, GUARD, g, GUARD, C0, (int) block.channels(), center, scale,
                        shift, gScale, null, false, got, GUARD);
                assertClose(block, want, got, "affine" + (withG ? " with g" : ""));
                // written over its own input
                MemorySegment into = withG ? g : x;
                k.channelAffine(DType.FLOAT32, block, x, GUARD, g, GUARD, C0, (int) block.channels(), center, scale,
                        shift, gScale, null, false, into, GUARD);
                for (long b = 0; b < block.batch(); b++) {
                    long at = (GUARD + block.row(b, C0)) * Float.BYTES, bytes = (block.channels() - C0) * block.inner() * 4;
                    assertEquals(-1, got.asSlice(at, bytes).mismatch(into.asSlice(at, bytes)), "affine in place, image " + b);
                }
            }
        }
    }

    /**
     * A fused ReLU gives exactly what the separate ReLU would: the forward output ReLU'd (NaN kept, -0 and
     * negatives to +0), and a gated g the same sums and affine map as g zeroed where that output was not
     * positive, bit for bit, within each implementation.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blocks")
    void fusedReluMatchesTheSeparateOneExactly(Kernels k, ChannelBlock block) {
        double[] center = {100.1, 99.7, 100.3, 100.05}, scale = {2, -0.5, 3.25, 1e-3}, shift = {0.5, -1, 0, 1e-4},
                gScale = {1.5, -2, 0.25, 4};
        int c = (int) block.channels();
        long n = block.batch() * c * block.inner();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, block, 6, 100), g = floats(arena, block, 7, 0);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, GUARD + n - 1, Float.NaN);
            x.setAtIndex(ValueLayout.JAVA_FLOAT, GUARD + n / 2, (float) center[(int) (n / 2 / block.inner() % c)]);
            MemorySegment before = guarded(arena, block), relu = guarded(arena, block);
            k.channelAffine(DType.FLOAT32, block, x, GUARD, null, 0, C0, c, center, scale, shift, null, null, false,
                    before, GUARD);
            k.channelAffine(DType.FLOAT32, block, x, GUARD, null, 0, C0, c, center, scale, shift, null, null, true,
                    relu, GUARD);
            MemorySegment masked = guarded(arena, block);
            for (long i = GUARD; i < GUARD + n; i++) {
                if ((i - GUARD) / block.inner() % c < C0) continue;   // channel 0 is not asked for
                float v = before.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                float want = v <= 0 ? 0f : v;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(relu.getAtIndex(ValueLayout.JAVA_FLOAT, i)),
                        "ReLU'd output at " + (i - GUARD));
                masked.setAtIndex(ValueLayout.JAVA_FLOAT, i, v > 0 ? g.getAtIndex(ValueLayout.JAVA_FLOAT, i) : 0f);
            }
            ReluGate gate = new ReluGate(scale, shift);
            double[] wantSum = nan(c), wantDot = nan(c), sum = nan(c), dot = nan(c);
            k.channelGradSums(DType.FLOAT32, block, masked, GUARD, x, GUARD, C0, c, center, null, wantSum, wantDot);
            k.channelGradSums(DType.FLOAT32, block, g, GUARD, x, GUARD, C0, c, center, gate, sum, dot);
            assertArrayEquals(wantSum, sum, "gated sums");
            assertArrayEquals(wantDot, dot, "gated dots");
            MemorySegment want = guarded(arena, block), got = guarded(arena, block);
            k.channelAffine(DType.FLOAT32, block, x, GUARD, masked, GUARD, C0, c, center, gScale, shift, scale, null,
                    false, want, GUARD);
            k.channelAffine(DType.FLOAT32, block, x, GUARD, g, GUARD, C0, c, center, gScale, shift, scale, gate,
                    false, got, GUARD);
            assertEquals(-1, want.mismatch(got), "gated affine");
        }
    }

    /** Values of mean {@code offset} (spread about 1) after GUARD guards, guards after. */
    private static MemorySegment floats(Arena arena, ChannelBlock block, long seed, double offset) {
        MemorySegment s = guarded(arena, block);
        Random r = new Random(seed);
        for (long i = 0; i < block.batch() * block.channels() * block.inner(); i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, GUARD + i, (float) (offset + r.nextGaussian()));
        }
        return s;
    }

    private static MemorySegment guarded(Arena arena, ChannelBlock block) {
        long n = block.batch() * block.channels() * block.inner() + 2 * GUARD;
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, GUARD_VALUE);
        return s;
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static void assertClose(double want, double got, double tolerance, String what) {
        assertTrue(Math.abs(want - got) <= tolerance, what + ": expected " + want + ", got " + got);
    }

    /** Channels [C0, channels) within float rounding of the reference; channel 0 and the guards untouched. */
    private static void assertClose(ChannelBlock block, MemorySegment want, MemorySegment got, String what) {
        for (long i = 0; i < want.byteSize() / Float.BYTES; i++) {
            float a = want.getAtIndex(ValueLayout.JAVA_FLOAT, i), b = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            long e = i - GUARD;
            boolean asked = e >= 0 && e < block.batch() * block.channels() * block.inner()
                    && (e / block.inner()) % block.channels() >= C0;
            if (asked) assertClose(a, b, 2e-5 * Math.max(1, Math.abs(a)), what + " element " + e);
            else assertEquals(GUARD_VALUE, b, what + ": element " + e + " is outside the asked channels");
        }
    }
}
