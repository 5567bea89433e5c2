package dev.panagrad;

import dev.panagrad.kernels.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test helpers: reference values computed with plain Java loops over row-major arrays, tensors holding given
 * values in chosen memory layouts (built from Java arrays and an explicit geometry, not by the ops under
 * test), and tolerant comparisons.
 */
final class Ref {
    private Ref() {}

    /** Written into storage positions a view must never read. */
    static final double SENTINEL = 1e30;

    /** A memory layout for a tensor of a given logical shape. */
    enum Layout {
        /** Row-major, offset 0. */
        CONTIGUOUS,
        /** Memory order with the last two dims swapped (a transposed matrix); rank >= 2. */
        TRANSPOSED,
        /** Row-major with a stride of 2 along the last dim (a slice with step 2) at offset 1. */
        STEPPED,
        /** Dims stored in reverse order (like permute(n-1, ..., 0)) with gaps of 3, at offset 5. */
        REVERSED_OFFSET
    }

    /** The layouts that make sense for a rank (TRANSPOSED needs two dims). */
    static List<Layout> layouts(int rank) {
        List<Layout> out = new ArrayList<>(List.of(Layout.CONTIGUOUS, Layout.STEPPED, Layout.REVERSED_OFFSET));
        if (rank >= 2) out.add(Layout.TRANSPOSED);
        return out;
    }

    /** Uniform values in [lo, hi) from a seeded java.util.Random. */
    static double[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    /** Values rounded to float32, so that a float32 tensor holds them exactly. */
    static double[] asFloats(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
        return r;
    }

    static int numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return Math.toIntExact(n);
    }

    static long[] rowMajor(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return st;
    }

    /** The multi-index of row-major position i. */
    static long[] unravel(long i, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
        return idx;
    }

    /** The row-major position of a multi-index. */
    static int ravel(long[] idx, long[] shape) {
        long p = 0;
        for (int d = 0; d < shape.length; d++) p = p * shape[d] + idx[d];
        return Math.toIntExact(p);
    }

    /** out[j] = v[ravel(inIndex(unravel(j)))]: the reference for any view or gather-like op. */
    static double[] mapIndex(double[] v, long[] inShape, long[] outShape, Function<long[], long[]> inIndex) {
        double[] out = new double[numel(outShape)];
        for (int j = 0; j < out.length; j++) out[j] = v[ravel(inIndex.apply(unravel(j, outShape)), inShape)];
        return out;
    }

    /** A contiguous tensor of dtype dt with values v. */
    static Tensor tensor(double[] v, DType dt, long... shape) {
        return layout(Layout.CONTIGUOUS, v, dt, shape);
    }

    /** A tensor of dtype dt whose logical row-major values are v, stored in the given layout. */
    static Tensor layout(Layout layout, double[] v, DType dt, long... shape) {
        int r = shape.length;
        int[] order = new int[r];   // memory order, outermost first
        for (int i = 0; i < r; i++) order[i] = i;
        long step = 1, offset = 0;
        switch (layout) {
            case CONTIGUOUS -> { }
            case TRANSPOSED -> {
                order[r - 2] = r - 1;
                order[r - 1] = r - 2;
            }
            case STEPPED -> {
                step = 2;
                offset = 1;
            }
            case REVERSED_OFFSET -> {
                for (int i = 0; i < r; i++) order[i] = r - 1 - i;
                step = 3;
                offset = 5;
            }
        }
        long[] strides = new long[r];
        long s = step;
        for (int k = r - 1; k >= 0; k--) {
            strides[order[k]] = s;
            s *= Math.max(1, shape[order[k]]);
        }
        return strided(v, dt, shape, strides, offset);
    }

