package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stack of recurrent layers run over a sequence, as PyTorch's {@code RNNBase}: {@code numLayers} layers, each
 * in one or (bidirectional) two directions, the second reading the sequence backwards; a layer's output is
 * the next one's input (both directions concatenated), with dropout between layers in training mode. Inputs
 * are {@code [T, N, in]} ({@code [N, T, in]} with {@code batchFirst}, or unbatched {@code [T, in]}); states are
 * {@code [numLayers * directions, N, H]}. Parameters are named and shaped as PyTorch's
 * ({@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0}, {@code ..._reverse}),
 * all drawn from U(-1/sqrt(H), 1/sqrt(H)), so state dicts port. Each layer's input projections for all time
 * steps are one GEMM; each step is then recorded as a small graph of tensor ops.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(10, 20, 2, true, false, 0, true, DType.FLOAT32);   // 2 layers, bidirectional
 * RNNBase.Output o = lstm.forward(Tensor.randn(7, 3, 10), null, null);
 * o.output().shape();   // [7, 3, 40]: both directions of the last layer
 * o.hN().shape();       // [4, 3, 20]: layers times directions
 * }</pre>
 */
public abstract class RNNBase extends Module {
    private final long inputSize, hiddenSize;
    private final int numLayers, directions;
    private final boolean batchFirst;
    private final double dropout;

    /** The output of every step of the last layer and the final states (cN is null for a GRU). */
    public record Output(Tensor output, Tensor hN, Tensor cN) {}

    /** Registers the parameters of every layer and direction for {@code gates} gates. */
    protected RNNBase(long inputSize, long hiddenSize, int gates, int numLayers, boolean bias, boolean batchFirst,
                      double dropout, boolean bidirectional, DType dtype) {
        String name = getClass().getSimpleName();
        checkSizes(name, inputSize, hiddenSize);
        if (numLayers < 1 || !(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(name + ": expected num_layers >= 1 and dropout in [0, 1]; given "
                    + "num_layers=" + numLayers + ", dropout=" + dropout);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.directions = bidirectional ? 2 : 1;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        for (int layer = 0; layer < numLayers; layer++) {
            long in = layer == 0 ? inputSize : hiddenSize * directions;
            for (int dir = 0; dir < directions; dir++) {
                String suffix = suffix(layer, dir);
                registerParameter("weight_ih" + suffix, Tensor.empty(dtype, gates * hiddenSize, in));
                registerParameter("weight_hh" + suffix, Tensor.empty(dtype, gates * hiddenSize, hiddenSize));
                if (bias) {
                    registerParameter("bias_ih" + suffix, Tensor.empty(dtype, gates * hiddenSize));
                    registerParameter("bias_hh" + suffix, Tensor.empty(dtype, gates * hiddenSize));
                }
            }
        }
        initUniform(parameters(), hiddenSize, Generator.global());
    }

    private static String suffix(int layer, int dir) {
        return "_l" + layer + (dir == 1 ? "_reverse" : "");
    }

    /**
     * One time step of one layer and direction: the new state from the input projection
     * {@code xp = W_ih x + b_ih} {@code [N, gates*H]} and the state (h, or h and c).
     */
    protected abstract Tensor[] step(Tensor xp, Tensor[] state, Tensor weightHh, Tensor biasHh);

    /** The output only, from zero initial states. */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, new Tensor[stateCount()]).output();
    }

    /** The number of state tensors: 1 (h) or 2 (h and c). */
    protected abstract int stateCount();

