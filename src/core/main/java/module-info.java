/**
 * panagrad: tensors on off-heap memory with PyTorch-style automatic differentiation.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.pow(3);
 * y.backward();
 * x.grad();   // tensor(12.)
 * }</pre>
 *
 * <p>Exported: the API ({@code dev.panagrad}, {@code .autograd}, {@code .data}, {@code .io}, {@code .memory},
 * {@code .nn}, {@code .optim}) and {@code dev.panagrad.kernels}, the supported low-level kernel interface (see
 * its package documentation for what is stable). Not exported: {@code dev.panagrad.ops} (the op definitions
 * behind {@code Tensor}'s methods), {@code dev.panagrad.blas} and its generated {@code cblas} bindings
 * (finding and loading OpenBLAS) and {@code dev.panagrad.io.internal} (JSON and atomic file writing).
 *
 * <p>A {@link dev.panagrad.kernels.Kernels} implementation can be supplied by another module as a service.
 *
 * @uses dev.panagrad.kernels.Kernels
 */
module dev.panagrad {
    requires jdk.incubator.vector;

    exports dev.panagrad;
    exports dev.panagrad.autograd;
    exports dev.panagrad.data;
    exports dev.panagrad.distributed;
    exports dev.panagrad.io;
    exports dev.panagrad.kernels;
    exports dev.panagrad.memory;
    exports dev.panagrad.nn;
    exports dev.panagrad.optim;
    // Internal: dev.panagrad.ops, dev.panagrad.blas, dev.panagrad.io.internal, and the jextract output
    // dev.panagrad.blas.cblas and dev.panagrad.distributed.mpi (called only by dev.panagrad.blas and
    // dev.panagrad.distributed). On the class path (tools, benchmarks) they stay reachable.

    uses dev.panagrad.kernels.Kernels;
}
