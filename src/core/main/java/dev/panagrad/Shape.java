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

    /** Product of the sizes; 1 for a 0-dim shape. Throws when the product overflows a long. */
    public static long numel(long[] shape) {
        return numel("numel", shape);
    }

    /**
     * Product of the sizes (0 when any size is 0, however large the others); throws naming {@code op} when the
     * product of a non-empty shape overflows a long.
     */
    public static long numel(String op, long[] shape) {
        for (long s : shape) if (s == 0) return 0;
        long n = 1;
        try {
            for (long s : shape) n = Math.multiplyExact(n, s);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than " + Long.MAX_VALUE
                    + " elements; expected a smaller shape");
        }
        return n;
    }

    /**
     * Row-major strides in elements. Only an empty shape can have strides beyond a long (its other sizes may be
     * huge); they saturate at {@code Long.MAX_VALUE}, harmless since such a tensor reads no element.
     */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s = saturatingMultiply(s, Math.max(shape[i], 1));
        }
        return st;
    }

    /** {@code a * b} for non-negative a and b, or {@code Long.MAX_VALUE} when it overflows. */
    public static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high != 0 || low < 0 ? Long.MAX_VALUE : low;
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
        for (long s : shape) if (s == 0) return 0;   // an empty tensor may have huge other sizes
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
