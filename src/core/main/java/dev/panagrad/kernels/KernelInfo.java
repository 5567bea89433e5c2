package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;

/**
 * What the kernels run on, for diagnostics ({@code scripts/info}): the Vector API's preferred species and
 * the kernel set chosen at start, with the reason.
 *
 * <pre>{@code
 * KernelInfo.floatLanes();        // 16 on AVX-512
 * KernelInfo.activeName();        // "blas"
 * KernelInfo.selectionReason();   // "default: OpenBLAS loaded"
 * }</pre>
 */
public final class KernelInfo {
    private KernelInfo() {}

    /** The preferred vector shape, e.g. {@code S_512_BIT}. */
    public static String vectorShape() {
        return VectorShape.preferredShape().toString();
    }

    /** The preferred vector size in bits, e.g. 512. */
    public static int vectorBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }

    /** {@code FloatVector.SPECIES_PREFERRED}, e.g. {@code Species[float, 16, S_512_BIT]}. */
    public static String floatSpecies() {
        return FloatVector.SPECIES_PREFERRED.toString();
    }

    /** {@code DoubleVector.SPECIES_PREFERRED}. */
    public static String doubleSpecies() {
        return DoubleVector.SPECIES_PREFERRED.toString();
    }

    /** float32 lanes per preferred vector. */
    public static int floatLanes() {
        return FloatVector.SPECIES_PREFERRED.length();
    }

    /** float64 lanes per preferred vector. */
    public static int doubleLanes() {
        return DoubleVector.SPECIES_PREFERRED.length();
    }

    /** The active kernel set: scalar, vector or blas (choosing it, on first use, may load OpenBLAS). */
    public static String activeName() {
        return Kernels.active().name();
    }

    /** Why the active kernel set was chosen. */
    public static String selectionReason() {
        Kernels.active();
        return KernelSelection.reason();
    }
}
