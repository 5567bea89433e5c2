package dev.panagrad;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shape, stride and offset arithmetic at the edges of a long: exact or refused, never wrapped around. */
class ViewArithmeticTest {
    private static final long MAX = Long.MAX_VALUE;

    @Test
    void narrowWithAHugeLengthIsRefused() {
        // start 1 + length 2^63-1 wraps to a negative end without exact arithmetic
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.arange(5).narrow(0, 1, MAX));
        assertTrue(e.getMessage().startsWith("narrow:"), e.getMessage());
    }

    @Test
    void sliceWithAHugeStepTakesOneElementAsPython() {
        // Python: list(range(10))[0:5:sys.maxsize] == [0]; torch.arange(10)[0:5:sys.maxsize] is tensor([0])
        Tensor s = Tensor.arange(10).slice(0, 0, 5, MAX);
        assertArrayEquals(new long[] {1}, s.shape());
        assertArrayEquals(new double[] {0}, s.toDoubleArray());
        assertArrayEquals(new double[] {3}, Tensor.arange(10).slice(0, 3, MAX, MAX).toDoubleArray());
        assertArrayEquals(new long[] {0}, Tensor.arange(10).slice(0, 7, 3, MAX).shape());
    }

    @Test
    void stridedViewWhoseSpanOverflowsIsRefused() {
        Tensor t = Tensor.zeros(4);
        // (2 - 1) * 2^62 + (3 - 1) * 2^62 = 3 * 2^62 wraps to a negative number
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> t.stridedView(new long[] {2, 3}, new long[] {1L << 62, 1L << 62}, 0));
        assertTrue(e.getMessage().startsWith("stridedView:"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> t.stridedView(new long[] {2}, new long[] {MAX}, 3));
        assertThrows(IllegalArgumentException.class, () -> t.stridedView(new long[] {2}, new long[] {1, 1}, 0));
    }

    @Test
    void emptyTensorsReshapeToHugeSizes() {
        Tensor e = Tensor.zeros(0);
        assertArrayEquals(new long[] {1L << 40, 1L << 40, 0}, e.reshape(1L << 40, 1L << 40, 0).shape());
        assertArrayEquals(new long[] {0, MAX, MAX}, e.reshape(0, MAX, MAX).shape());
        assertArrayEquals(new long[] {0, 1, MAX}, e.reshape(0, MAX).unsqueeze(1).shape());
    }

    @Test
    void aShapeWhoseProductWrapsToTheElementCountIsRefused() {
        // (2^62 + 1) * 4 = 2^64 + 4, which is 4 modulo 2^64
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(4).reshape((1L << 62) + 1, 4));
        assertTrue(e.getMessage().startsWith("reshape:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(4).view((1L << 62) + 1, -1));
    }

    @Test
    void expandAndFlattenBeyondALongAreRefusedNamingTheOp() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1).expand(1L << 32, 1L << 32));
        assertTrue(e.getMessage().startsWith("expand:"), e.getMessage());
        Tensor wide = Tensor.zeros(1L << 32, 1L << 32, 0);
        assertArrayEquals(new long[] {0}, wide.flatten(1, 2).flatten(0, 1).shape());
        var f = assertThrows(IllegalArgumentException.class, () -> wide.flatten(0, 1));
        assertTrue(f.getMessage().startsWith("flatten:"), f.getMessage());
    }

    @Test
    void anEmptyViewPastTheEndOfItsStorageReadsAsEmpty() throws java.io.IOException {
        // select(0, 2) of [3, 0] starts at element 2 of a storage of 0 elements, as in PyTorch; found by FuzzTest
        Tensor v = Tensor.zeros(3, 0).select(0, 2);
        assertArrayEquals(new long[] {0}, v.shape());
        assertArrayEquals(new double[0], v.toDoubleArray());
        java.nio.file.Path f = java.nio.file.Files.createTempFile("empty", ".safetensors");
        try {
            dev.panagrad.io.Safetensors.save(f, java.util.Map.of("v", v));
            assertArrayEquals(new long[] {0}, dev.panagrad.io.Safetensors.load(f).get("v").shape());
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }
}
