package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The vector shapes the Vector API kernels use (the widest the CPU runs well, in native byte order), and
 * the per-thread scratch vectors that carry the last partial vector of a run through the same loop as the
 * rest.
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

    /** Bytes in one slot of the per-thread scratch: one vector of the preferred shape. */
    private static final int SLOT = Math.max(VF, VD), SLOTS = 8;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate((long) SLOT * SLOTS, SLOT));

    /**
     * {@code vectors} one-vector slots of this thread's off-heap scratch, from slot {@code first}. The
     * contents are left from earlier use. It is native memory on purpose: the vector loops are compiled for
     * the segment types they have seen, and a heap segment among them makes them slower for every caller.
     */
    static MemorySegment scratch(int first, int vectors) {
        return SCRATCH.get().asSlice((long) first * SLOT, (long) vectors * SLOT);
    }

    /** Scratch slot {@code slot} holding x's bytes [byteOffset, byteOffset + bytes) at its start (less than one vector). */
    static MemorySegment tail(MemorySegment x, long byteOffset, long bytes, int slot) {
        MemorySegment t = scratch(slot, 1);
        MemorySegment.copy(x, byteOffset, t, 0, bytes);
        return t;
    }

    /**
     * The sum of lanes [0, lanes) of v, added in index order. {@code reduceLanes(ADD)} leaves the order open,
     * and the JDK's compiled form (a tree) and its interpreted form (a loop) round differently, so a result
     * would change as the JIT warms up.
     */
    static float sum(FloatVector v, int lanes) {
        float[] a = v.toArray();
        float s = a[0];
        for (int i = 1; i < lanes; i++) s += a[i];
        return s;
    }

    /** The sum of all lanes of v in index order, as {@link #sum(FloatVector, int)}. */
    static float sum(FloatVector v) {
        return sum(v, FL);
    }

    /** The sum of all lanes of v in index order, as {@link #sum(FloatVector, int)}. */
    static double sum(DoubleVector v) {
        double[] a = v.toArray();
        double s = a[0];
        for (int i = 1; i < a.length; i++) s += a[i];
        return s;
    }
}
