package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F_HALF;
import static dev.panagrad.kernels.Lanes.ORDER;

/**
 * float32 {@link Kernels#randomUniform} and {@link Kernels#dropoutMask}: {@link SplitMix#uniformFloat} a vector of
 * 64-bit states at a time, converted to as many float lanes. Integer arithmetic, an exact int-to-float conversion
 * and a multiply by a power of two: the same bits in compiled and interpreted code, and as the scalar tail.
 */
final class VectorRandom {
    private VectorRandom() {}

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final int LL = L.length();

    /** Whether this CPU has a float shape as wide in lanes as its preferred long vector. */
    static boolean supported() {
        return F_HALF != null && F_HALF.length() == LL;
    }

    static void uniformFloats(MemorySegment y, long yOff, long n, long base, long first) {
        fill(y, yOff, n, base, first, false, 0, 0);
    }

    static void maskFloats(MemorySegment y, long yOff, long n, long base, long first, float below, float keep) {
        fill(y, yOff, n, base, first, true, below, keep);
    }

    private static void fill(MemorySegment y, long yOff, long n, long base, long first, boolean mask, float below,
                             float keep) {
        long full = n - n % LL;
        // lane j of the first vector holds the state of draw first + j; each vector moves LL draws on
        LongVector state = LongVector.broadcast(L, SplitMix.state(base, first))
                .add(LongVector.zero(L).addIndex(1).mul(SplitMix.GAMMA));
        LongVector step = LongVector.broadcast(L, LL * SplitMix.GAMMA);
        for (long i = 0; i < full; i += LL) {
            FloatVector u = uniform(state);
            if (mask) u = FloatVector.zero(F_HALF).blend(keep, u.compare(VectorOperators.GE, below));
            u.intoMemorySegment(y, (yOff + i) * Float.BYTES, ORDER);
            state = state.add(step);
        }
        for (long i = full; i < n; i++) {
            float u = SplitMix.uniformFloat(SplitMix.state(base, first + i));
            y.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, yOff + i, mask ? (u >= below ? keep : 0f) : u);
        }
    }

    /** {@link SplitMix#uniformFloat} of each lane's state. */
    private static FloatVector uniform(LongVector z) {
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 33)).mul(0x62a9d9ed799705f5L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 28)).mul(0xcb24d0a5c88c35b3L);
        LongVector bits = z.lanewise(VectorOperators.LSHR, 32).and((1L << 24) - 1);
        return ((FloatVector) bits.convertShape(VectorOperators.L2F, F_HALF, 0)).mul(0x1p-24f);
    }
}
