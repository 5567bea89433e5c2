package dev.panagrad;

import dev.panagrad.memory.Scope;
import dev.panagrad.nn.AvgPool2d;
import dev.panagrad.nn.MaxPool2d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

/** Misuse gives the library's own exceptions, whose messages name the op the user called. */
class ErrorHygieneTest {

    private static <T extends Throwable> void fails(Class<T> type, String op, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(type, e.getClass(), "exactly " + type.getSimpleName());
        assertTrue(e.getMessage().startsWith(op + ": "), "names " + op + ": " + e.getMessage());
    }

    @Test
    void poolingAnEmptyPlaneWithPaddingIsRefused() {
        // H = 0 with padding 1 gives an output row, but there is no plane to pool (was: ArithmeticException / by zero)
        fails(IllegalArgumentException.class, "avgPool2d", () -> AvgPool2d.avgPool2d(Tensor.zeros(1, 1, 0, 4),
                new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true));
        fails(IllegalArgumentException.class, "maxPool2d", () -> MaxPool2d.maxPool2dWithIndices(Tensor.zeros(1, 1, 4, 0),
                new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}));
        // an empty batch is fine, as in PyTorch
        assertArrayEquals(new long[] {0, 1, 2, 2}, AvgPool2d.avgPool2d(Tensor.zeros(0, 1, 4, 4),
                new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, true).shape());
    }

    @Test
    void maxPoolingAWindowOfPaddingAloneIsRefused() {
        // input 1x1, kernel 2, padding 1, dilation 2: the taps at -1 and 1 both miss the input (was: AIOOBE)
        fails(IllegalArgumentException.class, "maxPool2d", () -> MaxPool2d.maxPool2dWithIndices(Tensor.zeros(1, 1, 1, 1),
                new int[] {2, 2}, new int[] {3, 3}, new int[] {1, 1}, new int[] {2, 2}));
        fails(IllegalArgumentException.class, "maxPool2d", () -> MaxPool2d.maxPool2dWithIndices(Tensor.zeros(1, 1, 2, 2),
                new int[] {2, 2}, new int[] {5, 5}, new int[] {1, 1}, new int[] {3, 3}));
        // input 3x3, kernel 2, stride 2, padding 1, dilation 2: output row 0 taps rows -1 and 1, output row 1 taps
        // rows 1 and 3; only row 1 (and column 1) is inside, so every output is x[1][1] = 4
        Tensor y = MaxPool2d.maxPool2dWithIndices(Tensor.arange(9).view(1, 1, 3, 3).to(DType.FLOAT32),
                new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, new int[] {2, 2})[0];
        assertArrayEquals(new double[] {4, 4, 4, 4}, y.toDoubleArray());
    }

    @Test
    void selectOnAnEmptyDimSaysSo() {
        fails(IndexOutOfBoundsException.class, "select", () -> Tensor.zeros(0, 3).select(0, 0));
        fails(IndexOutOfBoundsException.class, "select", () -> Tensor.zeros(2, 0).select(1, -1));
    }

    @Test
    void wrapRefusesClosedAndConfinedSegmentsAndNoticesALaterClose() throws Exception {
        MemorySegment closed;
        try (Arena a = Arena.ofConfined()) {
            closed = a.allocate(400, 64);
        }
        MemorySegment gone = closed;
        fails(IllegalStateException.class, "wrap", () -> Tensor.wrap(gone, DType.FLOAT32, 100));
        try (Arena confined = Arena.ofConfined()) {
            MemorySegment s = confined.allocate(4L << 20, 64);   // large enough for ops to use worker threads
            fails(IllegalArgumentException.class, "wrap", () -> Tensor.wrap(s, DType.FLOAT32, 1 << 20));
        }
        Tensor t;
        try (Arena shared = Arena.ofShared()) {
            t = Tensor.wrap(shared.allocate(4L << 20, 64), DType.FLOAT32, 1 << 20).fill_(1);
            assertEquals(1 << 20, t.sum().item());
        }
        Tensor freed = t;
        fails(IllegalStateException.class, "sum", freed::sum);
        fails(IllegalStateException.class, "exp", freed::exp);
    }

    @Test
    void emptyMatmulsAreZerosAsInPyTorch() {
        // torch.zeros(2, 2, 0) @ torch.zeros(0, 4) is zeros(2, 2, 4): each entry is an empty sum
        Tensor r = Tensor.zeros(2, 2, 0).matmul(Tensor.zeros(0, 4));
        assertArrayEquals(new long[] {2, 2, 4}, r.shape());
        assertArrayEquals(new double[16], r.toDoubleArray());
        assertArrayEquals(new long[] {3, 0}, Tensor.zeros(3, 5).matmul(Tensor.zeros(5, 0)).shape());
    }

    @Test
    void messagesNameTheOpTheUserCalled() {
        Tensor released;
        try (Scope s = Scope.open()) {
            released = Tensor.zeros(3);
        }
        Tensor r = released;
        fails(IllegalStateException.class, "toLongArray", r::toLongArray);
        fails(IllegalStateException.class, "toDoubleArray", r::toDoubleArray);
        fails(IllegalStateException.class, "clone", r::clone);
        fails(IllegalStateException.class, "minimum", () -> Tensor.zeros(3).minimum(r));
        fails(IllegalStateException.class, "maximum", () -> Tensor.zeros(3).maximum(r));
        fails(IllegalStateException.class, "std", r::std);
        fails(IllegalArgumentException.class, "minimum", () -> Tensor.zeros(3).minimum(Tensor.zeros(4)));
        fails(IllegalArgumentException.class, "std", () -> Tensor.of(new long[] {1, 2}, 2).std());
        fails(IndexOutOfBoundsException.class, "std", () -> Tensor.zeros(2, 3).std(new int[] {5}, 1, false));
        fails(IllegalArgumentException.class, "var", () -> Tensor.of(new long[] {1, 2}, 2).var());
        fails(IllegalStateException.class, "var", r::var);
        fails(IllegalStateException.class, "logsumexp", () -> r.logsumexp(0, false));
        fails(IllegalArgumentException.class, "logicalAnd", () -> Tensor.zeros(3).logicalAnd(Tensor.zeros(4)));
        fails(IllegalArgumentException.class, "logicalOr", () -> Tensor.zeros(3).logicalOr(Tensor.zeros(4)));
    }

    @Test
    void flattenOfAZeroDimTensorChecksItsDims() {
        // torch.tensor(1.).flatten(5, 7) raises IndexError (dims must be in [-1, 0]); found by FuzzTest
        fails(IndexOutOfBoundsException.class, "flatten", () -> Tensor.of(1.0).flatten(5, 7));
        assertArrayEquals(new long[] {1}, Tensor.of(1.0).flatten(0, -1).shape());
    }
}
