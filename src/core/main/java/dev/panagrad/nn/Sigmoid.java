package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * The elementwise activation {@code y = 1 / (1 + exp(-x))}.
 *
 * <pre>{@code
 * Tensor y = new Sigmoid().forward(x);   // same as x.sigmoid()
 * }</pre>
 */
public class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
