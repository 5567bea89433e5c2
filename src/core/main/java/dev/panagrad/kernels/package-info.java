/**
 * The compute kernels behind every tensor op: a supported low-level API for plugging in other implementations
 * and for studying SIMD code on the JVM.
 *
 * <p>Stable: the {@link dev.panagrad.kernels.Kernels} interface (its methods' contracts on segments, element
 * offsets and strides), the op enums ({@link dev.panagrad.kernels.UnaryOp}, {@link dev.panagrad.kernels.BinaryOp},
 * {@link dev.panagrad.kernels.CompareOp}, {@link dev.panagrad.kernels.ReduceOp}) and their reference
 * {@code apply}/{@code test}/{@code combine} methods, {@link dev.panagrad.kernels.Window2d},
 * {@link dev.panagrad.kernels.Kernels#use}, {@link dev.panagrad.kernels.Parallel}'s thread settings and the
 * three implementations as classes to extend ({@link dev.panagrad.kernels.ScalarKernels},
 * {@link dev.panagrad.kernels.VectorKernels}, {@link dev.panagrad.kernels.BlasKernels}). New methods may be
 * added to {@code Kernels} with a default implementation, and new constants to the op enums. Not stable: which
 * loops each implementation overrides, their blocking and the text of {@link dev.panagrad.kernels.KernelInfo}.
 *
 * <pre>{@code
 * Kernels k = Kernels.active();   // chosen on first use; see Kernels.active() for the order
 * MemorySegment x = Arena.ofAuto().allocate(4L * 1000, 64), y = Arena.ofAuto().allocate(4L * 1000, 64);
 * k.unary(UnaryOp.EXP, DType.FLOAT32, x, 0, 1, y, 0, 1, 1000);   // y[i] = exp(x[i])
 * }</pre>
 */
package dev.panagrad.kernels;
