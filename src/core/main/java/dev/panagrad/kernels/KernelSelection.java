package dev.panagrad.kernels;

/**
 * Chooses the kernel set once: {@code -Dpanagrad.kernels=scalar|vector|blas} if given, else BLAS when
 * OpenBLAS loads, else the Vector API kernels. The choice and its reason are logged once.
 */
final class KernelSelection {
    private KernelSelection() {}

    static final String REASON;
    static final Kernels ACTIVE;

    static {
        String wanted = System.getProperty("panagrad.kernels", "").trim().toLowerCase();
        Kernels chosen;
        String reason;
        switch (wanted) {
            case "scalar" -> { chosen = new ScalarKernels(); reason = "requested by -Dpanagrad.kernels=scalar"; }
            case "vector" -> { chosen = new VectorKernels(); reason = "requested by -Dpanagrad.kernels=vector"; }
            case "blas", "" -> {
                if (BlasKernels.available()) {
                    chosen = new BlasKernels();
                    reason = wanted.isEmpty() ? "default: OpenBLAS loaded" : "requested by -Dpanagrad.kernels=blas";
                } else {
                    chosen = new VectorKernels();
                    reason = "OpenBLAS unavailable (" + BlasKernels.unavailableReason() + "), using Vector API kernels";
                }
            }
            default -> throw new IllegalArgumentException(
                    "panagrad.kernels: unknown kernel set '" + wanted + "'; expected scalar, vector or blas");
        }
        ACTIVE = chosen;
        REASON = reason;
        System.getLogger("dev.panagrad").log(System.Logger.Level.INFO, "panagrad kernels: " + chosen.name() + " (" + reason + ")");
    }

    /** Why the active kernel set was chosen, for diagnostics. */
    static String reason() {
        return REASON;
    }
}
