package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The vector shapes the Vector API kernels use (the widest the CPU runs well, in native byte order), and
 * the one-vector buffers that carry the last partial vector of a run through the same loop as the rest.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Float lanes of half the preferred width: as many as {@link #D} has, for float/double conversion. */
    static final VectorSpecies<Float> F_HALF = speciesOrNull(float.class, D.length() * Float.SIZE);
    /** One byte per float lane (bool masks), or null when no vector shape is that small. */
    static final VectorSpecies<Byte> BYTES_PER_FLOAT = speciesOrNull(byte.class, F.length() * Byte.SIZE);
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    static final int FL = F.length();
    static final int DL = D.length();
    /** Bytes per float and per double vector. */
    static final int VF = F.vectorByteSize(), VD = D.vectorByteSize();

    private static <E> VectorSpecies<E> speciesOrNull(Class<E> type, int bits) {
        for (VectorShape shape : VectorShape.values()) {
            if (shape.vectorBitSize() == bits && shape != VectorShape.S_Max_BIT) return VectorSpecies.of(type, shape);
        }
        return null;
    }

    /** A one-vector float buffer holding x[off, off + count) (count < lanes) and zeros after it. */
    static MemorySegment floatTail(MemorySegment x, long off, long count) {
        MemorySegment t = MemorySegment.ofArray(new float[FL]);
        MemorySegment.copy(x, off * Float.BYTES, t, 0, count * Float.BYTES);
        return t;
    }

    /** A one-vector double buffer holding x[off, off + count) and zeros after it. */
    static MemorySegment doubleTail(MemorySegment x, long off, long count) {
        MemorySegment t = MemorySegment.ofArray(new double[DL]);
        MemorySegment.copy(x, off * Double.BYTES, t, 0, count * Double.BYTES);
        return t;
    }
}
