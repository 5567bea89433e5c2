package dev.panagrad.djl;

import ai.djl.engine.EngineException;
import dev.panagrad.AutogradException;

import java.util.function.Supplier;

/**
 * Reports the failures of panagrad's operations as DJL reports an engine's: DJL's PyTorch engine throws
 * {@link EngineException} for every error libtorch raises (shapes that do not broadcast or multiply, a wrong
 * reshape, a dimension out of range, an in-place change autograd refuses), so the core's
 * {@code IllegalArgumentException}, {@code IndexOutOfBoundsException} and {@link AutogradException} become
 * one, keeping the core's message (it names the op, what was given and what was expected) and the core's
 * exception as the cause. The checks DJL's engines make in Java before calling native code (a scalar given
 * to {@code matMul}, scalars given to {@code concat}) stay {@code IllegalArgumentException}, and are made
 * before entering the core; closed arrays and managers stay {@code IllegalStateException}, and operations
 * panagrad lacks {@code UnsupportedOperationException}, as DJL expects.
 *
 * <p>{@link Lifetimes#compute} and {@link Lifetimes#temporarily}, which every operation runs through, translate
 * here; the few calls into the core outside them use {@link #call}.
 *
 * <pre>{@code
 * EngineErrors.call(() -> t.split(2, 0));   // the core's IllegalArgumentException arrives as EngineException
 * }</pre>
 */
final class EngineErrors {
    private EngineErrors() {}

    /** Runs a call into the core, reporting its failures as DJL's engine failures. */
    static <T> T call(Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** {@code e} as DJL's {@link EngineException} when it is the core refusing its arguments, else {@code e}. */
    static RuntimeException translate(RuntimeException e) {
        boolean fromEngine = e instanceof IllegalArgumentException || e instanceof IndexOutOfBoundsException
                || e instanceof AutogradException;
        return fromEngine ? new EngineException(e.getMessage(), e) : e;
    }
}
