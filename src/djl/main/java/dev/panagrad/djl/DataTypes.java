package dev.panagrad.djl;

import ai.djl.ndarray.types.DataType;
import dev.panagrad.DType;

/**
 * DJL's data types and panagrad's dtypes, one to one where panagrad has the type.
 *
 * <pre>{@code
 * DataTypes.toDType(DataType.INT32);   // DType.INT32
 * }</pre>
 */
final class DataTypes {
    private DataTypes() {}

    /** The panagrad dtype of {@code type}; DJL's UnsupportedOperationException for types panagrad lacks. */
    static DType toDType(DataType type) {
        return switch (type) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case INT64 -> DType.INT64;
            case INT32 -> DType.INT32;
            case UINT8 -> DType.UINT8;
            case INT8 -> DType.INT8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new UnsupportedOperationException("Panagrad does not support data type " + type
                    + "; supported: float32, float64, int64, int32, uint8, int8, boolean");
        };
    }

    /** The DJL data type of {@code dtype}. */
    static DataType toDataType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
            case INT64 -> DataType.INT64;
            case INT32 -> DataType.INT32;
            case UINT8 -> DataType.UINT8;
            case INT8 -> DataType.INT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }
}
