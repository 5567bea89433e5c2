package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Node;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;

import java.util.Arrays;

/** The node a custom {@link Function} records: it calls the function's backward and checks what it returns. */
final class FunctionBackward extends Node {
    private final Function function;
    private final Context ctx;
    private final long[][] inputShapes;      // null for arguments that are not tensors
    private final long[][] outputShapes;
    private final DType[] outputTypes;

    FunctionBackward(Function function, Context ctx, Tensor[] inputs, Tensor[] outputs) {
        super(function.name(), outputs.length);
        this.function = function;
        this.ctx = ctx;
        inputShapes = new long[inputs.length][];
        for (int i = 0; i < inputs.length; i++) inputShapes[i] = inputs[i] == null ? null : inputs[i].shape();
        outputShapes = new long[outputs.length][];
        outputTypes = new DType[outputs.length];
        for (int k = 0; k < outputs.length; k++) {
            outputShapes[k] = outputs[k].shape();
            outputTypes[k] = outputs[k].dtype();
        }
    }

    @Override
    protected Tensor[] apply(Tensor[] gradOutputs) {
        Tensor[] grads = gradOutputs.clone();
        if (ctx.materializeGrads()) {
            for (int k = 0; k < grads.length; k++) {
                if (grads[k] == null) grads[k] = Tensor.zeros(outputTypes[k], outputShapes[k]);
            }
        }
        Tensor[] result = function.backward(ctx, grads);
        return check(result == null ? new Tensor[0] : result);
    }

    /** One gradient per argument, null for non-tensors, each summed to its argument's shape if it was broadcast. */
    private Tensor[] check(Tensor[] result) {
        int args = inputShapes.length;
        for (int i = args; i < result.length; i++) {
            if (result[i] != null) throw countError(result.length);
        }
        if (result.length < args) throw countError(result.length);
        Tensor[] grads = Arrays.copyOf(result, args);
        for (int i = 0; i < args; i++) {
            Tensor g = grads[i];
            if (g == null) continue;
            if (inputShapes[i] == null) {
                throw new IllegalStateException("backward: function " + name() + " returned a gradient for argument "
                        + i + ", which is not a tensor; expected null there");
            }
            if (!ctx.needsInputGrad(i)) {
                grads[i] = null;
            } else if (!Arrays.equals(g.shape(), inputShapes[i])) {
                grads[i] = sumToInput(g, i);
            }
        }
        return grads;
    }

    private Tensor sumToInput(Tensor g, int i) {
        try {
            long[] target = inputShapes[i];
            if (Arrays.equals(Shape.broadcast(name(), g.shape(), target), g.shape())) return g.sumTo(target);
        } catch (IllegalArgumentException notBroadcastable) {
            // reported below
        }
        throw new IllegalStateException("backward: function " + name() + " returned an invalid gradient at index "
                + i + " - got " + Shape.str(g.shape()) + " but expected shape compatible with "
                + Shape.str(inputShapes[i]));
    }

    private IllegalStateException countError(int got) {
        return new IllegalStateException("backward: function " + name() + " returned an incorrect number of "
                + "gradients (expected " + inputShapes.length + ", got " + got + "); expected one per argument of "
                + "apply, null for arguments without a gradient");
    }

    @Override
    protected void checkSaved() {
        ctx.checkSaved();
    }

    @Override
    protected void release() {
        ctx.release();
    }
}
