package dev.panagrad;

import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * toString follows PyTorch's printing rules (torch/_tensor_str.py with default options: precision 4, threshold
 * 1000, edgeitems 3, linewidth 80). Each expected string is derived from those rules; the comments say which.
 */
class FormatTest {

    private static Tensor f32(float... v) {
        return Tensor.of(v);
    }

    @Test
    void fourDecimalsAndIntegralFloats() {
        assertEquals("tensor([1., 2.])", f32(1, 2).toString());                        // integral floats print as "1."
        assertEquals("tensor([1.5000, 2.2500])", f32(1.5f, 2.25f).toString());          // otherwise 4 decimals
        assertEquals("tensor([0.3333, 0.6667], dtype=float64)", Tensor.ofDoubles(1 / 3.0, 2 / 3.0).toString());
        assertEquals("tensor(2.5000)", Tensor.of(2.5).toString());                      // 0-dim: no brackets
        assertEquals("tensor(3.)", Tensor.of(3.0).toString());
        assertEquals("tensor(3)", Tensor.of(3).toString());   // an int literal gives int64, as torch.tensor(3)
        assertEquals("tensor(3)", Tensor.scalar(DType.INT64, 3).toString());
        assertEquals("tensor([0., 0.])", Tensor.zeros(2).toString());                   // no nonzero value: integral style
        assertEquals("tensor([-0., 1.])", f32(-0.0f, 1).toString());                    // Python keeps the sign of -0
        // Python rounds the exact binary value half to even: 0.03125 -> 0.0312 (Java's %.4f would give 0.0313)
        assertEquals("tensor([0.0312, 1.0000])", f32(0.03125f, 1).toString());
    }

    @Test
    void paddingToACommonWidth() {
        // widths "-1.5000" 7, "10.2500" 7, "100.0000" 8: all padded on the left to 8
        assertEquals("tensor([ -1.5000,  10.2500, 100.0000])", f32(-1.5f, 10.25f, 100).toString());
        // integral mode: "1." 2, "-10." 4, "100." 4
        assertEquals("tensor([  1., -10., 100.])", f32(1, -10, 100).toString());
        assertEquals("tensor([  1, -10, 100])", Tensor.of(new long[] {1, -10, 100}, 3).toString());
        assertEquals("tensor([ True, False])", Tensor.of(new boolean[] {true, false}, 2).toString());
        // the width comes from nonzero finite values only: "1." is 2 wide, "nan" and "inf" are not padded to it
        assertEquals("tensor([nan, 1.])", f32(Float.NaN, 1).toString());
        assertEquals("tensor([   inf, 1.5000])", f32(Float.POSITIVE_INFINITY, 1.5f).toString());
        assertEquals("tensor([-inf, nan])", f32(Float.NEGATIVE_INFINITY, Float.NaN).toString());
    }

    @Test
    void scientificNotation() {
        // integral values whose magnitudes span more than 1000x
        assertEquals("tensor([1.0000e+00, 1.0000e+04])", f32(1, 10000).toString());
        assertEquals("tensor([   1., 1000.])", f32(1, 1000).toString(), "a ratio of exactly 1000 stays fixed");
        // integral values above 1e8
        assertEquals("tensor([1.0000e+10, 1.0000e+00])", f32(1e10f, 1).toString());
        // fractions below 1e-4, or spanning more than 1000x
        assertEquals("tensor([1.0000e-05, 1.0000e+00])", f32(1e-5f, 1).toString());
        assertEquals("tensor([1.0000e-04, 1.0000e+00])", f32(1e-4f, 1).toString());
        assertEquals("tensor([0.0010, 0.5000])", f32(0.001f, 0.5f).toString());        // ratio 500: fixed
        assertEquals("tensor([-1.0000e-05,  1.0000e+00])", f32(-1e-5f, 1).toString());
        assertEquals("tensor([1.2346e+05, 1.0000e-01])", f32(123456, 0.1f).toString());
    }