    /** A view (shape, strides, offset) over a base filled with SENTINEL except where the view's elements are. */
    static Tensor strided(double[] v, DType dt, long[] shape, long[] strides, long offset) {
        long size = offset + 1;
        for (int i = 0; i < shape.length; i++) size += Math.max(0, shape[i] - 1) * strides[i];
        double[] base = new double[Math.toIntExact(size)];
        Arrays.fill(base, dt == DType.FLOAT32 || dt == DType.FLOAT64 ? SENTINEL : 77);
        for (int j = 0; j < v.length; j++) {
            long[] idx = unravel(j, shape);
            long p = offset;
            for (int d = 0; d < shape.length; d++) p += idx[d] * strides[d];
            base[Math.toIntExact(p)] = v[j];
        }
        Tensor b = switch (dt) {
            case FLOAT64 -> Tensor.of(DType.FLOAT64, base, base.length);
            case FLOAT32 -> {
                float[] f = new float[base.length];
                for (int i = 0; i < f.length; i++) f[i] = (float) base[i];
                yield Tensor.of(f, f.length);
            }
            case INT64 -> {
                long[] l = new long[base.length];
                for (int i = 0; i < l.length; i++) l[i] = (long) base[i];
                yield Tensor.of(l, l.length);
            }
            case BOOL -> {
                boolean[] z = new boolean[base.length];
                for (int i = 0; i < z.length; i++) z[i] = base[i] != 0;
                yield Tensor.of(z, z.length);
            }
            case INT32, UINT8, INT8 -> Tensor.of(base, base.length).to(dt);
        };
        Tensor t = b.stridedView(shape, strides, offset);
        assertArrayEquals(strides, t.strides());
        return t;
    }

    /** Relative tolerance for results in a dtype computed from exact inputs. */
    static double rtol(DType dt) {
        return dt == DType.FLOAT64 ? 1e-12 : 2e-6;
    }

    /** Asserts shape, and values within atol + rtol * |expected| (NaN matches NaN, infinities match exactly). */
    static void assertWithin(double rtol, double atol, double[] expected, Tensor actual, long... shape) {
        assertArrayEquals(shape, actual.shape(), "shape");
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "numel");
        for (int i = 0; i < got.length; i++) {
            double e = expected[i], g = got[i];
            if (Double.isNaN(e) && Double.isNaN(g)) continue;
            if (Double.isInfinite(e) && e == g) continue;
            if (!(Math.abs(e - g) <= atol + rtol * Math.abs(e))) {
                fail("element " + i + " " + Arrays.toString(unravel(i, shape)) + ": expected " + e + " but got " + g
                        + " (rtol " + rtol + ", atol " + atol + ")");
            }
        }
    }

    /** Asserts shape and values with the default tolerance of the tensor's dtype. */
    static void assertClose(double[] expected, Tensor actual, long... shape) {
        assertWithin(rtol(actual.dtype()), rtol(actual.dtype()), expected, actual, shape);
    }

    /** Asserts exact equality of values (integer and mask results). */
    static void assertExact(double[] expected, Tensor actual, long... shape) {
        assertWithin(0, 0, expected, actual, shape);
    }

    /** Runs op with 1 and with 2 threads and returns both results' values. */
    static double[][] withOneAndTwoThreads(Supplier<Tensor> op) {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            double[] one = op.get().toDoubleArray();
            Parallel.setThreads(2);
            double[] two = op.get().toDoubleArray();
            return new double[][] {one, two};
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** Asserts that body throws T and that its message contains each fragment; returns the exception. */
    static <T extends Throwable> T assertThrowsWith(Class<T> type, Runnable body, String... fragments) {
        T e = assertThrows(type, body::run);
        String m = String.valueOf(e.getMessage());
        for (String f : fragments) assertTrue(m.contains(f), "message should contain '" + f + "': " + m);
        return e;
    }

    /** True when the two tensors read and write the same bytes. */
    static boolean sharesStorage(Tensor a, Tensor b) {
        return a.storage() == b.storage();
    }

    static void assertNotContiguous(Tensor t) {
        assertFalse(t.isContiguous(), "layout should be non-contiguous: strides " + Arrays.toString(t.strides()));
    }
}
