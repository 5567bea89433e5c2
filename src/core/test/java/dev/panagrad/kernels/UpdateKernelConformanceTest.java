package dev.panagrad.kernels;

import dev.panagrad.DType;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused optimizer updates of every implementation against {@link ScalarKernels} (which computes in
 * double) on float32 ranges shorter than, equal to and longer than a vector, for each form of Adam and SGD.
 * The same range updated in three pieces must come out bit for bit as updated whole (threads split ranges
 * anywhere), and the elements around the range stay untouched.
 */
class UpdateKernelConformanceTest {
    private static final Kernels REF = new ScalarKernels();
    private static final int GUARD = 16;
    private static final float GUARD_VALUE = -777.25f;

    private static final List<AdamStep> ADAM = List.of(
            AdamStep.of(1e-3, 0.9, 0.999, 1e-8, 0, false, 1),
            AdamStep.of(1e-2, 0.8, 0.99, 1e-3, 0.1, false, 7),
            AdamStep.of(1e-2, 0.9, 0.999, 1e-8, 0.05, true, 3));
    private static final List<SgdStep> SGD = List.of(
            new SgdStep(0.1, 0, 0, 0, false, false),
            new SgdStep(0.1, 0.9, 0, 0, false, true),
            new SgdStep(0.05, 0.9, 0.3, 0.01, false, false),
            new SgdStep(0.1, 0.9, 0, 1e-3, true, false));

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        int fl = Lanes.FL;
        for (Kernels k : KernelConformanceTest.implementations()) {
            for (int n : new int[] {1, 5, fl - 1, fl, fl + 3, 2 * fl + 1, 300}) {
                for (Object step : ADAM) args.add(Arguments.of(Named.of(k.name(), k), n, step));
                for (Object step : SGD) args.add(Arguments.of(Named.of(k.name(), k), n, step));
            }
        }
        return args.stream();
    }

    @Test
    void adamAtAStepTakesPyTorchsBiasCorrectionsAndRefusesAStepBeforeTheFirst() {
        AdamStep adamw = AdamStep.of(0.01, 0.9, 0.999, 1e-8, 0.05, true, 3);
        assertEquals(0.01 / (1 - 0.9 * 0.9 * 0.9), adamw.stepSize(), 1e-15);
        assertEquals(Math.sqrt(1 - 0.999 * 0.999 * 0.999), adamw.biasCorrection2Sqrt(), 1e-15);
        assertEquals(1 - 0.01 * 0.05, adamw.shrink(), 0);
        assertEquals(0, adamw.gradientDecay(), 0);
        AdamStep adam = AdamStep.of(0.01, 0.9, 0.999, 1e-8, 0.05, false, 1);
        assertEquals(1, adam.shrink(), 0);
        assertEquals(0.05, adam.gradientDecay(), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> AdamStep.of(0.01, 0.9, 0.999, 1e-8, 0, false, 0));
        assertTrue(e.getMessage().contains("adamStep") && e.getMessage().contains("given 0"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} n={1} {2}")
    @MethodSource("cases")
    void matchesTheReferenceAndIgnoresHowTheRangeIsSplit(Kernels k, int n, Record step) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = random(arena, n, 1, 1);
            MemorySegment[] want = state(arena, n), whole = state(arena, n), pieces = state(arena, n);
            update(REF, step, g, want, 0, n);
            update(k, step, g, whole, 0, n);
            int a = Math.min(n, 3), b = Math.min(n, Lanes.FL + 4);
            update(k, step, g, pieces, 0, a);
            update(k, step, g, pieces, a, b);
            update(k, step, g, pieces, b, n);
            String[] names = {"parameter", "first buffer", "second buffer"};
            for (int s = 0; s < want.length; s++) {
                for (int i = 0; i < n + 2 * GUARD; i++) {
                    float w = want[s].getAtIndex(ValueLayout.JAVA_FLOAT, i), got = whole[s].getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    if (i < GUARD || i >= GUARD + n) {
                        assertEquals(GUARD_VALUE, got, names[s] + ": element " + (i - GUARD) + " is outside the range");
                    } else {
                        assertTrue(Math.abs(w - got) <= 2e-6 * (1 + Math.abs(w)),
                                names[s] + "[" + (i - GUARD) + "]: expected " + w + ", got " + got);
                    }
                }
                assertEquals(-1, whole[s].mismatch(pieces[s]), names[s] + " updated in pieces differs from whole");
            }
        }
    }

    /** Updates elements [lo, hi) of the state (parameter, then the optimizer's buffers) with gradient g. */
    private static void update(Kernels k, Record step, MemorySegment g, MemorySegment[] st, int lo, int hi) {
        long at = GUARD + lo;
        if (step instanceof AdamStep s) {
            k.adamStep(DType.FLOAT32, s, st[0], at, g, at, st[1], at, st[2], at, hi - lo);
        } else {
            k.sgdStep(DType.FLOAT32, (SgdStep) step, st[0], at, g, at, st[1], at, hi - lo);
        }
    }

    /** A parameter and two buffers (a positive one last, as Adam's second moment), guarded on both sides. */
    private static MemorySegment[] state(Arena arena, int n) {
        MemorySegment second = random(arena, n, 4, 0.01);
        for (int i = GUARD; i < GUARD + n; i++) {
            second.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.abs(second.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
        }
        return new MemorySegment[] {random(arena, n, 2, 1), random(arena, n, 3, 0.1), second};
    }

    private static MemorySegment random(Arena arena, int n, long seed, double spread) {
        MemorySegment s = arena.allocate((long) (n + 2 * GUARD) * Float.BYTES, 64);
        Random r = new Random(seed);
        for (int i = 0; i < n + 2 * GUARD; i++) {
            boolean inside = i >= GUARD && i < GUARD + n;
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, inside ? (float) (spread * r.nextGaussian()) : GUARD_VALUE);
        }
        return s;
    }
}
