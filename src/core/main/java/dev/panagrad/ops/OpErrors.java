package dev.panagrad.ops;

import java.util.function.Supplier;

/**
 * Makes errors name the op the user called. Ops built from other ops ({@code std} from {@code var} and
 * {@code mean}, {@code clone} from a copy) would otherwise report the inner op's name; {@link #as} renames the
 * message's {@code "inner: "} prefix to the outer op and keeps the exception's type and cause.
 *
 * <pre>{@code
 * return OpErrors.as("std", () -> var(dims, correction, keepdim).sqrt());
 * // a float-only failure inside mean reads "std: could not infer output dtype; ..."
 * }</pre>
 */
public final class OpErrors {
    private OpErrors() {}

    /** Runs {@code body}; an exception whose message starts with another op's name is rethrown under {@code op}. */
    public static <T> T as(String op, Supplier<T> body) {
        try {
            return body.get();
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | UnsupportedOperationException e) {
            throw renamed(op, e);
        }
    }

    /** {@code e} with its leading {@code "name: "} replaced by {@code op}, or {@code e} when it already names op. */
    static RuntimeException renamed(String op, RuntimeException e) {
        String m = e.getMessage();
        int colon = m == null ? -1 : m.indexOf(": ");
        if (colon <= 0 || m.startsWith(op + ": ") || !m.substring(0, colon).matches("[A-Za-z_][A-Za-z0-9_]*")) {
            return e;
        }
        String message = op + m.substring(colon);
        RuntimeException r = switch (e) {
            case IllegalArgumentException x -> new IllegalArgumentException(message, x);
            case IllegalStateException x -> new IllegalStateException(message, x);
            case IndexOutOfBoundsException x -> {
                IndexOutOfBoundsException i = new IndexOutOfBoundsException(message);
                i.initCause(x);
                yield i;
            }
            case UnsupportedOperationException x -> new UnsupportedOperationException(message, x);
            default -> e;
        };
        return r;
    }
}
