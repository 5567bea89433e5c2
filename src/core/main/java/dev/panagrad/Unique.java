package dev.panagrad;

/**
 * The result of {@link Tensor#unique}: the distinct values in ascending order, and (when asked for) for each
 * input element the position of its value in {@code values}, and how often each value occurs.
 *
 * <pre>{@code
 * Unique u = Tensor.of(2L, 1L, 2L).unique(true, true);
 * u.values();    // [1, 2]
 * u.inverse();   // [1, 0, 1]
 * u.counts();    // [1, 2]
 * }</pre>
 *
 * @param values the distinct values, 1-D, sorted ascending
 * @param inverse int64 of the input's shape: {@code values[inverse[i]] == input[i]}; null unless requested
 * @param counts int64 occurrences of each value; null unless requested
 */
public record Unique(Tensor values, Tensor inverse, Tensor counts) {}
