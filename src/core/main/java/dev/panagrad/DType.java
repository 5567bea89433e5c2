package dev.panagrad;

/**
 * Element types of a {@link Tensor}.
 *
 * <pre>{@code
 * Tensor t = Tensor.zeros(DType.FLOAT64, 2, 3);
 * t.dtype().byteSize();   // 8
 * }</pre>
 */
public enum DType {
    /** 32-bit IEEE float: the default for values. */
    FLOAT32(4, "float32"),
    /** 64-bit IEEE float: used by gradient checks. */
    FLOAT64(8, "float64"),
    /** 64-bit signed integer: indices. */
    INT64(8, "int64"),
    /** One byte per element, 0 or 1: masks from comparisons. */
    BOOL(1, "bool");

    private final int byteSize;
    private final String pyName;

    DType(int byteSize, String pyName) {
        this.byteSize = byteSize;
        this.pyName = pyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for float32 and float64. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type two operands are computed in, following PyTorch's promotion ({@code bool < int64 < float32 < float64}). */
    public static DType promote(DType a, DType b) {
        return a.ordinalRank() >= b.ordinalRank() ? a : b;
    }

    private int ordinalRank() {
        return switch (this) {
            case BOOL -> 0;
            case INT64 -> 1;
            case FLOAT32 -> 2;
            case FLOAT64 -> 3;
        };
    }

    @Override
    public String toString() {
        return pyName;
    }
}
