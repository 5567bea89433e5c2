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

/**
 * The sliding-window kernels (im2col, col2im, max pooling) of every implementation against
 * {@link ScalarKernels}, bit for bit, over window geometries that cover strides, padding, dilation and
 * widths around the vector lane count, on inputs full of ties, NaN and infinities. Outputs sit between
 * guard elements that must come back untouched.
 */
class WindowKernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int GUARD = 40;
    private static final float GUARD_VALUE = 12345.5f;

    static Stream<Arguments> geometries() {
        List<Arguments> args = new ArrayList<>();
        int fl = Lanes.FL;
        int[] widths = {1, 5, fl - 1, fl, fl + 3, 2 * fl + 1};
        for (Kernels k : KernelConformanceTest.implementations()) {
            for (int width : widths) {
                for (int[] g : new int[][] {
                        // kernel, stride, padding, dilation: the same in both directions
                        {1, 1, 0, 1}, {2, 2, 0, 1}, {3, 1, 1, 1}, {3, 2, 1, 1}, {3, 1, 0, 2}, {2, 1, 1, 1}, {3, 3, 1, 1},
                        // kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW
                        {3, 1, 1, 1, 1, 0, 1, 1}, {1, 3, 1, 1, 0, 1, 1, 1}, {3, 5, 1, 1, 2, 1, 1, 1},
                        {3, 3, 2, 1, 0, 1, 1, 2}, {5, 3, 1, 1, 3, 1, 1, 1}, {2, 3, 1, 2, 1, 2, 2, 1}}) {
                    int[] d = g.length == 8 ? g : new int[] {g[0], g[0], g[1], g[1], g[2], g[2], g[3], g[3]};
                    for (int height : new int[] {6, 7}) {
                        if (width + 2 * d[5] < d[7] * (d[1] - 1) + 1 || height + 2 * d[4] < d[6] * (d[0] - 1) + 1) continue;
                        Window2d w = new Window2d(height, width, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
                        args.add(Arguments.of(Named.of(k.name(), k), Named.of(str(w), w)));
                    }
                }
            }
        }
        return args.stream();
    }

    private static String str(Window2d w) {
        return w.height() + "x" + w.width() + " k" + w.kernelH() + "x" + w.kernelW() + " s" + w.strideH() + "x" + w.strideW()
                + " p" + w.padH() + "x" + w.padW() + " d" + w.dilationH() + "x" + w.dilationW();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("geometries")
    void im2colAndCol2imMatchTheReference(Kernels k, Window2d w) {
        long batch = 2, channels = 3, l = w.outH() * w.outW(), rows = channels * w.kernelH() * w.kernelW();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, batch * channels * w.height() * w.width(), 1);
            MemorySegment want = guarded(arena, rows * batch * l), got = guarded(arena, rows * batch * l);
            REF.im2col(DType.FLOAT32, w, channels, x, GUARD, batch, want, GUARD, batch * l);
            k.im2col(DType.FLOAT32, w, channels, x, GUARD, batch, got, GUARD, batch * l);
            assertSame(k.name() + " im2col " + str(w), want, got);

            MemorySegment cols = floats(arena, rows * batch * l, 2);
            MemorySegment wantImg = floats(arena, batch * channels * w.height() * w.width(), 3);
            MemorySegment gotImg = arena.allocate(wantImg.byteSize(), 64).copyFrom(wantImg);
            REF.col2im(DType.FLOAT32, w, channels, cols, GUARD, batch * l, 1, batch, wantImg, GUARD);
            k.col2im(DType.FLOAT32, w, channels, cols, GUARD, batch * l, 1, batch, gotImg, GUARD);
            assertSame(k.name() + " col2im " + str(w), wantImg, gotImg);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("geometries")
    void maxPoolingMatchesTheReference(Kernels k, Window2d w) {
        if (2 * w.padH() > w.kernelH()) return;   // pooling refuses windows that can lie in the padding alone
        long planes = 3, out = planes * w.outH() * w.outW();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, planes * w.height() * w.width(), 4);
            MemorySegment want = guarded(arena, out), got = guarded(arena, out);
            MemorySegment wantIdx = arena.allocate(out * Long.BYTES, 64), gotIdx = arena.allocate(out * Long.BYTES, 64);
            REF.maxPool2d(DType.FLOAT32, w, x, GUARD, planes, want, GUARD, wantIdx, 0);
            k.maxPool2d(DType.FLOAT32, w, x, GUARD, planes, got, GUARD, gotIdx, 0);
            assertSame(k.name() + " maxPool2d " + str(w), want, got);
            for (long i = 0; i < out; i++) {
                assertEquals(wantIdx.getAtIndex(ValueLayout.JAVA_LONG, i), gotIdx.getAtIndex(ValueLayout.JAVA_LONG, i),
                        k.name() + " maxPool2d index " + i + " " + str(w));
            }
        }
    }

    /**
     * n floats after GUARD guard floats: small integers (many ties), with a NaN, infinities and a negative zero
     * sprinkled in.
     */
    private static MemorySegment floats(Arena arena, long n, long seed) {
        MemorySegment s = guarded(arena, n);
        Random r = new Random(seed);
        float[] specials = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0.0f};
        for (long i = 0; i < n; i++) {
            float v = r.nextInt(40) == 0 ? specials[r.nextInt(specials.length)] : r.nextInt(7) - 3 + r.nextInt(3) * 0.25f;
            s.setAtIndex(ValueLayout.JAVA_FLOAT, GUARD + i, v);
        }
        return s;
    }

    /** n floats of GUARD_VALUE between GUARD guards on each side. */
    private static MemorySegment guarded(Arena arena, long n) {
        MemorySegment s = arena.allocate((n + 2 * GUARD) * Float.BYTES, 64);
        for (long i = 0; i < n + 2 * GUARD; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, GUARD_VALUE);
        return s;
    }

    private static void assertSame(String what, MemorySegment want, MemorySegment got) {
        for (long i = 0; i < want.byteSize() / Float.BYTES; i++) {
            int a = Float.floatToIntBits(want.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            int b = Float.floatToIntBits(got.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            assertEquals(a, b, what + ": element " + (i - GUARD) + " (negative or past the end: a guard)");
        }
    }
}
