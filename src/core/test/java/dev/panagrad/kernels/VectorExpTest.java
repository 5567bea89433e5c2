package dev.panagrad.kernels;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link VectorExp} through the float32 and float64 EXP kernels against {@link Math#exp}, across the whole
 * range: evenly spaced bit patterns, every float near the overflow and underflow thresholds, the denormal
 * results between, and the special values. Normal results must be within one ulp of Math.exp (the kernel is
 * within 0.9 ulp of the exact value, and (float) Math.exp within half an ulp, Math.exp within about half an
 * ulp for double, so they differ by at most one); denormal results within one of the smallest denormals;
 * specials, overflow to infinity and underflow to zero exactly as Math.exp.
 */
class VectorExpTest {
    @Test
    void floatsAcrossTheRange() {
        // every 1009th bit pattern (4.3M of 2^32), and every float with 85.9 <= |x| <= 104.1: both sides of
        // the fast path's limit, the overflow and underflow thresholds, and all the denormal results
        IntStream patterns = LongStream.range(0, (1L << 32) / 1009).mapToInt(i -> (int) (i * 1009));
        IntStream edges = IntStream.concat(floatsBetween(85.9f, 104.1f), floatsBetween(-104.1f, -85.9f));
        int[] bits = IntStream.concat(patterns, edges).toArray();
        float[] x = new float[bits.length];
        for (int i = 0; i < bits.length; i++) x[i] = Float.intBitsToFloat(bits[i]);
        float[] y = expFloats(x);
        double worstNormal = 0, worstDenormal = 0;
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            if (Float.isNaN(want) || Float.isInfinite(want) || want == 0) {
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]), "exp(" + x[i] + ")");
            } else if (want < Float.MIN_NORMAL) {
                worstDenormal = Math.max(worstDenormal, Math.abs(y[i] - want) / Float.MIN_VALUE);
            } else {
                worstNormal = Math.max(worstNormal, Math.abs(y[i] - want) / Math.ulp(want));
            }
        }
        assertTrue(worstNormal <= 1, "float exp: normal results " + worstNormal + " ulps from Math.exp; expected <= 1");
        assertTrue(worstDenormal <= 1, "float exp: denormal results " + worstDenormal + " denormal ulps from Math.exp; expected <= 1");
    }

    @Test
    void floatSpecialValues() {
        float[] x = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
                Float.MAX_VALUE, -Float.MAX_VALUE, 0x1.62e42ep6f, 0x1.62e430p6f, -0x1.9fe368p6f, -0x1.9fe36ap6f, 1f, -1f};
        float[] y = expFloats(x);
        for (int i = 0; i < x.length; i++) {
            float want = (float) Math.exp(x[i]);
            if (Float.isNaN(want) || Float.isInfinite(want) || want == 0 || want == 1) {
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]), "exp(" + x[i] + ")");
            } else {
                assertTrue(Math.abs(y[i] - want) <= Math.ulp(want), "exp(" + x[i] + "): expected " + want + " got " + y[i]);
            }
        }
    }

    @Test
    void doublesAcrossTheRange() {
        // 2^20 bit patterns 2^44 apart (low bits scrambled), 10^6 uniform inputs around the range where e^x
        // is finite and nonzero, 10^5 near zero, and the neighbours of the thresholds and the fast path's limit
        Random random = new Random(7);
        DoubleStream patterns = LongStream.range(0, 1 << 20)
                .mapToDouble(i -> Double.longBitsToDouble(i << 44 | (i * 0x9E3779B97F4A7C15L) >>> 20));
        DoubleStream uniform = random.doubles(1_000_000, -746, 710);
        DoubleStream small = random.doubles(100_000, -1, 1).map(v -> v * v * v * 1e-3);
        DoubleStream edges = DoubleStream.of(709.782712893384, -745.1332191019411, Math.log(Double.MIN_NORMAL), 707, -707)
                .flatMap(v -> neighbours(v, 64));
        double[] x = DoubleStream.concat(DoubleStream.concat(patterns, uniform), DoubleStream.concat(small, edges)).toArray();
        double[] y = expDoubles(x);
        double worstNormal = 0, worstDenormal = 0;
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            if (Double.isNaN(want) || Double.isInfinite(want) || want == 0) {
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(y[i]), "exp(" + x[i] + ")");
            } else if (want < Double.MIN_NORMAL) {
                worstDenormal = Math.max(worstDenormal, Math.abs(y[i] - want) / Double.MIN_VALUE);
            } else {
                worstNormal = Math.max(worstNormal, Math.abs(y[i] - want) / Math.ulp(want));
            }
        }
        assertTrue(worstNormal <= 1, "double exp: normal results " + worstNormal + " ulps from Math.exp; expected <= 1");
        assertTrue(worstDenormal <= 1, "double exp: denormal results " + worstDenormal + " denormal ulps from Math.exp; expected <= 1");
    }

    @Test
    void doubleSpecialValues() {
        double[] x = {0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1, -1};
        double[] y = expDoubles(x);
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            if (Double.isNaN(want) || Double.isInfinite(want) || want == 0 || want == 1) {
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(y[i]), "exp(" + x[i] + ")");
            } else {
                assertTrue(Math.abs(y[i] - want) <= Math.ulp(want), "exp(" + x[i] + "): expected " + want + " got " + y[i]);
            }
        }
    }

    /** The bit patterns of the floats from lo to hi (both of one sign). */
    private static IntStream floatsBetween(float lo, float hi) {
        int a = Float.floatToIntBits(lo), b = Float.floatToIntBits(hi);
        return IntStream.rangeClosed(Math.min(a, b), Math.max(a, b));
    }

    /** v and the {@code count} doubles on either side of it. */
    private static DoubleStream neighbours(double v, int count) {
        long bits = Double.doubleToLongBits(v);
        return LongStream.rangeClosed(-count, count).mapToDouble(i -> Double.longBitsToDouble(bits + i));
    }

    private static float[] expFloats(float[] x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), out = arena.allocate(in.byteSize(), 64);
            if (!VectorUnary.floats(UnaryOp.EXP, in, 0, out, 0, x.length)) fail("no vector EXP for float32");
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static double[] expDoubles(double[] x) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, x), out = arena.allocate(in.byteSize(), 64);
            if (!VectorUnary.doubles(UnaryOp.EXP, in, 0, out, 0, x.length)) fail("no vector EXP for float64");
            return out.toArray(ValueLayout.JAVA_DOUBLE);
        }
    }
}
