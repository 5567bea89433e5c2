package dev.panagrad.nn;

import dev.panagrad.Tensor;

/**
 * The Gaussian error linear unit {@code y = x * Phi(x)}, Phi the standard normal CDF (exact erf form).
 *
 * <pre>{@code
 * Tensor y = new GELU().forward(x);   // same as x.gelu()
 * }</pre>
 */
public class GELU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.gelu();
    }
}
