package dev.panagrad.nn;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;

/**
 * Dropout: in training mode each element is zeroed with probability p and the survivors are scaled by
 * 1/(1-p), so the expected value is unchanged; in evaluation mode it passes the input through.
 *
 * <pre>{@code
 * Dropout drop = new Dropout(0.2);
 * drop.forward(x);          // training: about 20% zeros, the rest times 1.25
 * drop.eval().forward(x);   // x itself
 * }</pre>
 */
public class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Dropout with p = 0.5. */
    public Dropout() {
        this(0.5);
    }

    /** Dropout with probability p, drawing from the default generator. */
    public Dropout(double p) {
        this(p, Generator.global());
    }

    /** Dropout with probability p, drawing masks from {@code generator}. */
    public Dropout(double p, Generator generator) {
        checkP(p);
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor input) {
        return dropout(input, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }

    /** {@code x * mask / (1 - p)} with mask ~ Bernoulli(1 - p) when training, else x. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        checkP(p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0);
        return x.mul(generator.dropoutMask(x.dtype(), p, x.shape()));
    }

    private static void checkP(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: probability has to be between 0 and 1, but got " + p);
        }
    }
}
