package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * The elementwise activation {@code y = tanh(x)}.
 *
 * <pre>{@code
 * Tensor y = new Tanh().forward(x);   // same as x.tanh()
 * }</pre>
 */
public class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
