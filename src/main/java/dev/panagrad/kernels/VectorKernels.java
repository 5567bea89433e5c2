package dev.panagrad.kernels;

/** Vector API kernels for the hot loops; everything else falls back to {@link ScalarKernels}. */
public class VectorKernels extends ScalarKernels {
    @Override
    public String name() {
        return "vector";
    }
}
