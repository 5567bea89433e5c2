package dev.panagrad.kernels;

/**
 * A ReLU that followed a batch norm's affine map, for its fused backward: the incoming gradient counts only
 * where that forward output, {@code (x - center[c]) * scale[c] + shift[c]} as the forward pass stored it, was
 * positive (ReLU's derivative, as {@code threshold_backward} at 0). Recomputing the sign from x saves keeping
 * or reading the ReLU's output.
 *
 * <pre>{@code
 * kernels.channelAffine(dt, block, x, 0, null, 0, 0, c, mean, scale, shift, null, null, true, y, 0);  // forward
 * kernels.channelGradSums(dt, block, g, 0, x, 0, 0, c, mean, new ReluGate(scale, shift), sum, dot);   // backward
 * }</pre>
 */
public record ReluGate(double[] scale, double[] shift) {}
