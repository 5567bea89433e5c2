package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.panagrad.Ref.assertClose;
import static dev.panagrad.Ref.assertExact;
import static dev.panagrad.Ref.assertThrowsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forward values of the ops added for PyTorch parity. Expected values are either the examples printed in
 * PyTorch's documentation for the op (marked "docs"), or computed here in double precision from the formula
 * that documentation states (marked "formula"); gradients are in MoreOpsGradcheckTest. Round-half-even,
 * the stable sort with NaN and -inf, argsort along dim 0, topk and cumprod were also run once on libtorch
 * 2.7.1 (through DJL), which gave the values written here.
 */
class MoreOpsTest {

    private static final double[] X = {-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 3.7};

    /** Checks op against a formula elementwise on X, in float64 and float32. */
    private static void formula(UnaryOperator<Tensor> op, DoubleUnaryOperator f) {
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            double[] in = dt == DType.FLOAT32 ? Ref.asFloats(X) : X;
            double[] want = new double[in.length];
            for (int i = 0; i < in.length; i++) want[i] = f.applyAsDouble(in[i]);
            Tensor y = op.apply(Tensor.of(dt, X, X.length));
            assertEquals(dt, y.dtype());
            assertClose(want, y, X.length);
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void activationsFollowTheirDocumentedFormulas() {
        // formula (torch.nn.functional docs): leaky_relu = max(0,x) + slope min(0,x); elu = x or alpha (e^x - 1);
        // selu = scale (max(0,x) + min(0, alpha (e^x - 1))); silu = x sigmoid(x); mish = x tanh(softplus(x));
        // hardtanh = clamp(x, min, max)
        formula(x -> x.leakyRelu(0.1), x -> Math.max(0, x) + 0.1 * Math.min(0, x));
        formula(x -> x.elu(0.7), x -> x > 0 ? x : 0.7 * (Math.exp(x) - 1));
        double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
        formula(Tensor::selu, x -> scale * (Math.max(0, x) + Math.min(0, alpha * (Math.exp(x) - 1))));
        formula(Tensor::silu, x -> x * sigmoid(x));
        formula(Tensor::mish, x -> x * Math.tanh(Math.log1p(Math.exp(x))));
        formula(x -> x.hardtanh(-0.5, 2), x -> Math.min(2, Math.max(-0.5, x)));
        // gelu(approximate='tanh') = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        formula(x -> x.gelu("tanh"), x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
        // softplus(beta, threshold) = log(1 + e^(beta x)) / beta, x where beta x > threshold
        formula(x -> x.softplus(2, 3), x -> 2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(1.0).gelu("fast"), "gelu", "tanh");
    }

    @Test
    void roundingAndInverseTrig() {
        // docs: torch.round([4.7, -2.3, 9.1, -7.7]) = [5, -2, 9, -8]; halves go to even: [-0.5, 0.5, 1.5, 2.5] -> [-0, 0, 2, 2]
        assertExact(new double[] {5, -2, 9, -8}, Tensor.of(4.7, -2.3, 9.1, -7.7).round(), 4);
        assertExact(new double[] {-0.0, 0, 2, 2}, Tensor.of(-0.5, 0.5, 1.5, 2.5).round(), 4);
        // docs: torch.frac([1, 2.5, -3.2]) = [0, 0.5, -0.2]
        assertClose(new double[] {0, 0.5, -0.2}, Tensor.ofDoubles(1, 2.5, -3.2).frac(), 3);
        formula(Tensor::floor, Math::floor);
        formula(Tensor::ceil, Math::ceil);
        formula(Tensor::trunc, x -> x < 0 ? Math.ceil(x) : Math.floor(x));
        formula(x -> x.mul(0.25).asin(), x -> Math.asin(x * 0.25));
        formula(x -> x.mul(0.25).acos(), x -> Math.acos(x * 0.25));
        formula(Tensor::atan, Math::atan);
        // asinh x = log(x + sqrt(x^2 + 1)); acosh x = log(x + sqrt(x^2 - 1)); atanh x = log((1 + x) / (1 - x)) / 2
        formula(Tensor::asinh, x -> Math.log(x + Math.sqrt(x * x + 1)));
        formula(x -> x.abs().add(1), x -> Math.abs(x) + 1);
        formula(x -> x.abs().add(1).acosh(), x -> {
            double y = Math.abs(x) + 1;
            return Math.log(y + Math.sqrt(y * y - 1));
        });
        formula(x -> x.mul(0.25).atanh(), x -> 0.5 * Math.log((1 + x * 0.25) / (1 - x * 0.25)));
        // integer inputs keep their dtype through floor, and give float32 through asin
        assertEquals(DType.INT64, Tensor.of(1L, 2L).floor().dtype());
        assertEquals(DType.FLOAT32, Tensor.of(0L, 1L).asin().dtype());
    }

    @Test
    void atan2FmodRemainder() {
        // atan2(y, x) is the angle of (x, y): quadrants from the signs
        Tensor y = Tensor.ofDoubles(1, 1, -1, -1, 0), x = Tensor.ofDoubles(1, -1, -1, 1, -1);
        assertClose(new double[] {Math.PI / 4, 3 * Math.PI / 4, -3 * Math.PI / 4, -Math.PI / 4, Math.PI}, y.atan2(x), 5);
        // docs: torch.fmod([-3., -2, -1, 1, 2, 3], 2) = [-1, -0, -1, 1, 0, 1]; fmod([1, 2, 3, 4, 5], -1.5) = [1, 0.5, 0, 1, 0.5]
        assertExact(new double[] {-1, -0.0, -1, 1, 0, 1}, Tensor.of(-3.0, -2, -1, 1, 2, 3).fmod(2), 6);
        assertExact(new double[] {1, 0.5, 0, 1, 0.5}, Tensor.of(1.0, 2, 3, 4, 5).fmod(-1.5), 5);
        // docs: torch.remainder([-3., -2, -1, 1, 2, 3], 2) = [1, 0, 1, 1, 0, 1]; remainder([1, 2, 3, 4, 5], -1.5) = [-0.5, -1, 0, -0.5, -1]
        assertExact(new double[] {1, 0, 1, 1, 0, 1}, Tensor.of(-3.0, -2, -1, 1, 2, 3).remainder(2), 6);
        assertExact(new double[] {-0.5, -1, 0, -0.5, -1}, Tensor.of(1.0, 2, 3, 4, 5).remainder(-1.5), 5);
        // integers stay integers: -7 % 3 is -1 (fmod) and 2 (remainder)
        Tensor seven = Tensor.of(-7L);
        assertEquals(DType.INT64, seven.remainder(3).dtype());
        assertEquals(-1, seven.fmod(3).item());
        assertEquals(2, seven.remainder(3).item());
    }

    @Test
    void lerpAddcmulAddcdivWhere() {
        // docs: torch.lerp(arange(1., 5.), full(4, 10.), 0.5) = [5.5, 6, 6.5, 7]; with weight full(0.5) the same
        Tensor start = Tensor.of(1.0, 2, 3, 4), end = Tensor.full(10, 4);
        assertClose(new double[] {5.5, 6, 6.5, 7}, start.lerp(end, 0.5), 4);
        assertClose(new double[] {5.5, 6, 6.5, 7}, start.lerp(end, Tensor.full(0.5, 4)), 4);
        // formula: start + w (end - start), here with w = 0.75 and w = -0.5
        assertClose(new double[] {7.75, 8, 8.25, 8.5}, start.lerp(end, 0.75), 4);
        assertClose(new double[] {-3.5, -2, -0.5, 1}, start.lerp(end, -0.5), 4);
        // formula: self + value * t1 * t2, self + value * t1 / t2
        Tensor a = Tensor.of(1.0, 2), b = Tensor.of(3.0, 4), c = Tensor.of(2.0, -8);
        assertClose(new double[] {4, -14}, a.addcmul(b, c, 0.5), 2);
        assertClose(new double[] {-2, 3}, a.addcdiv(b, c, -2), 2);
        // where with scalars on both sides is float32, as torch.where(cond, 1.0, 0.0)
        Tensor w = Tensor.where(Tensor.of(new boolean[] {true, false}, 2), 1.5, -2);
        assertEquals(DType.FLOAT32, w.dtype());
        assertExact(new double[] {1.5, -2}, w, 2);
    }

    @Test
    void scans() {
        // docs: cumsum of [1, 2, 3, 4] along 0 is [1, 3, 6, 10]; cumprod [1, 2, 3, 4] -> [1, 2, 6, 24]
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertExact(new double[] {1, 3, 6, 4, 9, 15}, m.cumsum(1), 2, 3);
        assertExact(new double[] {1, 2, 3, 5, 7, 9}, m.cumsum(0), 2, 3);
        assertExact(new double[] {1, 2, 6, 24}, Tensor.of(1.0, 2, 3, 4).cumprod(0), 4);
        assertExact(new double[] {1, 2, 6, 4, 20, 120}, m.cumprod(-1), 2, 3);
        // integer and bool inputs accumulate in int64, as torch.cumsum
        Tensor ints = Tensor.of(new boolean[] {true, true, false, true}, 4).cumsum(0);
        assertEquals(DType.INT64, ints.dtype());
        assertExact(new double[] {1, 2, 2, 3}, ints, 4);
    }

    @Test
    void sortingTopkUnique() {
        // docs: torch.topk(arange(1., 6.), 3) = values [5, 4, 3], indices [4, 3, 2]
        ValuesIndices top = Tensor.of(1.0, 2, 3, 4, 5).topk(3);
        assertExact(new double[] {5, 4, 3}, top.values(), 3);
        assertExact(new double[] {4, 3, 2}, top.indices(), 3);
        // stable: equal values keep their order; NaN sorts above +inf (ascending last, descending first)
        Tensor x = Tensor.ofDoubles(2, Double.NaN, 1, 2, Double.NEGATIVE_INFINITY);
        ValuesIndices up = x.sort(), down = x.sort(0, true);
        assertExact(new double[] {Double.NEGATIVE_INFINITY, 1, 2, 2, Double.NaN}, up.values(), 5);
        assertExact(new double[] {4, 2, 0, 3, 1}, up.indices(), 5);
        assertExact(new double[] {1, 0, 3, 2, 4}, down.indices(), 5);
        assertExact(new double[] {4, 2, 0, 3, 1}, x.argsort(), 5);
        // along dim 0 of a matrix
        Tensor m = Tensor.of(new double[] {3, 1, 2, 5, 1, 4}, 3, 2);
        assertExact(new double[] {1, 1, 2, 4, 3, 5}, m.sort(0, false).values(), 3, 2);
        assertExact(new double[] {2, 0, 1, 2, 0, 1}, m.sort(0, false).indices(), 3, 2);
        assertExact(new double[] {2, 0}, m.topk(1, 0, false, true).indices(), 1, 2);
        assertThrowsWith(IndexOutOfBoundsException.class, () -> m.topk(4, 0, true, true), "topk", "k");
        // docs: torch.unique(tensor([1, 3, 2, 3]), return_inverse=True) = [1, 2, 3], inverse [0, 2, 1, 2]
        Unique u = Tensor.of(1L, 3L, 2L, 3L).unique(true, true);
        assertEquals(DType.INT64, u.values().dtype());
        assertExact(new double[] {1, 2, 3}, u.values(), 3);
        assertExact(new double[] {0, 2, 1, 2}, u.inverse(), 4);
        assertExact(new double[] {1, 1, 2}, u.counts(), 3);
        assertNull(Tensor.of(1.0).unique(false, false).inverse());
    }

    @Test
    void norms() {
        // docs (torch.linalg.vector_norm): a = arange(9) - 4: 2-norm 7.7460, inf 4, -inf 0, 1-norm 20, 0-norm 8, 3.5-norm 5.4345
        Tensor a = Tensor.arange(DType.FLOAT64, -4, 5, 1);
        assertClose(new double[] {Math.sqrt(60)}, a.norm());
        assertEquals(4, a.norm(Double.POSITIVE_INFINITY).item());
        assertEquals(0, a.norm(Double.NEGATIVE_INFINITY).item());
        assertEquals(20, a.norm(1).item());
        assertEquals(8, a.norm(0).item());
        assertEquals(5.4345, a.norm(3.5).item(), 5e-5);
        // formula over a dim: rows [3, 4] and [0, 0] give 5 and 0, and the gradient at the zero row is 0, not NaN
        Tensor m = Tensor.of(DType.FLOAT64, new double[] {3, 4, 0, 0}, 2, 2).requiresGrad(true);
        Tensor n = m.norm(2, 1);
        assertExact(new double[] {5, 0}, n, 2);
        n.sum().backward();
        assertClose(new double[] {0.6, 0.8, 0, 0}, m.grad(), 2, 2);
        assertClose(new double[] {5, 0}, m.detach().norm(2, new int[] {1}, true), 2, 1);
    }

    @Test
    void rearranging() {
        // docs: torch.flip(arange(8).view(2, 2, 2), [0, 1]) = [[[6, 7], [4, 5]], [[2, 3], [0, 1]]]
        assertExact(new double[] {6, 7, 4, 5, 2, 3, 0, 1}, Tensor.arange(8).view(2, 2, 2).flip(0, 1), 2, 2, 2);
        // docs: x = tensor([1..8]).view(4, 2): roll(x, 1) = [[8, 1], [2, 3], [4, 5], [6, 7]];
        // roll(x, 1, 0) = [[7, 8], [1, 2], [3, 4], [5, 6]]; roll(x, -1, 0) = [[3, 4], [5, 6], [7, 8], [1, 2]];
        // roll(x, shifts=(2, 1), dims=(0, 1)) = [[6, 5], [8, 7], [2, 1], [4, 3]]
        Tensor x = Tensor.of(1L, 2, 3, 4, 5, 6, 7, 8).view(4, 2);
        assertExact(new double[] {8, 1, 2, 3, 4, 5, 6, 7}, x.roll(1), 4, 2);
        assertExact(new double[] {7, 8, 1, 2, 3, 4, 5, 6}, x.roll(1, 0), 4, 2);
        assertExact(new double[] {3, 4, 5, 6, 7, 8, 1, 2}, x.roll(-1, 0), 4, 2);
        assertExact(new double[] {6, 5, 8, 7, 2, 1, 4, 3}, x.roll(new long[] {2, 1}, new int[] {0, 1}), 4, 2);
        // docs: tensor([1, 2, 3]).repeat(4, 2) is [4, 6] rows of [1, 2, 3, 1, 2, 3]; repeat(4, 2, 1) has size [4, 2, 3]
        Tensor v = Tensor.of(1L, 2, 3);
        Tensor r = v.repeat(4, 2);
        assertExact(new double[] {1, 2, 3, 1, 2, 3}, r.select(0, 3), 6);
        assertEquals(java.util.List.of(4L, 6L), java.util.Arrays.stream(r.shape()).boxed().toList());
        assertEquals(java.util.List.of(4L, 2L, 3L), java.util.Arrays.stream(v.repeat(4, 2, 1).shape()).boxed().toList());
        // docs: tile([1, 2, 3], (2,)) = [1, 2, 3, 1, 2, 3]; tile([[1, 2], [3, 4]], (2, 2)) = 4 x 4 of the block
        assertExact(new double[] {1, 2, 3, 1, 2, 3}, v.tile(2), 6);
        assertExact(new double[] {1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4},
                Tensor.of(1L, 2, 3, 4).view(2, 2).tile(2, 2), 4, 4);
        // formula: tril keeps j - i <= k, triu keeps j - i >= k
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertExact(new double[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, m.tril(), 3, 3);
        assertExact(new double[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, m.triu(1), 3, 3);
        assertExact(new double[] {1, 2, 0, 4, 5, 6, 7, 8, 9}, m.tril(1), 3, 3);
        // docs-style: diag of a vector on diagonal 1 is 4 x 4; diag(m) = [1, 5, 9], diag(m, -1) = [4, 8]
        assertExact(new double[] {0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0}, Tensor.of(1.0, 2, 3).diag(1), 4, 4);
        assertExact(new double[] {1, 5, 9}, m.diag(), 3);
        assertExact(new double[] {4, 8}, m.diag(-1), 2);
        assertExact(new double[] {3}, m.diag(2), 1);
    }

    @Test
    void padding() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        // formula (F.pad): (1, 2) pads the last dim with 1 before and 2 after
        assertExact(new double[] {9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9, 9}, x.pad(new long[] {1, 2}, "constant", 9), 2, 6);
        // reflect mirrors without repeating the edge: [1, 2, 3] with (2, 1) -> [3, 2, 1, 2, 3, 2]
        assertExact(new double[] {3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}, x.pad(new long[] {2, 1}, "reflect", 0), 2, 6);
        // replicate repeats the edge; circular wraps around
        assertExact(new double[] {1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 6, 6}, x.pad(new long[] {1, 2}, "replicate", 0), 2, 6);
        assertExact(new double[] {3, 1, 2, 3, 1, 6, 4, 5, 6, 4, 3, 1, 2, 3, 1}, x.pad(new long[] {1, 1, 0, 1}, "circular", 0), 3, 5);
        // two dims and cropping with negative padding
        assertExact(new double[] {0, 0, 2, 3, 5, 6}, x.pad(-1, 0, 1, 0), 3, 2);
        assertThrowsWith(IllegalArgumentException.class, () -> x.pad(new long[] {3, 0}, "reflect", 0), "pad", "reflect");
        assertThrowsWith(IllegalArgumentException.class, () -> x.pad(1, 2, 3), "pad", "divisible by 2");
    }

    @Test
    void selection() {
        // docs: torch.take(tensor([[4, 3, 5], [6, 7, 8]]), tensor([0, 2, 5])) = [4, 5, 8]
        Tensor src = Tensor.of(4L, 3, 5, 6, 7, 8).view(2, 3);
        assertExact(new double[] {4, 5, 8}, src.take(Tensor.of(0L, 2, 5)), 3);
        assertExact(new double[] {8, 4}, src.take(Tensor.of(-1L, 0)), 2);
        // docs: F.one_hot(arange(0, 5) % 3) = [[1,0,0],[0,1,0],[0,0,1],[1,0,0],[0,1,0]]
        Tensor oh = Tensor.arange(5).remainder(3).oneHot(-1);
        assertEquals(DType.INT64, oh.dtype());
        assertExact(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0}, oh, 5, 3);
        assertExact(new double[] {0, 1, 0, 0, 0, 0, 0, 1}, Tensor.of(1L, 3).oneHot(4), 2, 4);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.of(1L, 3).oneHot(3), "one_hot", "num_classes");
        // docs: torch.nonzero(tensor([1, 1, 1, 0, 1])) = [[0], [1], [2], [4]];
        // nonzero(tensor([[0.6, 0, 0, 0], [0, 0.4, 0, 0], [0, 0, 1.2, 0], [0, 0, 0, -0.4]])) = the diagonal coordinates
        assertExact(new double[] {0, 1, 2, 4}, Tensor.of(1L, 1, 1, 0, 1).nonzero(), 4, 1);
        assertExact(new double[] {0, 0, 1, 1, 2, 2, 3, 3}, Tensor.eye(4).mul(0.5).nonzero(), 4, 2);
        // masked_select broadcasts the mask: rows of [1, 2, 3; 4, 5, 6] at columns 0 and 2
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertExact(new double[] {1, 3, 4, 6}, x.maskedSelect(Tensor.of(new boolean[] {true, false, true}, 3)), 4);
        // docs: src = arange(1, 11).view(2, 5); zeros(3, 5).scatter_(0, tensor([[0, 1, 2, 0]]), src)
        //   = [[1, 0, 0, 4, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]]
        // zeros(3, 5).scatter_(1, tensor([[0, 1, 2], [0, 1, 4]]), src) = [[1, 2, 3, 0, 0], [6, 7, 0, 0, 8], [0, 0, 0, 0, 0]]
        Tensor s = Tensor.arange(DType.FLOAT32, 1, 11, 1).view(2, 5);
        assertExact(new double[] {1, 0, 0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0},
                Tensor.zeros(3, 5).scatter(0, Tensor.of(new long[] {0, 1, 2, 0}, 1, 4), s), 3, 5);
        assertExact(new double[] {1, 2, 3, 0, 0, 6, 7, 0, 0, 8, 0, 0, 0, 0, 0},
                Tensor.zeros(3, 5).scatter(1, Tensor.of(new long[] {0, 1, 2, 0, 1, 4}, 2, 3), s), 3, 5);
        // docs: full((2, 4), 2.).scatter_(1, tensor([[2], [3]]), 1.23) puts 1.23 at [0][2] and [1][3]
        assertClose(new double[] {2, 2, 1.23, 2, 2, 2, 2, 1.23},
                Tensor.full(2, 2, 4).scatter(1, Tensor.of(new long[] {2, 3}, 2, 1), 1.23), 2, 4);
        // index_add / index_put with accumulate add repeated positions up
        Tensor base = Tensor.zeros(3);
        assertExact(new double[] {1, 0, 5}, base.indexAdd(0, Tensor.of(2L, 0, 2), Tensor.of(2.0, 1, 3)), 3);
        assertExact(new double[] {1, 0, 5}, base.indexPut(java.util.List.of(Tensor.of(2L, 0, 2)), Tensor.of(2.0, 1, 3), true), 3);
    }