    /** Runs every layer over the sequence from the initial states (null entries: zeros). */
    protected final Output run(Tensor input, Tensor[] initial) {
        String name = getClass().getSimpleName();
        if ((input.dim() != 2 && input.dim() != 3) || !input.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": Expected input to be 2D or 3D, got " + input.dim()
                    + "D instead; given " + input.describe() + ", expected [T, N, " + inputSize + "] or [T, "
                    + inputSize + "] of a floating dtype");
        }
        if (input.size(-1) != inputSize) {
            throw new IllegalArgumentException(name + ": input.size(-1) must be equal to input_size. Expected "
                    + inputSize + ", got " + input.size(-1));
        }
        boolean batched = input.dim() == 3;
        Tensor x = !batched ? input.unsqueeze(1) : batchFirst ? input.transpose(0, 1) : input;   // [T, N, in]
        long t = x.size(0), n = x.size(1);
        long[] stateShape = {(long) numLayers * directions, n, hiddenSize};
        Tensor[] init = new Tensor[initial.length];
        for (int s = 0; s < initial.length; s++) {
            Tensor h = initial[s];
            if (h == null) {
                init[s] = Tensor.zeros(input.dtype(), stateShape);
                continue;
            }
            init[s] = batched ? h : h.unsqueeze(1);
            if (!Arrays.equals(init[s].shape(), stateShape) || h.dtype() != input.dtype()) {
                throw new IllegalArgumentException(name + ": Expected hidden size " + Shape.str(batched ? stateShape
                        : new long[] {stateShape[0], hiddenSize}) + ", got " + Shape.str(h.shape())
                        + "; expected dtype " + input.dtype() + ", given " + h.describe());
            }
        }
        List<List<Tensor>> finals = new ArrayList<>();
        for (int s = 0; s < initial.length; s++) finals.add(new ArrayList<>());
        Tensor layerInput = x;
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> outs = new ArrayList<>(directions);
            for (int dir = 0; dir < directions; dir++) {
                String suffix = suffix(layer, dir);
                Tensor xp = Linear.linear(layerInput, parameter("weight_ih" + suffix), parameter("bias_ih" + suffix));
                Tensor wHh = parameter("weight_hh" + suffix), bHh = parameter("bias_hh" + suffix);
                Tensor[] state = new Tensor[initial.length];
                for (int s = 0; s < state.length; s++) state[s] = init[s].select(0, layer * directions + dir);
                Tensor[] hs = new Tensor[(int) t];
                for (int k = 0; k < t; k++) {
                    int step = dir == 0 ? k : (int) t - 1 - k;
                    state = step(xp.select(0, step), state, wHh, bHh);
                    hs[step] = state[0];
                }
                outs.add(t == 0 ? Tensor.zeros(input.dtype(), 0, n, hiddenSize) : Tensor.stack(List.of(hs), 0));
                for (int s = 0; s < state.length; s++) finals.get(s).add(state[s]);
            }
            layerInput = directions == 1 ? outs.get(0) : Tensor.cat(outs, 2);
            if (dropout > 0 && isTraining() && layer < numLayers - 1) {
                layerInput = Dropout.dropout(layerInput, dropout, true, Generator.global());
            }
        }
        Tensor out = !batched ? layerInput.squeeze(1) : batchFirst ? layerInput.transpose(0, 1) : layerInput;
        Tensor[] last = new Tensor[2];
        for (int s = 0; s < initial.length; s++) {
            Tensor h = Tensor.stack(finals.get(s), 0);
            last[s] = batched ? h : h.squeeze(1);
        }
        return new Output(out, last[0], last[1]);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (numLayers != 1) sb.append(", num_layers=").append(numLayers);
        if (parameter("bias_ih_l0") == null) sb.append(", bias=False");
        if (batchFirst) sb.append(", batch_first=True");
        if (dropout != 0) sb.append(", dropout=").append(dropout);
        if (directions == 2) sb.append(", bidirectional=True");
        return sb.toString();
    }

    static void checkSizes(String name, long inputSize, long hiddenSize) {
        if (inputSize < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException(name + ": hidden_size and input_size must be greater than 0; given "
                    + "input_size=" + inputSize + ", hidden_size=" + hiddenSize);
        }
    }

    /** PyTorch's initialisation of recurrent parameters: every one from U(-1/sqrt(H), 1/sqrt(H)). */
    static void initUniform(List<Tensor> parameters, long hiddenSize, Generator gen) {
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Tensor p : parameters) Init.uniform_(p, -bound, bound, gen);
    }
}
