package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * A layer with a {@code weight} and an optional {@code bias} parameter, initialised as PyTorch's Linear and
 * Conv layers ({@link Init#layerDefault_}): Linear and the convolutions share the registration and the accessors.
 */
abstract class WeightAndBias extends Module {

    /** Registers {@code weight} of {@code weightShape} and, with {@code bias}, {@code bias [biasSize]}; initialises both. */
    final void registerWeightAndBias(long[] weightShape, boolean bias, long biasSize, DType dtype) {
        Tensor w = registerParameter("weight", Tensor.empty(dtype, weightShape));
        Tensor b = bias ? registerParameter("bias", Tensor.empty(dtype, biasSize)) : null;
        Init.layerDefault_(w, b, Generator.global());
    }

    /** The weight (its shape is given by each layer's class comment). */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return parameter("bias");
    }
}