    @Test
    void einsum() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {1, 0, 2, 1, -1, 3}, 3, 2);
        // formula: "ij,jk->ik" is the matrix product; "ij->ji" the transpose; "ij->" the sum; "ii" the trace
        assertClose(a.matmul(b).toDoubleArray(), Tensor.einsum("ij,jk->ik", a, b), 2, 2);
        assertClose(a.matmul(b).toDoubleArray(), Tensor.einsum("ij,jk", a, b), 2, 2);
        assertClose(a.t().contiguous().toDoubleArray(), Tensor.einsum("ij->ji", a), 3, 2);
        assertClose(new double[] {21}, Tensor.einsum("ij->", a));
        Tensor sq = a.matmul(b);
        assertClose(new double[] {sq.diag().sum().item()}, Tensor.einsum("ii", sq));
        assertClose(sq.diag().toDoubleArray(), Tensor.einsum("ii->i", sq), 2);
        // "i,j->ij" is the outer product; "bij,bjk->bik" the batched product; "...ij,...j->...i" a batched matvec
        Tensor u = Tensor.ofDoubles(1, 2), v = Tensor.ofDoubles(3, 4, 5);
        assertClose(new double[] {3, 4, 5, 6, 8, 10}, Tensor.einsum("i,j->ij", u, v), 2, 3);
        Tensor batch = Tensor.stack(java.util.List.of(a, a.mul(2)), 0);
        assertClose(batch.matmul(b).toDoubleArray(), Tensor.einsum("bij,jk->bik", batch, b), 2, 2, 2);
        assertClose(batch.matmul(v).toDoubleArray(), Tensor.einsum("...ij,...j->...i", batch, v), 2, 2);
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ij,jk->ik", a), "einsum", "operands");
        assertThrowsWith(IllegalArgumentException.class, () -> Tensor.einsum("ijk->i", a), "einsum", "subscripts");
        assertTrue(Tensor.einsum("ij,ij->ij", a, a).sub(a.square()).abs().max().item() == 0);
    }

    @Test
    void emptyAndZeroDimInputs() {
        // torch.tensor(3.).norm() = 3; cumsum/cumprod/sort of a 0-dim tensor return it (index 0)
        Tensor three = Tensor.of(-3.0);
        assertEquals(3, three.norm().item());
        assertEquals(-3, three.cumsum(0).item());
        assertEquals(-3, three.cumprod(0).item());
        assertEquals(0, three.sort(0, false).indices().item());
        assertEquals(-3, three.index(Index.ELLIPSIS).item());
        // empty inputs give empty outputs of the same shape
        Tensor empty = Tensor.zeros(2, 0);
        for (Tensor t : new Tensor[] {empty.cumsum(1), empty.cumprod(1), empty.sort(1, false).values(), empty.flip(1),
                empty.roll(1, 1), empty.topk(0, 1, true, true).values(), empty.tril(), empty.repeat(2, 3)}) {
            assertEquals(0, t.numel());
        }
        assertEquals(0, Tensor.of(1.0, 2).topk(0).values().numel());
        assertEquals(0, Tensor.zeros(3).take(Tensor.zeros(DType.INT64, 0)).numel());
        assertEquals(0, Tensor.zeros(0).unique().numel());
        assertEquals(0, Tensor.zeros(3).nonzero().size(0));
    }

    @Test
    void gradFnNamesFollowPyTorch() {
        // the names PyTorch prints for these ops' grad_fn (selu records EluBackward0 there too)
        Tensor x = Tensor.of(new double[] {0.5, -1, 2, -0.3, 1.5, 0.7}, 2, 3).requiresGrad(true);
        java.util.Map<String, Tensor> cases = new java.util.LinkedHashMap<>();
        cases.put("LeakyReluBackward0", x.leakyRelu());
        cases.put("EluBackward0", x.selu());
        cases.put("SiluBackward0", x.silu());
        cases.put("MishBackward0", x.mish());
        cases.put("HardtanhBackward0", x.hardtanh());
        cases.put("FloorBackward0", x.floor());
        cases.put("AsinBackward0", x.mul(0.1).asin());
        cases.put("Atan2Backward0", x.atan2(x));
        cases.put("CumsumBackward0", x.cumsum(1));
        cases.put("CumprodBackward0", x.cumprod(1));
        cases.put("SortBackward0", x.sort().values());
        cases.put("TopkBackward0", x.topk(2).values());
        cases.put("LinalgVectorNormBackward0", x.norm());
        cases.put("FlipBackward0", x.flip(0));
        cases.put("RollBackward0", x.roll(1, 1));
        cases.put("RepeatBackward0", x.repeat(2, 1));
        cases.put("TrilBackward0", x.tril());
        cases.put("TriuBackward0", x.triu());
        cases.put("TakeBackward0", x.take(Tensor.of(0, 4)));
        cases.put("MaskedSelectBackward0", x.maskedSelect(x.detach().gt(0)));
        cases.put("IndexBackward0", x.index(Tensor.of(1, 0)));
        cases.put("ScatterBackward0", x.scatter(1, Tensor.of(new long[] {2, 0}, 2, 1), 1.0));
        cases.put("IndexPutBackward0", x.indexPut(0, x.detach().lt(0)));
        cases.put("LerpBackward0", x.lerp(x.detach(), 0.3));
        cases.put("LerpBackward1", x.lerp(x.detach(), x.detach()));
        cases.put("AddcmulBackward0", x.addcmul(x, x));
        cases.put("AddcdivBackward0", x.addcdiv(x, x));
        cases.forEach((name, y) -> assertEquals(name, y.gradFn().name(), name));
    }
}
