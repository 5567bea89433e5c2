package dev.panagrad.kernels;

/** GEMM through OpenBLAS; everything else as in {@link VectorKernels}. */
public class BlasKernels extends VectorKernels {
    @Override
    public String name() {
        return "blas";
    }

    static boolean available() {
        return false;
    }

    static String unavailableReason() {
        return "not yet bound";
    }
}