    @Test
    void nestedBracketsAndIndentation() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]])", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
        // dims of rank 3 are separated by a blank line; each level indents one more space
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
                Tensor.arange(DType.FLOAT32, 0, 8, 1).reshape(2, 2, 2).toString());
        // a transposed view prints in its logical order
        assertEquals("tensor([[1., 3.],\n        [2., 4.]])", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().toString());
    }

    @Test
    void longRowsWrapAtEightyColumns() {
        // width 3 ("29."): floor((80 - 7) / (3 + 2)) = 14 elements per line, continuation indented by 8
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                        + "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
                        + "        28., 29.])",
                Tensor.arange(DType.FLOAT32, 0, 30, 1).toString());
        // rows of a matrix start at indent 8: floor(72 / 5) = 14 per line, continuation indented by 9
        assertEquals("tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                        + "         14., 15., 16., 17., 18., 19.],\n"
                        + "        [20., 21., 22., 23., 24., 25., 26., 27., 28., 29., 30., 31., 32., 33.,\n"
                        + "         34., 35., 36., 37., 38., 39.]])",
                Tensor.arange(DType.FLOAT32, 0, 40, 1).reshape(2, 20).toString());
    }

    @Test
    void summarisedAboveAThousandElements() {
        // 1-D: three edge items each side around " ..." (which joins as ",  ...,")
        assertEquals("tensor([   0,    1,    2,  ..., 9997, 9998, 9999])", Tensor.arange(10000).toString());
        // rows: "..." on a line of its own
        assertEquals("tensor([[0., 0.],\n        [0., 0.],\n        [0., 0.],\n        ...,\n"
                + "        [0., 0.],\n        [0., 0.],\n        [0., 0.]])", Tensor.zeros(1001, 2).toString());
        // the style is chosen from the shown elements only: a hidden 0.5 does not switch to 4 decimals
        Tensor x = Tensor.arange(DType.FLOAT32, 1000, 3000, 1);
        x.narrow(0, 1000, 1).fill_(0.5);
        assertEquals("tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.])", x.toString());
        // exactly 1000 elements are not summarised
        assertEquals(1000, Tensor.zeros(1000).toString().split(",").length);
    }

    @Test
    void emptyTensors() {
        assertEquals("tensor([])", Tensor.zeros(0).toString());
        assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());        // shape shown unless 1-D
        assertEquals("tensor([], dtype=int64)", Tensor.arange(0).toString());           // dtype shown unless float32
        assertEquals("tensor([], dtype=bool)", Tensor.zeros(DType.BOOL, 0).toString());
        assertEquals("tensor([], size=(0, 3), dtype=float64)", Tensor.zeros(DType.FLOAT64, 0, 3).toString());
    }

    @Test
    void suffixes() {
        assertEquals("tensor([1., 2.], dtype=float64)", Tensor.ofDoubles(1, 2).toString());
        assertEquals("tensor([1., 2.], requiresGrad=true)", f32(1, 2).requiresGrad(true).toString());
        Tensor x = Tensor.of(2.0).requiresGrad(true);
        assertEquals("tensor(4., gradFn=<MulBackward0>)", x.mul(x).toString());
        assertEquals("tensor([2., 4.], dtype=float64, requiresGrad=true)",
                Tensor.ofDoubles(2, 4).requiresGrad(true).toString());
        // a suffix that would pass column 80 goes on its own line, indented by 7:
        // the tensor line is 67 characters, and 67 + 2 + 2 + "dtype=float64".length() > 80
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.],\n       dtype=float64)",
                Tensor.arange(DType.FLOAT64, 0, 12, 1).toString());
    }

    @Test
    void releasedTensorsSayWhatTheyWere() {
        Tensor t;
        try (Scope s = Scope.open()) {
            t = Tensor.zeros(2, 3);
        }
        assertEquals("tensor(<released> [2, 3] float32)", t.toString());
    }
}
