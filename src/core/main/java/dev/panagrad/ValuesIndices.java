package dev.panagrad;

/**
 * Values and their int64 positions along a dim, as {@code max(dim)}, {@code min(dim)}, {@code sort} and
 * {@code topk} return them (PyTorch's named tuples {@code torch.return_types.*}).
 *
 * <pre>{@code
 * ValuesIndices m = logits.max(1);
 * Tensor predicted = m.indices();
 * }</pre>
 *
 * @param values the selected values, differentiable
 * @param indices their positions along the dim (int64, never requires grad)
 */
public record ValuesIndices(Tensor values, Tensor indices) {}
