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
    BOOL(1, "bool"),
    /** 32-bit signed integer: DJL's usual label type. */
    INT32(4, "int32"),
    /** Unsigned byte, 0 to 255: image pixels. */
    UINT8(1, "uint8"),
    /** Signed byte, -128 to 127: quantised values. */
    INT8(1, "int8");

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

    /** True for the integer types int64, int32, uint8 and int8 (not bool). */
    public boolean isIntegral() {
        return this == INT64 || this == INT32 || this == UINT8 || this == INT8;
    }

    /**
     * The type two operands are computed in, following PyTorch's promotion
     * ({@code bool < uint8, int8 < int32 < int64 < float32 < float64}). Mixing uint8 and int8 gives int16 in PyTorch;
     * with no int16 here it gives int32, the next type that holds both ranges.
     */
    public static DType promote(DType a, DType b) {
        if ((a == UINT8 && b == INT8) || (a == INT8 && b == UINT8)) return INT32;
        return a.ordinalRank() >= b.ordinalRank() ? a : b;
    }

    private int ordinalRank() {
        return switch (this) {
            case BOOL -> 0;
            case UINT8, INT8 -> 1;
            case INT32 -> 2;
            case INT64 -> 3;
            case FLOAT32 -> 4;
            case FLOAT64 -> 5;
        };
    }

    @Override
    public String toString() {
        return pyName;
    }
}
