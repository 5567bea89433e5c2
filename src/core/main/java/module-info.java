/**
 * panagrad: tensors on off-heap memory with PyTorch-style automatic differentiation.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(2.0).requiresGrad(true);
 * Tensor y = x.pow(3);
 * y.backward();
 * x.grad();   // tensor(12.)
 * }</pre>
 */
module dev.panagrad {
    requires jdk.incubator.vector;

    exports dev.panagrad;
    exports dev.panagrad.autograd;
    exports dev.panagrad.blas;
    exports dev.panagrad.data;
    exports dev.panagrad.distributed;
    exports dev.panagrad.io;
    exports dev.panagrad.kernels;
    exports dev.panagrad.memory;
    exports dev.panagrad.nn;
    exports dev.panagrad.ops;
    exports dev.panagrad.optim;
    // dev.panagrad.blas.cblas (jextract output) stays internal: only dev.panagrad.blas calls it.
    // dev.panagrad.distributed.mpi (jextract output) stays internal: only dev.panagrad.distributed calls it.
}
