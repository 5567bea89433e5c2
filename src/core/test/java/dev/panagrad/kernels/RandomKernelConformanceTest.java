package dev.panagrad.kernels;

import dev.panagrad.DType;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The random fills of every implementation against {@link ScalarKernels}, bit for bit, on ranges shorter than,
 * equal to and longer than a vector, at an offset into the segment and from a draw other than the first; filled
 * in three pieces as whole (threads split ranges anywhere), with the elements around the range untouched.
 */
class RandomKernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int GUARD = 5;
    private static final double GUARD_VALUE = -777.25;
    private static final double NO_MASK = Double.NaN;

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (Kernels k : KernelConformanceTest.implementations()) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (int n : new int[] {1, 7, 8, 9, 16, 17, 33, 1000}) {
                    for (double p : new double[] {NO_MASK, 0, 0.2, 0.5, 0.9}) {
                        args.add(Arguments.of(Named.of(k.name(), k), dt, n, p));
                    }
                }
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1} n={2} p={3}")
    @MethodSource("cases")
    void matchesTheReferenceAndIgnoresHowTheRangeIsSplit(Kernels k, DType dt, int n, double p) {
        long base = 0x5eed_1234_abcdL ^ n, first = 11;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment want = guarded(arena, dt, n), whole = guarded(arena, dt, n), pieces = guarded(arena, dt, n);
            fill(REF, dt, want, 0, n, base, first, p);
            fill(k, dt, whole, 0, n, base, first, p);
            int a = Math.min(n, 3), b = Math.min(n, 13);
            fill(k, dt, pieces, 0, a, base, first, p);
            fill(k, dt, pieces, a, b, base, first, p);
            fill(k, dt, pieces, b, n, base, first, p);
            for (int i = 0; i < n + 2 * GUARD; i++) {
                double expected = Access.load(dt, want, i);
                if (i < GUARD || i >= GUARD + n) assertEquals(GUARD_VALUE, expected, "reference guard " + i);
                assertEquals(expected, Access.load(dt, whole, i), "whole, element " + (i - GUARD));
                assertEquals(expected, Access.load(dt, pieces, i), "in pieces, element " + (i - GUARD));
            }
        }
    }

    private static void fill(Kernels k, DType dt, MemorySegment y, int from, int to, long base, long first, double p) {
        if (Double.isNaN(p)) k.randomUniform(dt, y, GUARD + from, to - from, base, first + from);
        else k.dropoutMask(dt, y, GUARD + from, to - from, base, first + from, p);
    }

    private static MemorySegment guarded(Arena arena, DType dt, int n) {
        MemorySegment s = arena.allocate((long) (n + 2 * GUARD) * dt.byteSize(), 64);
        for (int i = 0; i < n + 2 * GUARD; i++) Access.store(dt, s, i, GUARD_VALUE);
        return s;
    }
}
