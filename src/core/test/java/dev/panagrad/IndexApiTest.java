package dev.panagrad;

import dev.panagrad.nn.F;
import dev.panagrad.nn.Linear;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.panagrad.Index.ALL;
import static dev.panagrad.Index.ELLIPSIS;
import static dev.panagrad.Index.NEW_AXIS;
import static dev.panagrad.Index.from;
import static dev.panagrad.Index.slice;
import static dev.panagrad.Index.step;
import static dev.panagrad.Index.to;
import static dev.panagrad.Ref.assertClose;
import static dev.panagrad.Ref.assertExact;
import static dev.panagrad.Ref.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API that ports from Python: Tensor.of's dtype rule, subscripts ({@code x[...]} and {@code x[...] = v}),
 * reductions without keepdim and the functional namespace. Expected values follow PyTorch's documented
 * indexing rules (NumPy's basic and advanced indexing, with integers as plain selects); each case states
 * the Python expression it mirrors, evaluated by hand on {@code x = torch.arange(24).view(2, 3, 4)}, where
 * {@code x[i, j, k] = 12 i + 4 j + k}.
 */
class IndexApiTest {

    private static final Tensor X = Tensor.arange(24).view(2, 3, 4);

    @Test
    void tensorOfFollowsPythonLiterals() {
        // torch.tensor([1., 2.]) is float32, torch.tensor([1, 2]) int64, torch.tensor(3) int64, torch.tensor(3.) float32
        assertEquals(DType.FLOAT32, Tensor.of(1.0, 2.0).dtype());
        assertEquals(DType.INT64, Tensor.of(1, 2).dtype());
        assertEquals(DType.INT64, Tensor.of(3).dtype());
        assertEquals(DType.FLOAT32, Tensor.of(3.0).dtype());
        assertEquals(DType.FLOAT32, Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).dtype());
        assertEquals(DType.FLOAT64, Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).dtype());
        assertEquals(DType.FLOAT64, Tensor.ofDoubles(1, 2).dtype());
        assertExact(new double[] {1, 2.5}, Tensor.of(1.0, 2.5), 2);
        assertExact(new double[] {1, 2, 3, 4}, Tensor.of(DType.INT64, new double[] {1, 2, 3, 4}, 2, 2), 2, 2);
    }

    @Test
    void basicIndexingGivesViews() {
        // x[1] -> [3, 4] starting at 12; x[1, 2] -> [20..23]; x[1, 2, 3] -> 23
        Tensor row = X.index(1);
        assertTrue(Ref.sharesStorage(row, X));
        assertExact(new double[] {20, 21, 22, 23}, X.index(1, 2), 4);
        assertEquals(23, X.index(1, 2, 3).item());
        assertEquals(23, X.index(-1, -1, -1).item());
        // x[:, 1:3, ::2] -> [2, 2, 2]: k in {0, 2}, j in {1, 2}
        assertExact(new double[] {4, 6, 8, 10, 16, 18, 20, 22}, X.index(ALL, slice(1, 3), step(2)), 2, 2, 2);
        // x[0, 1:] and x[0, :2] and x[0, 1:, 1::2]
        assertExact(new double[] {4, 5, 6, 7, 8, 9, 10, 11}, X.index(0, from(1)), 2, 4);
        assertExact(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, X.index(0, to(2)), 2, 4);
        assertExact(new double[] {5, 7, 9, 11}, X.index(0, from(1), Index.from(1, 2)), 2, 2);
        // x[..., 1] -> [2, 3]; x[None, 0, ..., None].shape == [1, 3, 4, 1]; x[1, ..., 2:] -> [3, 2]
        assertExact(new double[] {1, 5, 9, 13, 17, 21}, X.index(ELLIPSIS, 1), 2, 3);
        assertArrayEquals(new long[] {1, 3, 4, 1}, X.index(NEW_AXIS, 0, ELLIPSIS, NEW_AXIS).shape());
        assertExact(new double[] {14, 15, 18, 19, 22, 23}, X.index(1, ELLIPSIS, from(2)), 3, 2);
        // out-of-range slices clamp as in Python: x[0, 5:] is empty, x[0, -10:1] is row 0
        assertArrayEquals(new long[] {0, 4}, X.index(0, from(5)).shape());
        assertExact(new double[] {0, 1, 2, 3}, X.index(0, slice(-10, 1)), 1, 4);
    }

    @Test
    void advancedIndexing() {
        // x[[1, 0]] -> blocks 1 then 0; x[:, [0, 2]] -> [2, 2, 4]
        Tensor picked = X.index(Tensor.of(1, 0));
        assertNotSame(picked.storage(), X.storage());
        assertExact(new double[] {12, 13, 14, 15}, picked.index(0, 0), 4);
        assertArrayEquals(new long[] {2, 3, 4}, picked.shape());
        assertExact(new double[] {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23},
                X.index(ALL, Tensor.of(0, 2)), 2, 2, 4);
        // adjacent index tensors broadcast and stay in place: x[:, [0, 2], [1, 3]] -> [2, 2]: (j, k) = (0, 1), (2, 3)
        assertExact(new double[] {1, 11, 13, 23}, X.index(ALL, Tensor.of(0, 2), Tensor.of(1, 3)), 2, 2);
        // separated index tensors go first: x[[0, 1], :, [1, 2]] -> [2, 3]: rows (i, k) = (0, 1), (1, 2) over j
        assertExact(new double[] {1, 5, 9, 14, 18, 22}, X.index(Tensor.of(0, 1), ALL, Tensor.of(1, 2)), 2, 3);
        // broadcasting: x[[[0], [1]], 0, [1, 3]] -> [2, 2]; ints are selects in PyTorch, so the tensors are adjacent
        assertExact(new double[] {1, 3, 13, 15}, X.index(Tensor.of(new long[] {0, 1}, 2, 1), 0, Tensor.of(1, 3)), 2, 2);
        // an int before a slice does not move the tensor index to the front: x[0, :, [1, 2]] -> [3, 2]
        // (libtorch 2.7.1 through DJL gave shape (3, 2) [1, 2, 5, 6, 9, 10]; NumPy would give (2, 3))
        assertExact(new double[] {1, 2, 5, 6, 9, 10}, X.index(0, ALL, Tensor.of(1, 2)), 3, 2);
        // negative indices wrap: x[0, 0, [-1, -4]] -> [3, 0]
        assertExact(new double[] {3, 0}, X.index(0, 0, Tensor.of(-1, -4)), 2);
        // a bool mask selects in row-major order: x[x > 20] -> [21, 22, 23]; a 1-D mask on dim 1: x[:, [True, False, True]]
        assertExact(new double[] {21, 22, 23}, X.index(X.gt(20)), 3);
        assertArrayEquals(new long[] {2, 2, 4}, X.index(ALL, Tensor.of(new boolean[] {true, false, true}, 3)).shape());
        assertThrowsWith(IndexOutOfBoundsException.class, () -> X.index(Tensor.of(2)), "out of bounds", "2");
        assertThrowsWith(IndexOutOfBoundsException.class, () -> X.index(0, 0, 0, 0), "too many indices");
        assertThrowsWith(IllegalArgumentException.class, () -> X.index("a"), "index", "String");
        assertThrowsWith(IllegalArgumentException.class, () -> X.index(ELLIPSIS, ELLIPSIS), "single ellipsis");
    }

    @Test
    void indexPutWritesOutOfPlace() {
        Tensor x = Tensor.of(new double[] {-1, 2, -3, 4, 5, -6}, 2, 3);
        // y = x.clone(); y[y < 0] = 0
        assertExact(new double[] {0, 2, 0, 4, 5, 0}, x.indexPut(0, x.lt(0)), 2, 3);
        assertExact(new double[] {-1, 2, -3, 4, 5, -6}, x, 2, 3);
        // y[:, 1:] = tensor([10, 20]) (broadcast over rows)
        assertExact(new double[] {-1, 10, 20, 4, 10, 20}, x.indexPut(Tensor.of(10.0, 20.0), ALL, from(1)), 2, 3);
        // y[[0, 1], [2, 0]] = tensor([7, 8])
        assertExact(new double[] {-1, 2, 7, 8, 5, -6}, x.indexPut(Tensor.of(7.0, 8.0), Tensor.of(0, 1), Tensor.of(2, 0)), 2, 3);
        // the last of repeated writes wins; index_put_ with accumulate=True adds them: y[[0, 0], [1, 1]] += [1, 2]
        assertEquals(9, x.indexPut(Tensor.of(3.0, 9.0), Tensor.of(0, 0), Tensor.of(1, 1)).index(0, 1).item());
        Tensor acc = x.indexPut(List.of(Tensor.of(0, 0), Tensor.of(1, 1)), Tensor.of(1.0, 2.0), true);
        assertEquals(5, acc.index(0, 1).item());
        assertThrowsWith(IllegalArgumentException.class, () -> x.indexPut(Tensor.of(1.0, 2.0, 3.0), 0, to(2)),
                "shape mismatch");
        // in place: x[:, 0] = -9 writes into x and bumps its version
        Tensor y = x.clone();
        long version = y.version();
        assertEquals(y, y.indexPut_(-9, ALL, 0));
        assertExact(new double[] {-9, 2, -3, -9, 5, -6}, y, 2, 3);
        assertTrue(y.version() > version);
        // gradients: d/dx of sum(x.indexPut(v, mask)) is 1 off the mask, and d/dv counts the writes
        Tensor leaf = Tensor.of(DType.FLOAT64, new double[] {-1, 2, -3}, 3).requiresGrad(true);
        Tensor v = Tensor.of(DType.FLOAT64, new double[] {5}, 1).requiresGrad(true);
        leaf.indexPut(v, leaf.detach().lt(0)).sum().backward();
        assertExact(new double[] {0, 1, 0}, leaf.grad(), 3);
        assertExact(new double[] {2}, v.grad(), 1);
    }

    @Test
    void reductionsWithoutKeepdim() {
        Tensor m = Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3);
        // torch.sum(m, 1), m.sum((0, 1)), m.mean(0), m.max(1), m.min(0), m.argmax(1), m.var(1), m.prod(1), m.amax(0)
        assertExact(new double[] {9, 12}, m.sum(1), 2);
        assertExact(new double[] {21}, m.sum(0, 1).reshape(1), 1);
        assertExact(new double[] {2.5, 3.5, 4.5}, m.mean(0), 3);
        ValuesIndices max = m.max(1);
        assertExact(new double[] {5, 6}, max.values(), 2);
        assertExact(new double[] {1, 2}, max.indices(), 2);
        assertExact(new double[] {1, 2, 3}, m.min(0).values(), 3);
        assertExact(new double[] {1, 2}, m.argmax(1), 2);
        assertExact(new double[] {0, 1, 0}, m.argmin(0), 3);
        assertClose(new double[] {4, 4}, m.var(1), 2);   // rows (1, 5, 3) and (4, 2, 6): mean 3 and 4, squares 8 / 2
        assertClose(new double[] {2, 2}, m.std(1), 2);
        assertExact(new double[] {15, 48}, m.prod(1), 2);
        assertExact(new double[] {4, 5, 6}, m.amax(0), 3);
        assertExact(new double[] {1, 2, 3}, m.amin(0), 3);
        assertClose(new double[] {Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3))}, m.logsumexp(1).index(to(1)), 1);
        // torch.any(t, 1) / torch.all(t, 0) on [[0, 1, 0], [0, 0, 0]]
        Tensor t = Tensor.of(new double[] {0, 1, 0, 0, 0, 0}, 2, 3);
        assertExact(new double[] {1, 0}, t.any(1), 2);
        assertExact(new double[] {0, 0, 0}, t.all(0), 3);
        assertExact(new double[] {1, 1, 1}, t.add(1).all(0), 3);
        assertEquals(DType.BOOL, t.any(1).dtype());
        // viewAs / reshapeAs / expandAs take the other tensor's shape
        assertArrayEquals(new long[] {3, 2}, m.viewAs(Tensor.zeros(3, 2)).shape());
        assertArrayEquals(new long[] {6}, m.transpose(0, 1).reshapeAs(Tensor.zeros(6)).shape());
        assertArrayEquals(new long[] {4, 2, 3}, m.expandAs(Tensor.zeros(4, 2, 3)).shape());
    }

    @Test
    void functionalNamespaceDelegates() {
        Tensor x = Tensor.of(new double[] {1, -2, 3, 0.5, 0, -1}, 2, 3);
        Tensor w = Tensor.of(new double[] {0.5, 1, -1, 2, 0, 1}, 2, 3), b = Tensor.of(0.1, -0.2);
        assertClose(Linear.linear(x, w, b).toDoubleArray(), F.linear(x, w, b), 2, 2);
        assertClose(x.gelu().toDoubleArray(), F.gelu(x), 2, 3);
        assertClose(x.softplus(2, 1).toDoubleArray(), F.softplus(x, 2, 1), 2, 3);
        assertClose(x.leakyRelu(0.3).toDoubleArray(), F.leakyRelu(x, 0.3), 2, 3);
        // F.normalize: rows divided by their 2-norms sqrt(14) and sqrt(1.25)
        double n0 = Math.sqrt(14), n1 = Math.sqrt(1.25);
        assertClose(new double[] {1 / n0, -2 / n0, 3 / n0, 0.5 / n1, 0, -1 / n1}, F.normalize(x), 2, 3);
        // F.dropout outside training is the identity; F.l1Loss = mean |x - y|
        assertEquals(x, F.dropout(x, 0.5, false));
        assertClose(new double[] {(1 + 2 + 3 + 0.5 + 0 + 1) / 6.0}, F.l1Loss(x, x.zerosLike()));
        assertClose(new double[] {0, 0, 1, 2, 3, 0, 0}, F.pad(Tensor.of(1.0, 2, 3), 2, 2), 7);
    }
}
