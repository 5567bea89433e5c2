package dev.panagrad.ops;

import dev.panagrad.Tensor;

/**
 * Runs a kernel with the storages of its tensors pinned, for code outside this package that hands a tensor's
 * {@link Tensor#segment() segment} to a kernel (layers with their own kernels). While pinned, a scope closing
 * on another thread or the garbage collector cannot return the bytes to the pool, so a temporary that the
 * caller no longer references stays valid until the kernel returns.
 *
 * <pre>{@code
 * Tensor a = Pointwise.convertRaw(x.detach(), DType.FLOAT32), y = Tensor.empty(a.shape());
 * Pinning.run("myOp", () -> kernels.unary(UnaryOp.EXP, DType.FLOAT32, a.segment(), a.offset(), 1,
 *         y.segment(), 0, 1, a.numel()), a, y);
 * }</pre>
 */
public final class Pinning {
    private Pinning() {}

    /**
     * Runs {@code kernel} with every tensor of {@code operands} pinned (inputs and outputs alike). Throws an
     * IllegalStateException naming {@code op} and the tensor when one was already released, or when another
     * thread is writing one in place.
     */
    public static void run(String op, Runnable kernel, Tensor... operands) {
        Loops.using(op, operands, kernel);
    }
}
