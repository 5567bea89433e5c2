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
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused batch-norm, ReLU and 2x2 max-pooling kernels of every implementation, on float32 planes with even
 * and odd sides, output rows up to half a vector, shorter than, as long as and longer than a vector, small and
 * large planes: against what the same implementation's {@link Kernels#channelAffine} and {@link
 * Kernels#maxPool2d} give one after the other (bit for bit), against {@link ScalarKernels} (to float rounding),
 * and with the planes outside the asked range, and the elements around every block, left untouched. The
 * evaluation form (no center) against its product, sum, ReLU and maximum worked out here in float arithmetic,
 * NaN, infinities and -0 among the inputs.
 */
class BatchNormPoolKernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int CHANNELS = 3, PLANES = 6, P0 = 1, P1 = 5;
    private static final float GUARD_VALUE = -777.25f;
    private static final double[] CENTER = {0.1, -0.3, 0.2}, SCALE = {2, -0.5, 1.25}, SHIFT = {0.5, 0.25, -0.75},
            A = {0.5, -1.5, 0.125}, D = {0.25, -0.5, 2}, K = {1.5, -2, 3};

    static Stream<Arguments> planes() {
        List<Arguments> args = new ArrayList<>();
        int fl = Lanes.FL;
        // rows of windows up to half a vector wide go two to a vector: odd and even counts of them, both sides
        // of that limit (fl / 2 windows and one more)
        int[][] sides = {{2, 2}, {3, 3}, {4, 6}, {5, 7}, {7, 5}, {8, 10}, {11, 13}, {28, 28}, {14, 14}, {fl, fl},
                {2, fl + 1}, {fl + 1, fl + 1}, {9, fl + 2}, {3, 2 * fl + 3}, {2, 2 * fl}, {6, 4 * fl + 6}, {45, 47},
                {64, 66}};
        for (Kernels k : KernelConformanceTest.implementations()) {
            for (int[] s : sides) args.add(Arguments.of(Named.of(k.name(), k), s[0], s[1]));
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("planes")
    void forwardIsTheAffineReluThenThePooling(Kernels k, int h, int w) {
        int oh = h / 2, ow = w / 2, plane = h * w, size = oh * ow;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, PLANES * plane, 1);
            MemorySegment y = guarded(arena, PLANES * size), xm = guarded(arena, PLANES * size);
            MemorySegment tap = arena.allocate((long) PLANES * size * Integer.BYTES);
            tap.fill((byte) 99);
            k.batchNormReluMaxPool2x2(DType.FLOAT32, CHANNELS, h, w, x, 0, P0, P1, CENTER, SCALE, SHIFT, y, xm, tap);
            // the separate kernels of the same implementation
            ChannelBlock block = new ChannelBlock(PLANES / CHANNELS, CHANNELS, plane);
            MemorySegment relu = guarded(arena, PLANES * plane), want = guarded(arena, PLANES * size);
            MemorySegment idx = arena.allocate((long) PLANES * size * Long.BYTES);
            k.channelAffine(DType.FLOAT32, block, x, 0, null, 0, 0, CHANNELS, CENTER, SCALE, SHIFT, null, null, true,
                    relu, 0);
            k.maxPool2d(DType.FLOAT32, new Window2d(h, w, 2, 2, 2, 2, 0, 0, 1, 1), relu, 0, PLANES, want, 0, idx, 0);
            MemorySegment refY = guarded(arena, PLANES * size), refXm = guarded(arena, PLANES * size);
            MemorySegment refTap = arena.allocate((long) PLANES * size * Integer.BYTES);
            REF.batchNormReluMaxPool2x2(DType.FLOAT32, CHANNELS, h, w, x, 0, P0, P1, CENTER, SCALE, SHIFT, refY, refXm,
                    refTap);
            for (int p = 0; p < PLANES; p++) {
                for (int o = 0; o < size; o++) {
                    int e = p * size + o;
                    float got = y.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    if (p < P0 || p >= P1) {
                        assertEquals(GUARD_VALUE, got, "plane " + p + " was not asked for");
                        continue;
                    }
                    long at = idx.getAtIndex(ValueLayout.JAVA_LONG, e);
                    int r = o / ow, j = o % ow, t = tap.getAtIndex(ValueLayout.JAVA_INT, e);
                    String where = "plane " + p + " output " + o;
                    assertEquals(Float.floatToRawIntBits(want.getAtIndex(ValueLayout.JAVA_FLOAT, e)),
                            Float.floatToRawIntBits(got), "maximum at " + where);
                    assertEquals(at, (2L * r + t / 2) * w + 2 * j + t % 2, "tap at " + where);
                    assertEquals(Float.floatToRawIntBits(x.getAtIndex(ValueLayout.JAVA_FLOAT, (long) p * plane + at)),
                            Float.floatToRawIntBits(xm.getAtIndex(ValueLayout.JAVA_FLOAT, e)), "x at the maximum at " + where);
                    float ref = refY.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                    assertTrue(Math.abs(ref - got) <= 1e-5 * Math.max(1, Math.abs(ref)), where + ": " + ref + " vs " + got);
                    assertEquals(refTap.getAtIndex(ValueLayout.JAVA_INT, e), t, "reference tap at " + where);
                }
            }
            assertGuards(y, PLANES * size, "y");
            assertGuards(xm, PLANES * size, "xm");
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("planes")
    void backwardIsTheAffineMapOfTheScatteredGradient(Kernels k, int h, int w) {
        int oh = h / 2, ow = w / 2, plane = h * w, size = oh * ow;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, PLANES * plane, 2), g = floats(arena, PLANES * size, 3);
            MemorySegment y = guarded(arena, PLANES * size), xm = guarded(arena, PLANES * size);
            MemorySegment tap = arena.allocate((long) PLANES * size * Integer.BYTES);
            k.batchNormReluMaxPool2x2(DType.FLOAT32, CHANNELS, h, w, x, 0, 0, PLANES, CENTER, SCALE, SHIFT, y, xm, tap);
            ReluGate gate = new ReluGate(SCALE, SHIFT);
            MemorySegment gx = guarded(arena, PLANES * plane), refGx = guarded(arena, PLANES * plane);
            k.batchNormReluMaxPool2x2Backward(DType.FLOAT32, CHANNELS, h, w, x, 0, g, 0, xm, tap, P0, P1, CENTER, A, D,
                    K, gate, gx);
            REF.batchNormReluMaxPool2x2Backward(DType.FLOAT32, CHANNELS, h, w, x, 0, g, 0, xm, tap, P0, P1, CENTER, A,
                    D, K, gate, refGx);
            // g put at each window's tap, zeros elsewhere, through the same implementation's gated affine map
            MemorySegment full = arena.allocate((long) PLANES * plane * Float.BYTES);
            for (int e = 0; e < PLANES * size; e++) {
                int p = e / size, o = e % size, t = tap.getAtIndex(ValueLayout.JAVA_INT, e);
                long at = (long) p * plane + (2L * (o / ow) + t / 2) * w + 2 * (o % ow) + t % 2;
                full.setAtIndex(ValueLayout.JAVA_FLOAT, at, g.getAtIndex(ValueLayout.JAVA_FLOAT, e));
            }
            MemorySegment want = guarded(arena, PLANES * plane);
            k.channelAffine(DType.FLOAT32, new ChannelBlock(PLANES / CHANNELS, CHANNELS, plane), x, 0, full, 0, 0,
                    CHANNELS, CENTER, A, D, K, gate, false, want, 0);
            for (int e = 0; e < PLANES * plane; e++) {
                int p = e / plane;
                float got = gx.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                if (p < P0 || p >= P1) {
                    assertEquals(GUARD_VALUE, got, "plane " + p + " was not asked for");
                    continue;
                }
                assertEquals(Float.floatToRawIntBits(want.getAtIndex(ValueLayout.JAVA_FLOAT, e)),
                        Float.floatToRawIntBits(got), "gradient at plane " + p + " element " + e % plane);
                float ref = refGx.getAtIndex(ValueLayout.JAVA_FLOAT, e);
                assertTrue(Math.abs(ref - got) <= 1e-5 * Math.max(1, Math.abs(ref)), "element " + e + ": " + ref + " vs " + got);
            }
            assertGuards(gx, PLANES * plane, "gx");
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("planes")
    void evaluationIsTheRoundedAffineReluThenThePooling(Kernels k, int h, int w) {
        int oh = h / 2, ow = w / 2, plane = h * w, size = oh * ow;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, PLANES * plane, 4);
            float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 1e30f};
            for (int i = 3; i < PLANES * plane; i += 11) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, special[i % 5]);
            MemorySegment y = guarded(arena, PLANES * size);
            k.batchNormReluMaxPool2x2(DType.FLOAT32, CHANNELS, h, w, x, 0, P0, P1, null, SCALE, SHIFT, y, null, null);
            for (int p = 0; p < PLANES; p++) {
                float s = (float) SCALE[p % CHANNELS], t = (float) SHIFT[p % CHANNELS];
                for (int o = 0; o < size; o++) {
                    float got = y.getAtIndex(ValueLayout.JAVA_FLOAT, (long) p * size + o);
                    if (p < P0 || p >= P1) {
                        assertEquals(GUARD_VALUE, got, "plane " + p + " was not asked for");
                        continue;
                    }
                    // x * s and + t rounded one after the other (Java float arithmetic), ReLU, max with NaN winning
                    float best = 0;
                    for (int tap = 0; tap < 4; tap++) {
                        int at = p * plane + (2 * (o / ow) + tap / 2) * w + 2 * (o % ow) + tap % 2;
                        float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, at) * s + t;
                        if (v <= 0) v = 0;
                        if (tap == 0 || v > best || Float.isNaN(v)) best = v;
                    }
                    assertEquals(Float.floatToIntBits(best), Float.floatToIntBits(got), "plane " + p + " output " + o);
                }
            }
            assertGuards(y, PLANES * size, "y");
        }
    }

    /** n gaussian floats, the ReLU cutting about half of each channel's values. */
    private static MemorySegment floats(Arena arena, int n, long seed) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES, 64);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        return s;
    }

    /** n elements of GUARD_VALUE, and as many after them. */
    private static MemorySegment guarded(Arena arena, int n) {
        MemorySegment s = arena.allocate(2L * n * Float.BYTES, 64);
        for (int i = 0; i < 2 * n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, GUARD_VALUE);
        return s;
    }

    private static void assertGuards(MemorySegment s, int n, String what) {
        for (int i = n; i < 2 * n; i++) {
            assertEquals(GUARD_VALUE, s.getAtIndex(ValueLayout.JAVA_FLOAT, i), what + ": element " + i + " past the block");
        }
    }
}
