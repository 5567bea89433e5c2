package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.autograd.Gradcheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.panagrad.nn.NumericGrad.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LSTM, GRU and their cells against PyTorch's equations written as plain double-precision loops. */
class RecurrentTest {

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** a[row] . x + b[row] (b may be null) for row in [row0, row0 + h). */
    private static double[] rows(double[] a, double[] b, double[] x, int row0, int h) {
        double[] y = new double[h];
        for (int r = 0; r < h; r++) {
            double acc = b == null ? 0 : b[row0 + r];
            for (int i = 0; i < x.length; i++) acc += a[(row0 + r) * x.length + i] * x[i];
            y[r] = acc;
        }
        return y;
    }

    /**
     * One step for one sample. LSTM (gates i, f, g, o): c' = f c + i g, h' = o tanh(c'). GRU (gates r, z, n):
     * n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h. Returns {h', c'} (c' null for a GRU).
     */
    private static double[][] stepLoops(boolean lstm, double[] x, double[] h, double[] c, Map<String, double[]> p,
                                        String suffix) {
        double[] wih = p.get("weight_ih" + suffix), whh = p.get("weight_hh" + suffix);
        double[] bih = p.get("bias_ih" + suffix), bhh = p.get("bias_hh" + suffix);
        int hs = h.length;
        double[][] gx = new double[4][], gh = new double[4][];
        for (int g = 0; g < (lstm ? 4 : 3); g++) {
            gx[g] = rows(wih, bih, x, g * hs, hs);
            gh[g] = rows(whh, bhh, h, g * hs, hs);
        }
        double[] h2 = new double[hs], c2 = lstm ? new double[hs] : null;
        for (int j = 0; j < hs; j++) {
            if (lstm) {
                double i = sigmoid(gx[0][j] + gh[0][j]), f = sigmoid(gx[1][j] + gh[1][j]);
                double g = Math.tanh(gx[2][j] + gh[2][j]), o = sigmoid(gx[3][j] + gh[3][j]);
                c2[j] = f * c[j] + i * g;
                h2[j] = o * Math.tanh(c2[j]);
            } else {
                double r = sigmoid(gx[0][j] + gh[0][j]), z = sigmoid(gx[1][j] + gh[1][j]);
                double n = Math.tanh(gx[2][j] + r * gh[2][j]);
                h2[j] = (1 - z) * n + z * h[j];
            }
        }
        return new double[][] {h2, c2};
    }

    private static Map<String, double[]> arrays(Module m) {
        Map<String, double[]> out = new java.util.HashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    /**
     * The whole network over x [T][N][in] from h0, c0 [layers*dirs][N][H]: each layer and direction runs the step
     * over time (backwards for the reverse direction); a layer's input is the previous layer's outputs of both
     * directions concatenated. Returns {output [T][N][dirs*H], hN, cN}.
     */
    private static double[][][][] runLoops(boolean lstm, Module m, double[][][] x, double[][][] h0, double[][][] c0,
                                          int layers, int dirs) {
        Map<String, double[]> p = arrays(m);
        int t = x.length, n = x[0].length, hs = h0[0][0].length;
        double[][][] hN = new double[layers * dirs][n][], cN = new double[layers * dirs][n][];
        double[][][] in = x;
        for (int layer = 0; layer < layers; layer++) {
            double[][][] out = new double[t][n][dirs * hs];
            for (int dir = 0; dir < dirs; dir++) {
                String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                int idx = layer * dirs + dir;
                for (int b = 0; b < n; b++) {
                    double[] h = h0[idx][b], c = lstm ? c0[idx][b] : null;
                    for (int k = 0; k < t; k++) {
                        int step = dir == 0 ? k : t - 1 - k;
                        double[][] hc = stepLoops(lstm, in[step][b], h, c, p, suffix);
                        h = hc[0];
                        c = hc[1];
                        System.arraycopy(h, 0, out[step][b], dir * hs, hs);
                    }
                    hN[idx][b] = h;
                    cN[idx][b] = c;
                }
            }
            in = out;
        }
        return new double[][][][] {in, hN, cN};
    }

    private static double[][][] nested(Tensor t) {
        double[] v = t.toDoubleArray();
        int a = (int) t.size(0), b = (int) t.size(1), c = (int) t.size(2);
        double[][][] out = new double[a][b][c];
        for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) System.arraycopy(v, (i * b + j) * c, out[i][j], 0, c);
        return out;
    }

