package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

/**
 * A multi-layer gated recurrent unit network, as PyTorch's {@code nn.GRU}: every layer and direction runs the
 * {@link GRUCell} equations (gate order r, z, n) over the sequence. Parameters {@code weight_ih_lk [3H, in]},
 * {@code weight_hh_lk [3H, H]}, {@code bias_ih_lk}, {@code bias_hh_lk [3H]}; see {@link RNNBase} for layouts
 * and options.
 *
 * <pre>{@code
 * GRU gru = new GRU(10, 20, 2, true, true, 0, false, DType.FLOAT32);   // two layers, batch first
 * RNNBase.Output o = gru.forward(Tensor.randn(3, 5, 10), null);        // batch 3, seq 5
 * o.output();   // [3, 5, 20];   o.hN(): [2, 3, 20]
 * }</pre>
 */
public class GRU extends RNNBase {

    /** One layer, with biases, sequence-first, no dropout, one direction, float32. */
    public GRU(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, 1, true, false, 0, false, DType.FLOAT32);
    }

    /** Every setting, in PyTorch's order. */
    public GRU(long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
               boolean bidirectional, DType dtype) {
        super(inputSize, hiddenSize, 3, numLayers, bias, batchFirst, dropout, bidirectional, dtype);
    }

    /** Output and final h from the initial h0 {@code [layers * directions, N, H]} (null: zeros). */
    public Output forward(Tensor input, Tensor h0) {
        return run(input, new Tensor[] {h0});
    }

    @Override
    protected int stateCount() {
        return 1;
    }

    @Override
    protected Tensor[] step(Tensor xp, Tensor[] state, Tensor weightHh, Tensor biasHh) {
        return new Tensor[] {GRUCell.step(xp, state[0], weightHh, biasHh)};
    }
}
