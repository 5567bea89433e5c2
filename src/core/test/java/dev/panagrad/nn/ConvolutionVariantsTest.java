package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.panagrad.nn.NumericGrad.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conv1d and ConvTranspose2d against plain double-precision loops, their gradients, shapes and errors. */
class ConvolutionVariantsTest {

    // ---------------------------------------------------------------- Conv1d

    /** y[n, o, t] = b[o] + sum_{c, j} w[o, c, j] x[n, g*C/G + c, t*s - p + j*d], zero outside the input. */
    private static double[] conv1dLoops(Tensor x, Tensor w, Tensor b, int s, int p, int d, int groups) {
        double[] xs = x.toDoubleArray(), ws = w.toDoubleArray(), bs = b == null ? null : b.toDoubleArray();
        int n = (int) x.size(0), c = (int) x.size(1), len = (int) x.size(2);
        int out = (int) w.size(0), cg = (int) w.size(1), k = (int) w.size(2), og = out / groups;
        int lout = (len + 2 * p - d * (k - 1) - 1) / s + 1;
        double[] y = new double[n * out * lout];
        for (int i = 0; i < n; i++) for (int o = 0; o < out; o++) for (int t = 0; t < lout; t++) {
            double acc = bs == null ? 0 : bs[o];
            for (int ci = 0; ci < cg; ci++) for (int j = 0; j < k; j++) {
                int pos = t * s - p + j * d, ch = (o / og) * cg + ci;
                if (pos >= 0 && pos < len) acc += ws[(o * cg + ci) * k + j] * xs[(i * c + ch) * len + pos];
            }
            y[(i * out + o) * lout + t] = acc;
        }
        return y;
    }

    @Test
    void conv1dMatchesLoopsWithStridePaddingDilationGroups() {
        int[][] settings = {{1, 0, 1, 1}, {2, 1, 1, 1}, {1, 2, 2, 1}, {3, 1, 2, 2}};   // stride, padding, dilation, groups
        for (int[] st : settings) {
            Conv1d conv = new Conv1d(4, 6, 3, st[0], st[1], st[2], st[3], true, DType.FLOAT64);
            Tensor x = leaf(3, 2, 4, 11);
            Tensor y = conv.forward(x);
            assertArrayEquals(conv1dLoops(x, conv.weight(), conv.bias(), st[0], st[1], st[2], st[3]),
                    y.toDoubleArray(), 1e-12);
            assertEquals(3, y.dim());
        }
        Conv1d noBias = new Conv1d(2, 3, 2, 1, 0, 1, 1, false, DType.FLOAT64);
        Tensor x = leaf(4, 2, 7);                                           // unbatched [C, L]
        Tensor y = noBias.forward(x);
        assertArrayEquals(new long[] {3, 6}, y.shape());
        assertArrayEquals(conv1dLoops(x.unsqueeze(0), noBias.weight(), null, 1, 0, 1, 1), y.toDoubleArray(), 1e-12);
    }

    @Test
    void conv1dGradientsFirstAndSecondOrder() {
        Tensor x = leaf(1, 2, 4, 7), w = leaf(2, 4, 2, 3), b = leaf(3, 4);
        Gradcheck.gradcheck(in -> Conv1d.conv1d(in[0], in[1], in[2], 2, 1, 1, 2), x, w, b);
        Gradcheck.gradgradcheck(in -> Conv1d.conv1d(in[0], in[1], in[2], 1, 1, 2, 1), leaf(4, 1, 2, 6),
                leaf(5, 3, 2, 2), leaf(6, 3));
    }

