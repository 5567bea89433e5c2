package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static dev.panagrad.Ref.assertThrowsWith;

/**
 * Every kind of bad input gets a clear exception whose message names the op, what was given and what was
 * expected; none reaches a kernel.
 */
class BadInputTest {

    private final Tensor m23 = Tensor.ones(2, 3);

    @Test
    void shapeMismatches() {
        assertThrowsWith(IllegalArgumentException.class, () -> m23.add(Tensor.ones(4)), "add", "[2, 3]", "[4]", "expected");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.mul(Tensor.ones(3, 3)), "mul", "[2, 3]", "[3, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.lt(Tensor.ones(2)), "lt", "[2, 3]", "[2]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(m23.gt(0), m23, Tensor.ones(5)), "where", "[5]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.matmul(Tensor.ones(4, 5)),
                "matmul", "[2, 3]", "[4, 5]", "need");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(3).matmul(Tensor.ones(4)), "matmul", "[3]", "[4]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(2, 2, 3).matmul(Tensor.ones(3, 3, 4)),
                "matmul", "[2, 2, 3]", "[3, 3, 4]", "broadcast");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(2, 2, 3).bmm(Tensor.ones(3, 3, 4)),
                "bmm", "[2, 2, 3]", "[3, 3, 4]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.mm(Tensor.ones(3)), "mm", "[3]", "2-D");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(List.of(m23, Tensor.ones(2, 4)), 0),
                "cat", "[2, 3]", "[2, 4]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.stack(List.of(m23, Tensor.ones(3, 2)), 0),
                "stack", "[2, 3]", "[3, 2]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.view(4), "view", "[4]", "size 6");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.reshape(-1, 4), "reshape", "[-1, 4]", "6");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.expand(2, 5), "expand", "[2, 3]", "[2, 5]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.expand(3), "expand", "[3]", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(3).add_(m23), "add_", "[3]", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(2).copy_(Tensor.ones(3)), "copy_", "[3]", "[2]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.permute(1, 0, 2), "permute", "rank 2", "[1, 0, 2]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.permute(1, 1), "permute", "repeated");
        assertThrowsWith(IllegalArgumentException.class,
                () -> m23.indexAdd(0, Tensor.of(new long[] {0}, 1), Tensor.ones(2, 3)), "indexAdd", "[2, 3]", "[1, 3]");
        assertThrowsWith(IllegalArgumentException.class,
                () -> m23.gather(1, Tensor.zeros(DType.INT64, 2)), "gather", "[2] int64", "[2, 3] float32");
        assertThrowsWith(IllegalArgumentException.class,
                () -> m23.scatterAdd(1, Tensor.zeros(DType.INT64, 2, 3), Tensor.ones(2, 2)), "scatterAdd", "[2, 2]", "[2, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2),
                "of", "3 values", "[2, 2]", "expected 4");
        assertThrowsWith(IllegalStateException.class, m23::item, "item", "6 elements", "expected exactly one");
    }

    @Test
    void wrongDtypes() {
        Tensor ints = Tensor.of(new long[] {1, 2}, 2);
        assertThrowsWith(IllegalArgumentException.class, ints::mean, "mean", "int64", "floating");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.softmax(0), "softmax", "int64", "floating");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.matmul(ints), "matmul", "int64", "float32");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.matmul(Tensor.ones(DType.FLOAT64, 3, 2)),
                "matmul", "float32", "float64");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.gather(1, Tensor.zeros(2, 3)), "gather", "float32", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.indexSelect(0, Tensor.zeros(1)), "indexSelect", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.requiresGrad(true), "requiresGrad", "int64", "floating");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.add_(0.5), "add_", "float32", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.div_(2), "div_", "float32", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.add_(Tensor.ones(2)), "add_", "float32", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.sqrt_(), "sqrt_", "float32", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> ints.pow(-1), "pow", "negative", "int64");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.where(m23, m23, m23), "where", "float32", "bool");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.maskedFill(m23, 0), "where", "float32", "bool");
        assertThrowsWith(IllegalArgumentException.class, () -> new Generator(1).rand(DType.INT64, 2), "rand", "int64", "float");
        assertThrowsWith(IllegalArgumentException.class, () -> new Generator(1).randn(DType.BOOL, 2), "randn", "bool");
    }

    @Test
    void dimsOutOfRange() {
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.sum(2, false), "sum", "got 2", "rank 2", "[-2, 1]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.mean(-3, true), "mean", "got -3", "[-2, 1]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.transpose(0, 5), "transpose", "got 5");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.softmax(2), "softmax", "got 2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.argmax(3, false), "argmax", "got 3");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.max(-4, false), "max", "got -4");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.unsqueeze(3), "unsqueeze", "got 3", "[-3, 2]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.squeeze(2), "squeeze", "got 2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.select(2, 0), "select", "got 2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.narrow(-3, 0, 1), "narrow", "got -3");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.size(2), "size", "got 2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> Tensor.of(1.0).size(0), "size", "no dimensions");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> Tensor.cat(List.of(m23, m23), 2), "cat", "got 2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.gather(2, Tensor.zeros(DType.INT64, 2, 3)), "gather");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.flatten(1, 0), "flatten", "1", "0");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.sum(new int[] {0, -2}, false), "sum", "multiple");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(1.0).select(0, 0), "select", "0-dim");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(1.0).split(1, 0), "split", "0-dim");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.cat(List.of(Tensor.of(1.0)), 0), "cat", "zero-dim");
    }

    @Test
    void indicesOutOfRange() {
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.select(0, 2), "select", "index 2", "size 2", "[-2, 1]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.select(1, -4), "select", "index -4", "size 3");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.narrow(1, 2, 2), "narrow", "start (2) + length (2)", "size (3)");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.narrow(1, 4, 0), "narrow", "start 4", "[-3, 3]");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m23.narrow(0, 0, -1), "narrow", "length (-1)");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> m23.gather(1, Tensor.of(new long[] {0, 3}, 1, 2)), "gather", "index 3", "size 3", "[0, 3)");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> m23.indexSelect(0, Tensor.of(new long[] {-1}, 1)), "indexSelect", "index -1", "size 2");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> m23.scatterAdd(0, Tensor.of(new long[] {2}, 1, 1), Tensor.ones(1, 1)), "scatterAdd", "index 2");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> m23.indexAdd(1, Tensor.of(new long[] {5}, 1), Tensor.ones(2, 1)), "indexAdd", "index 5");
        assertThrowsWith(IllegalArgumentException.class,
                () -> m23.indexSelect(0, Tensor.zeros(DType.INT64, 1, 1)), "indexSelect", "1 dimension", "[1, 1]");
        assertThrowsWith(IllegalArgumentException.class,
                () -> Tensor.of(1.0).indexSelect(0, Tensor.zeros(DType.INT64, 2)), "indexSelect", "0-dim", "[2]");
        assertThrowsWith(IndexOutOfBoundsException.class,
                () -> m23.stridedView(new long[] {4}, new long[] {2}, 0), "stridedView", "[4]", "[0, 6)");
    }

    @Test
    void negativeAndOversizedShapes() {
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(-1), "zeros", "[-1]", ">= 0");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.ones(2, -3), "ones", "[2, -3]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.full(1, -2), "full", "[-2]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.empty(-5), "empty", "[-5]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.rand(3, -1), "rand", "[3, -1]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.randn(-1), "randn", "[-1]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.randint(0, 5, -1), "randint", "[-1]");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.eye(DType.FLOAT32, -1, 2), "eye", "[-1, 2]");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.view(-2, 3), "view", "-2");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.reshape(-1, -1), "reshape", "only one");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.expand(-2, 2, 3), "expand", "-2");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(1L << 40, 1L << 40), "zeros", "too large");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.INT64, 1L << 61), "zeros", "too large");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1), "linspace", "-1");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0), "arange", "step");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, 10, -1), "arange", "inconsistent");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1), "arange", "Infinity");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.arange(0, 1e12, 1), "arange", "too many");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.randint(5, 5, 1), "randint", "[5, 5)");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.slice(0, 0, 2, 0), "slice", "step", "0");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.split(0, 0), "split", "0");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.chunk(0, 0), "chunk", "0");
        assertThrowsWith(IllegalArgumentException.class, () -> m23.clamp(1, 0), "clamp", "min 1", "max 0");
    }

    @Test
    void wrapChecksTheSegment() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(20, 8);
            assertThrowsWith(IllegalArgumentException.class, () -> Tensor.wrap(seg, DType.FLOAT32, 2, 3),
                    "wrap", "20 bytes", "[2, 3]", "24 bytes");
            assertThrowsWith(IllegalArgumentException.class, () -> Tensor.wrap(seg.asSlice(1, 16), DType.FLOAT32, 2),
                    "wrap", "aligned", "float32");
            assertThrowsWith(IllegalArgumentException.class, () -> Tensor.wrap(seg.asReadOnly(), DType.FLOAT32, 2),
                    "wrap", "read-only");
            assertThrowsWith(IllegalArgumentException.class, () -> Tensor.wrap(seg, DType.FLOAT32, -1), "wrap", "[-1]");
        }
    }

    @Test
    void inPlaceWritesToExpandedTensorsAreRefused() {
        Tensor e = Tensor.ones(1, 3).expand(4, 3);
        assertThrowsWith(IllegalArgumentException.class, () -> e.add_(1), "add_", "[4, 3]", "single memory location");
        assertThrowsWith(IllegalArgumentException.class, e::exp_, "exp_", "[4, 3]");
        assertThrowsWith(IllegalArgumentException.class, () -> e.copy_(Tensor.zeros(4, 3)), "copy_", "[4, 3]");
    }
}
