package dev.panagrad;

import java.util.Arrays;

/**
 * Shape arithmetic shared by all ops: element counts, contiguous strides, broadcasting, dim wrapping and
 * the bracketed form used in error messages.
 *
 * <pre>{@code
 * Shape.broadcast(new long[] {2, 1, 3}, new long[] {4, 3});   // [2, 4, 3]
 * }</pre>
 */
public final class Shape {
    private Shape() {}

    /** Product of the sizes; 1 for a 0-dim shape. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** Row-major strides in elements. */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** The NumPy broadcast of two shapes; throws naming {@code op} when they are incompatible. */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long x = i < n - a.length ? 1 : a[i - (n - a.length)];
            long y = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(op + ": shapes cannot be broadcast: " + str(a) + " and " + str(b)
                        + "; expected equal sizes or 1 in every dimension (counting from the last), but dimension "
                        + i + " has " + x + " and " + y);
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /** Wraps a possibly negative dim into [0, rank); throws naming {@code op} when out of range. */
    public static int wrapDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dimension out of range: got " + dim + " for a tensor of rank "
                    + rank + "; expected a dim in [" + (-r) + ", " + (r - 1) + "]");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Checks that every size is non-negative. */
    public static long[] checkSizes(String op, long[] shape) {
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": negative size in shape " + str(shape)
                        + "; expected sizes >= 0");
            }
        }
        return shape;
    }

    /**
     * The bytes a contiguous tensor of {@code shape} needs at {@code elementBytes} per element; throws naming
     * {@code op} for negative sizes or a count that overflows a long.
     */
    public static long byteSize(String op, long[] shape, int elementBytes) {
        checkSizes(op, shape);
        try {
            long bytes = elementBytes;
            for (long s : shape) bytes = Math.multiplyExact(bytes, s);
            return bytes;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": shape " + str(shape) + " is too large; expected at most "
                    + Long.MAX_VALUE + " bytes at " + elementBytes + " bytes per element");
        }
    }

    /** The shape as {@code [2, 3]}. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }
}