    @Test
    void conv1dParametersAndInitialisationAsPyTorch() {
        Conv1d conv = new Conv1d(6, 4, 5, 1, 0, 1, 2, true, DType.FLOAT32);
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.stateDict().keySet()));
        assertArrayEquals(new long[] {4, 3, 5}, conv.weight().shape());
        // weight and bias from U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = in/groups * k = 15
        double bound = 1 / Math.sqrt(15);
        for (Tensor t : conv.parameters()) assertTrue(t.abs().max().item() <= bound);
        assertTrue(conv.weight().abs().max().item() > bound / 2);
        assertEquals("Conv1d(6, 4, kernel_size=(5,), stride=(1,), groups=2)", conv.toString());
    }

    @Test
    void conv1dBadInput() {
        Conv1d conv = new Conv1d(3, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(Tensor.zeros(2, 3, 4, 5)));
        assertTrue(e.getMessage().startsWith("conv1d: expected input of 2 or 3 dims [N, C, L], got [2, 3, 4, 5]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 4, 5)));
        assertTrue(e.getMessage().startsWith("conv1d: weight [2, 3, 2] float32 with groups=1 does not fit input"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 3, 1)));
        assertTrue(e.getMessage().startsWith("conv1d: kernel size can't be greater than actual input size"));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 2, 2, 1, 0, 1, 2, true, DType.FLOAT32));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 2, 0));
    }

    // ---------------------------------------------------------------- ConvTranspose2d

    /**
     * Every input pixel scatters its kernel: y[n, g*O/G + o, h*s - p + i*d, w*s - p + j*d] += x[n, c, h, w] w[c, o, i, j]
     * for c in group g, then the bias; the output size is (H-1)*s - 2p + d*(k-1) + outputPadding + 1.
     */
    private static double[] transposedLoops(Tensor x, Tensor wt, Tensor b, int[] s, int[] p, int[] op, int groups,
                                            int[] d) {
        double[] xs = x.toDoubleArray(), ws = wt.toDoubleArray(), bs = b == null ? null : b.toDoubleArray();
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int og = (int) wt.size(1), kh = (int) wt.size(2), kw = (int) wt.size(3), cg = c / groups, out = og * groups;
        int oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1;
        int ow = (w - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1;
        double[] y = new double[n * out * oh * ow];
        for (int i = 0; i < n; i++) for (int o = 0; o < out; o++) for (int r = 0; r < oh * ow; r++) {
            y[(i * out + o) * oh * ow + r] = bs == null ? 0 : bs[o];
        }
        for (int i = 0; i < n; i++) for (int ci = 0; ci < c; ci++) for (int hh = 0; hh < h; hh++)
            for (int ww = 0; ww < w; ww++) for (int o = 0; o < og; o++) for (int a = 0; a < kh; a++)
                for (int bb = 0; bb < kw; bb++) {
                    int row = hh * s[0] - p[0] + a * d[0], col = ww * s[1] - p[1] + bb * d[1];
                    if (row < 0 || row >= oh || col < 0 || col >= ow) continue;
                    int oc = (ci / cg) * og + o;
                    y[((i * out + oc) * oh + row) * ow + col] += xs[((i * c + ci) * h + hh) * w + ww]
                            * ws[((ci * og + o) * kh + a) * kw + bb];
                }
        return y;
    }

    @Test
    void convTransposeMatchesLoops() {
        // kernel, stride, padding, output padding, groups, dilation
        int[][][] settings = {
                {{3, 3}, {1, 1}, {0, 0}, {0, 0}, {1}, {1, 1}},
                {{2, 2}, {2, 2}, {0, 0}, {0, 0}, {1}, {1, 1}},
                {{3, 2}, {2, 3}, {1, 0}, {1, 2}, {2}, {1, 1}},
                {{2, 3}, {1, 2}, {0, 1}, {1, 0}, {1}, {2, 1}},   // output padding 1 >= stride 1, below dilation 2
        };
        for (int[][] st : settings) {
            ConvTranspose2d up = new ConvTranspose2d(4, 6, st[0], st[1], st[2], st[3], st[4][0], true, st[5],
                    DType.FLOAT64);
            Tensor x = leaf(7, 2, 4, 3, 4);
            assertArrayEquals(transposedLoops(x, up.weight(), up.bias(), st[1], st[2], st[3], st[4][0], st[5]),
                    up.forward(x).toDoubleArray(), 1e-12);
        }
        ConvTranspose2d up = new ConvTranspose2d(2, 3, 2, 2, 0);
        assertArrayEquals(new long[] {3, 10, 12}, up.forward(Tensor.randn(2, 5, 6)).shape());   // unbatched
    }

    @Test
    void convTransposeIsTheAdjointOfConv2d() {
        // <convT(x; w), y> = <x, conv2d(y; w)> for the same weight and settings, without bias
        int[] s = {2, 1}, p = {1, 0}, d = {1, 2};
        Tensor w = leaf(1, 3, 2, 3, 2), x = leaf(2, 2, 3, 4, 5);
        Tensor t = ConvTranspose2d.convTranspose2d(x, w, null, s, p, new int[] {1, 0}, 1, d);
        Tensor y = leaf(3, t.shape());
        Tensor c = Conv2d.conv2d(y, w, null, s, p, d, 1);
        assertArrayEquals(x.shape(), c.shape());
        assertEquals(t.mul(y).sum().item(), x.mul(c).sum().item(), 1e-10);
    }

    @Test
    void convTransposeGradientsFirstAndSecondOrder() {
        int[] s = {2, 1}, p = {1, 0}, op = {1, 0}, d = {1, 1};
        Gradcheck.gradcheck(in -> ConvTranspose2d.convTranspose2d(in[0], in[1], in[2], s, p, op, 2, d),
                leaf(1, 1, 2, 3, 2), leaf(2, 2, 2, 2, 2), leaf(3, 4));
        Gradcheck.gradgradcheck(in -> ConvTranspose2d.convTranspose2d(in[0], in[1], in[2], 1, 0),
                leaf(4, 1, 2, 2, 2), leaf(5, 2, 1, 2, 2), leaf(6, 1));
    }

    @Test
    void convTransposeParametersAndInitialisationAsPyTorch() {
        ConvTranspose2d up = new ConvTranspose2d(6, 4, new int[] {3, 2}, new int[] {2, 2}, new int[] {0, 0},
                new int[] {1, 1}, 2, true, new int[] {1, 1}, DType.FLOAT32);
        assertArrayEquals(new long[] {6, 2, 3, 2}, up.weight().shape());   // [in, out/groups, kh, kw]
        assertArrayEquals(new long[] {4}, up.bias().shape());
        double bound = 1 / Math.sqrt(2 * 3 * 2);                            // fanIn = weight.size(1) * kh * kw
        for (Tensor t : up.parameters()) assertTrue(t.abs().max().item() <= bound);
        assertEquals("ConvTranspose2d(6, 4, kernel_size=(3, 2), stride=(2, 2), output_padding=(1, 1), groups=2)",
                up.toString());
    }

    @Test
    void convTransposeBadInput() {
        ConvTranspose2d up = new ConvTranspose2d(3, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> up.forward(Tensor.zeros(1, 2, 4, 4)));
        assertTrue(e.getMessage().startsWith("convTranspose2d: weight [3, 2, 3, 3] float32 with groups=1 does not fit"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> up.forward(Tensor.zeros(4, 4)));
        assertTrue(e.getMessage().startsWith("convTranspose2d: expected a 3-D [C, H, W] or 4-D"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvTranspose2d(2, 2, new int[] {2, 2},
                new int[] {2, 2}, new int[] {0, 0}, new int[] {2, 0}, 1, true, new int[] {1, 1}, DType.FLOAT32));
        assertTrue(e.getMessage().contains("output padding must be smaller than either stride or dilation"));
        e = assertThrows(IllegalArgumentException.class, () -> ConvTranspose2d.convTranspose2d(Tensor.zeros(1, 1, 1, 1),
                Tensor.zeros(1, 1, 1, 1), null, 1, 1));
        assertTrue(e.getMessage().contains("is too small"), e.getMessage());
    }
}
