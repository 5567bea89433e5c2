package dev.panagrad.ops;

import dev.panagrad.Tensor;

import java.util.function.Function;

/**
 * The library's own reads of a tensor's gradient, for code that uses it and keeps nothing: optimizer steps,
 * clipping, zeroing, gradient averaging. Unlike {@link Tensor#grad()}, such a read does not count as handing
 * the gradient out, so once it is dropped ({@code setGrad(null)}, an optimizer's {@code zeroGrad()}) the next
 * backward writes its gradient into the same memory instead of a fresh block that only the garbage collector
 * would return.
 *
 * <pre>{@code
 * Tensor g = Gradients.of(param);   // null when param has no gradient
 * }</pre>
 */
public final class Gradients {
    private Gradients() {}

    private static volatile Function<Tensor, Tensor> reader;

    /** Installs the read; {@link Tensor} calls it once, when its class initialises. */
    public static void install(Function<Tensor, Tensor> read) {
        synchronized (Gradients.class) {
            if (reader != null) throw new IllegalStateException("Gradients: the gradient reader is installed already");
            reader = read;
        }
    }

    /** The gradient of {@code t}, or null. */
    public static Tensor of(Tensor t) {
        return reader.apply(t);
    }
}
