package dev.panagrad.blas;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The wrappers check every index before the native call. These checks run before OpenBLAS is needed, so
 * they hold (and are tested) even with {@code -Dpanagrad.blas=none}.
 */
class OpenBlasBoundsTest {

    private static final Arena ARENA = Arena.ofAuto();

    // ---------------------------------------------------------------------------------------------
    // Bounds: every index is checked before the call

    private static MemorySegment floats(long n) {
        return ARENA.allocate(n * 4, 64);
    }

    @Test
    void gemmRejectsSegmentsThatAreTooSmall() {
        // A [3, 4] needs 12 floats; give it 11.
        var e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(11), 0, 4, floats(20), 0, 5, 0f, floats(15), 0, 5));
        assertTrue(e.getMessage().startsWith("sgemm: segment a is too small"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 12 elements") && e.getMessage().contains("holds 11"), e.getMessage());

        // The offset pushes B [4, 5] past the end: 2 + 20 > 21.
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(12), 0, 4, floats(21), 2, 5, 0f, floats(15), 0, 5));
        assertTrue(e.getMessage().startsWith("sgemm: segment b is too small"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 22 elements"), e.getMessage());

        // C with a padded row stride reaches (3 - 1) * 6 + 5 = 17 elements.
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.dgemm(false, false, 3, 5, 4, 1, ARENA.allocate(12 * 8), 0, 4, ARENA.allocate(20 * 8), 0, 5,
                        0, ARENA.allocate(16 * 8), 0, 6));
        assertTrue(e.getMessage().startsWith("dgemm: segment c is too small"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 17 elements (float64)") && e.getMessage().contains("holds 16"), e.getMessage());

        // A float segment of 12 floats holds only 6 doubles.
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.dgemm(false, false, 3, 5, 4, 1, floats(12), 0, 4, ARENA.allocate(20 * 8), 0, 5,
                        0, ARENA.allocate(15 * 8), 0, 5));
        assertTrue(e.getMessage().contains("holds 6"), e.getMessage());
    }

    @Test
    void exactFitsAreAccepted() {
        assumeTrue(OpenBlas.available(), OpenBlas.status());
        // Transposed A is stored [k, m] = [4, 3] with lda = 3: 12 elements, exactly what it needs.
        OpenBlas.sgemm(true, false, 3, 5, 4, 1f, floats(12), 0, 3, floats(20), 0, 5, 0f, floats(15), 0, 5);
        // B [4, 5] at offset 1 in 21 floats ends on the last element.
        OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(12), 0, 4, floats(21), 1, 5, 0f, floats(15), 0, 5);
        // One row of C never uses ldc beyond n.
        OpenBlas.dgemv(false, 1, 3, 1, ARENA.allocate(3 * 8), 0, 3, ARENA.allocate(3 * 8), 0, 1, 0, ARENA.allocate(8), 0, 1);
    }

    @Test
    void gemmRejectsBadLeadingDimensionsOffsetsAndSizes() {
        var e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(100), 0, 3, floats(100), 0, 5, 0f, floats(100), 0, 5));
        assertTrue(e.getMessage().startsWith("sgemm: lda too small"), e.getMessage());
        assertTrue(e.getMessage().contains("need lda >= max(1, 4)"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, true, 3, 5, 4, 1f, floats(100), 0, 4, floats(100), 0, 3, 0f, floats(100), 0, 5));
        assertTrue(e.getMessage().startsWith("sgemm: ldb too small"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(100), -1, 4, floats(100), 0, 5, 0f, floats(100), 0, 5));
        assertTrue(e.getMessage().contains("offset must not be negative"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, -1, 5, 4, 1f, floats(100), 0, 4, floats(100), 0, 5, 0f, floats(100), 0, 5));
        assertTrue(e.getMessage().contains("m=-1"), e.getMessage());

        // A huge offset must not overflow into a small "last index".
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 3, 5, 4, 1f, floats(100), Long.MAX_VALUE - 2, 4, floats(100), 0, 5,
                        0f, floats(100), 0, 5));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
    }

    @Test
    void heapSegmentsAreRejectedWithAClearMessage() {
        MemorySegment heap = MemorySegment.ofArray(new float[100]);
        var e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 2, 2, 2, 1f, heap, 0, 2, floats(4), 0, 2, 0f, floats(4), 0, 2));
        assertTrue(e.getMessage().startsWith("sgemm: segment a is on the Java heap"), e.getMessage());
        assertTrue(e.getMessage().contains("Arena"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.saxpy(4, 1f, floats(4), 0, 1, heap, 0, 1));
        assertTrue(e.getMessage().startsWith("saxpy: segment y is on the Java heap"), e.getMessage());
    }

    @Test
    void readOnlyOutputsAreRejected() {
        MemorySegment c = floats(4).asReadOnly();
        var e = assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 2, 2, 2, 1f, floats(4), 0, 2, floats(4), 0, 2, 0f, c, 0, 2));
        assertEquals("sgemm: segment c is read-only, but the result is written to it", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.saxpy(4, 1f, floats(4), 0, 1, c, 0, 1));
        assertTrue(e.getMessage().startsWith("saxpy: segment y is read-only"), e.getMessage());
        // Read-only inputs are fine.
        assumeTrue(OpenBlas.available(), OpenBlas.status());
        assertEquals(0f, OpenBlas.sdot(4, c, 0, 1, c, 0, 1));
    }

    @Test
    void failedCallsLeaveTheOutputAlone() {
        MemorySegment c = ARENA.allocateFrom(ValueLayout.JAVA_FLOAT, 1, 2, 3, 4);
        assertThrows(IllegalArgumentException.class, () ->
                OpenBlas.sgemm(false, false, 2, 2, 2, 1f, floats(3), 0, 2, floats(4), 0, 2, 0f, c, 0, 2));
        assertArrayEquals(new float[]{1, 2, 3, 4}, c.toArray(ValueLayout.JAVA_FLOAT));
    }
}
