package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

/**
 * A multi-layer long short-term memory network, as PyTorch's {@code nn.LSTM}: every layer and direction runs
 * the {@link LSTMCell} equations (gate order i, f, g, o) over the sequence. Parameters
 * {@code weight_ih_lk [4H, in]}, {@code weight_hh_lk [4H, H]}, {@code bias_ih_lk}, {@code bias_hh_lk [4H]}; see
 * {@link RNNBase} for layouts and options.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(10, 20);
 * RNNBase.Output o = lstm.forward(Tensor.randn(5, 3, 10), null, null);   // seq 5, batch 3
 * o.output();   // [5, 3, 20];   o.hN(), o.cN(): [1, 3, 20]
 * }</pre>
 */
public class LSTM extends RNNBase {

    /** One layer, with biases, sequence-first, no dropout, one direction, float32. */
    public LSTM(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false, DType.FLOAT32);
    }

    /** Every setting, in PyTorch's order. */
    public LSTM(long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                boolean bidirectional, DType dtype) {
        super(inputSize, hiddenSize, 4, numLayers, bias, batchFirst, dropout, bidirectional, dtype);
    }

    /** Output and final (h, c) from initial h0 and c0 {@code [layers * directions, N, H]} (null: zeros). */
    public Output forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, new Tensor[] {h0, c0});
    }

    @Override
    protected int stateCount() {
        return 2;
    }

    @Override
    protected Tensor[] step(Tensor xp, Tensor[] state, Tensor weightHh, Tensor biasHh) {
        return LSTMCell.step(xp, state[0], state[1], weightHh, biasHh);
    }
}