    private static double[] flat(double[][][] v) {
        List<Double> out = new ArrayList<>();
        for (double[][] a : v) for (double[] b : a) for (double d : b) out.add(d);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void lstmTwoLayersBidirectionalMatchesLoops() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0.5, true, DType.FLOAT64);
        lstm.eval();                                                        // no dropout between the layers
        Tensor x = leaf(1, 5, 2, 3), h0 = leaf(2, 4, 2, 4), c0 = leaf(3, 4, 2, 4);
        RNNBase.Output o = lstm.forward(x, h0, c0);
        double[][][][] ref = runLoops(true, lstm, nested(x), nested(h0), nested(c0), 2, 2);
        assertArrayEquals(new long[] {5, 2, 8}, o.output().shape());
        assertArrayEquals(flat(ref[0]), o.output().toDoubleArray(), 1e-12);
        assertArrayEquals(flat(ref[1]), o.hN().toDoubleArray(), 1e-12);
        assertArrayEquals(flat(ref[2]), o.cN().toDoubleArray(), 1e-12);
        // zero initial states by default
        RNNBase.Output z = lstm.forward(x, null, null);
        double[][][] zeros = new double[4][2][4];
        assertArrayEquals(flat(runLoops(true, lstm, nested(x), zeros, zeros, 2, 2)[0]), z.output().toDoubleArray(),
                1e-12);
        assertArrayEquals(z.output().toDoubleArray(), lstm.forward(x).toDoubleArray(), 0);
    }

    @Test
    void gruBatchFirstMatchesLoops() {
        GRU gru = new GRU(3, 4, 2, true, true, 0, true, DType.FLOAT64);
        Tensor x = leaf(1, 2, 5, 3), h0 = leaf(2, 4, 2, 4);                // [N, T, in]
        RNNBase.Output o = gru.forward(x, h0);
        double[][][][] ref = runLoops(false, gru, nested(x.transpose(0, 1)), nested(h0), null, 2, 2);
        assertArrayEquals(new long[] {2, 5, 8}, o.output().shape());
        assertArrayEquals(flat(ref[0]), o.output().transpose(0, 1).toDoubleArray(), 1e-12);
        assertArrayEquals(flat(ref[1]), o.hN().toDoubleArray(), 1e-12);
        assertNull(o.cN());

        GRU plain = new GRU(3, 2, 1, false, false, 0, false, DType.FLOAT64);   // no bias, one direction
        Tensor xs = leaf(3, 4, 3);                                           // unbatched [T, in]
        RNNBase.Output u = plain.forward(xs, null);
        double[][][][] r = runLoops(false, plain, nested(xs.unsqueeze(1)), new double[1][1][2], null, 1, 1);
        assertArrayEquals(new long[] {4, 2}, u.output().shape());
        assertArrayEquals(new long[] {1, 2}, u.hN().shape());
        assertArrayEquals(flat(r[0]), u.output().toDoubleArray(), 1e-12);
    }

    @Test
    void cellsMatchLoops() {
        LSTMCell lc = new LSTMCell(3, 4, true, DType.FLOAT64);
        Tensor x = leaf(1, 2, 3), h = leaf(2, 2, 4), c = leaf(3, 2, 4);
        Tensor[] hc = lc.forward(x, h, c);
        Map<String, double[]> p = arrays(lc);
        for (int b = 0; b < 2; b++) {
            double[][] ref = stepLoops(true, x.select(0, b).toDoubleArray(), h.select(0, b).toDoubleArray(),
                    c.select(0, b).toDoubleArray(), p, "");
            assertArrayEquals(ref[0], hc[0].select(0, b).toDoubleArray(), 1e-12);
            assertArrayEquals(ref[1], hc[1].select(0, b).toDoubleArray(), 1e-12);
        }
        GRUCell gc = new GRUCell(3, 4, true, DType.FLOAT64);
        Tensor h2 = gc.forward(x.select(0, 1), h.select(0, 1));           // unbatched
        assertArrayEquals(stepLoops(false, x.select(0, 1).toDoubleArray(), h.select(0, 1).toDoubleArray(), null,
                arrays(gc), "")[0], h2.toDoubleArray(), 1e-12);
        assertArrayEquals(new long[] {2, 4}, gc.forward(x).shape());         // zero state
        assertEquals("LSTMCell(3, 4)", lc.toString());
    }

    @Test
    void parametersAndInitialisationAsPyTorch() {
        LSTM lstm = new LSTM(3, 5, 2, true, false, 0, true, DType.FLOAT32);
        List<String> names = new ArrayList<>();
        for (int layer = 0; layer < 2; layer++) for (String dir : new String[] {"", "_reverse"}) {
            for (String w : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) names.add(w + "_l" + layer + dir);
        }
        assertEquals(names, List.copyOf(lstm.stateDict().keySet()));
        assertArrayEquals(new long[] {20, 3}, lstm.stateDict().get("weight_ih_l0").shape());
        assertArrayEquals(new long[] {20, 10}, lstm.stateDict().get("weight_ih_l1_reverse").shape());
        assertArrayEquals(new long[] {20, 5}, lstm.stateDict().get("weight_hh_l1").shape());
        for (Tensor t : lstm.parameters()) assertTrue(t.abs().max().item() <= 1 / Math.sqrt(5));
        assertEquals("LSTM(3, 5, num_layers=2, bidirectional=True)", lstm.toString());
        GRUCell cell = new GRUCell(2, 3, false, DType.FLOAT32);
        assertEquals(List.of("weight_ih", "weight_hh"), List.copyOf(cell.stateDict().keySet()));
        assertArrayEquals(new long[] {9, 2}, cell.weightIh().shape());
    }

    @Test
    void gradientsThroughTheSequence() {
        // inputs and initial states by Gradcheck; the module's own parameters by central differences in place
        LSTM lstm = new LSTM(2, 2, 1, true, false, 0, true, DType.FLOAT64);
        Gradcheck.gradcheck(in -> {
            RNNBase.Output o = lstm.forward(in[0], in[1], in[2]);
            return o.output().add(o.cN().sum());
        }, leaf(1, 3, 1, 2), leaf(2, 2, 1, 2), leaf(3, 2, 1, 2));
        List<Tensor> inputs = new ArrayList<>(List.of(leaf(1, 3, 1, 2)));
        inputs.addAll(lstm.parameters());
        NumericGrad.check(in -> lstm.forward(in[0], null, null).hN(), inputs.toArray(new Tensor[0]));

        GRU gru = new GRU(2, 2, 2, true, true, 0, false, DType.FLOAT64);
        Gradcheck.gradcheck(in -> gru.forward(in[0], in[1]).output(), leaf(4, 1, 3, 2), leaf(5, 2, 1, 2));
        List<Tensor> gin = new ArrayList<>(List.of(leaf(4, 1, 3, 2)));
        gin.addAll(gru.parameters());
        NumericGrad.check(in -> gru.forward(in[0]), gin.toArray(new Tensor[0]));
    }

    @Test
    void cellGradientsSecondOrder() {
        // h' alone, c' alone (each leaves the other output without a gradient), and both
        Tensor[] lstmIn = {leaf(1, 2, 2), leaf(2, 2, 1), leaf(3, 2, 1), leaf(4, 4, 2), leaf(5, 4, 1), leaf(6, 4), leaf(7, 4)};
        for (int out = 0; out < 3; out++) {
            int which = out;
            Gradcheck.gradcheck(in -> {
                Tensor[] hc = LSTMCell.lstmCell(in[0], in[1], in[2], in[3], in[4], in[5], in[6]);
                return which < 2 ? hc[which] : hc[0].mul(hc[1]);
            }, lstmIn);
        }
        Gradcheck.gradgradcheck(in -> LSTMCell.lstmCell(in[0], in[1], in[2], in[3], in[4], in[5], in[6])[0],
                leaf(1, 1, 2), leaf(2, 1, 1), leaf(3, 1, 1), leaf(4, 4, 2), leaf(5, 4, 1), leaf(6, 4), leaf(7, 4));
        Gradcheck.gradgradcheck(in -> LSTMCell.lstmCell(in[0], in[1], in[2], in[3], in[4], in[5], in[6])[1],
                leaf(1, 1, 2), leaf(2, 1, 1), leaf(3, 1, 1), leaf(4, 4, 2), leaf(5, 4, 1), leaf(6, 4), leaf(7, 4));
        // through a whole (short) sequence, both directions
        LSTM lstm = new LSTM(1, 1, 1, true, false, 0, true, DType.FLOAT64);
        Gradcheck.gradgradcheck(in -> lstm.forward(in[0], in[1], in[2]).output(), leaf(8, 2, 1, 1), leaf(9, 2, 1, 1),
                leaf(10, 2, 1, 1));
        GRU gru = new GRU(1, 2, 1, true, false, 0, false, DType.FLOAT64);
        Gradcheck.gradgradcheck(in -> gru.forward(in[0], in[1]).output(), leaf(11, 2, 1, 1), leaf(12, 1, 1, 2));
        Gradcheck.gradgradcheck(in -> GRUCell.gruCell(in[0], in[1], in[2], in[3], in[4], in[5]),
                leaf(1, 1, 2), leaf(2, 1, 1), leaf(4, 3, 2), leaf(5, 3, 1), leaf(6, 3), leaf(7, 3));
    }

    @Test
    void badInput() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, 0, false, DType.FLOAT32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 2)));
        assertEquals("LSTM: input.size(-1) must be equal to input_size. Expected 3, got 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 2, 3), Tensor.zeros(1, 2, 4),
                null));
        assertTrue(e.getMessage().startsWith("LSTM: Expected hidden size [2, 2, 4], got [1, 2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(3)));
        assertTrue(e.getMessage().startsWith("LSTM: Expected input to be 2D or 3D, got 1D instead"));
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(0, 4));
        assertTrue(e.getMessage().startsWith("GRU: hidden_size and input_size must be greater than 0"));
        e = assertThrows(IllegalArgumentException.class, () -> new GRUCell(3, 4).forward(Tensor.zeros(2, 3),
                Tensor.zeros(3, 4)));
        assertTrue(e.getMessage().startsWith("GRUCell: expected input [N, 3] or [3] and state [N, 4]"));
    }
}
