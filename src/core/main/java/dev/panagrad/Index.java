package dev.panagrad;

/**
 * One entry of a subscript for {@link Tensor#index(Object...)}: Python's {@code :}, {@code start:end:step},
 * {@code None} and {@code ...}. Plain {@code int}/{@code long} values and int64/bool tensors are passed to
 * {@code index} directly.
 *
 * <pre>{@code
 * import static dev.panagrad.Index.*;
 * x.index(0, slice(1, 3));            // x[0, 1:3]
 * x.index(ELLIPSIS, NEW_AXIS, from(2)); // x[..., None, 2:]
 * x.index(ALL, step(2));               // x[:, ::2]
 * }</pre>
 */
public final class Index {
    /** The kinds of entry. */
    public enum Kind {
        /** {@code start:end:step} */
        SLICE,
        /** {@code None} */
        NEW_AXIS,
        /** {@code ...} */
        ELLIPSIS
    }

    /** Open ends: the dim's start and its end. */
    private static final long OPEN_END = Long.MAX_VALUE;

    private final Kind kind;
    private final long start, end, step;

    private Index(Kind kind, long start, long end, long step) {
        if (kind == Kind.SLICE && step <= 0) {
            throw new IllegalArgumentException("index: step must be greater than zero; given " + step);
        }
        this.kind = kind;
        this.start = start;
        this.end = end;
        this.step = step;
    }

    /** Python's {@code :} (the whole dim). */
    public static final Index ALL = new Index(Kind.SLICE, 0, OPEN_END, 1);
    /** Python's {@code None}: a new dim of size 1. */
    public static final Index NEW_AXIS = new Index(Kind.NEW_AXIS, 0, 0, 0);
    /** Python's {@code ...}: as many {@code :} as the other entries leave dims. */
    public static final Index ELLIPSIS = new Index(Kind.ELLIPSIS, 0, 0, 0);

    /** {@code start:end} (negative values count from the end; out-of-range values are clamped as in Python). */
    public static Index slice(long start, long end) {
        return new Index(Kind.SLICE, start, end, 1);
    }

    /** {@code start:end:step} with a positive step. */
    public static Index slice(long start, long end, long step) {
        return new Index(Kind.SLICE, start, end, step);
    }

    /** {@code start:} */
    public static Index from(long start) {
        return new Index(Kind.SLICE, start, OPEN_END, 1);
    }

    /** {@code :end} */
    public static Index to(long end) {
        return new Index(Kind.SLICE, 0, end, 1);
    }

    /** {@code ::step} */
    public static Index step(long step) {
        return new Index(Kind.SLICE, 0, OPEN_END, step);
    }

    /** {@code start::step} */
    public static Index from(long start, long step) {
        return new Index(Kind.SLICE, start, OPEN_END, step);
    }

    /** What this entry is. */
    public Kind kind() {
        return kind;
    }

    /** A slice's start (0 when open). */
    public long start() {
        return start;
    }

    /** A slice's end ({@code Long.MAX_VALUE} when open). */
    public long end() {
        return end;
    }

    /** A slice's step. */
    public long step() {
        return step;
    }

    /** Python's spelling of this entry. */
    @Override
    public String toString() {
        return switch (kind) {
            case NEW_AXIS -> "None";
            case ELLIPSIS -> "...";
            case SLICE -> (start == 0 ? "" : start) + ":" + (end == OPEN_END ? "" : end) + (step == 1 ? "" : ":" + step);
        };
    }
}
