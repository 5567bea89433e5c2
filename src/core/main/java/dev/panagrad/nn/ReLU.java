package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * The elementwise activation {@code y = max(0, x)}.
 *
 * <pre>{@code
 * Tensor y = new ReLU().forward(x);   // same as x.relu()
 * }</pre>
 */
public class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
