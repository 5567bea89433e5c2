/**
 * The panagrad side of the comparison: one class per workload family, named
 * {@code Panagrad<Family>} after its PyTorch twin {@code dev.panagrad.bench.torch.Torch<Family>},
 * with the same {@code @Benchmark} method names, the same {@code @Param} names and values, plus
 * {@code @Param({"scalar", "vector", "blas"}) String kernels}. The report pairs results by that name
 * alone (see {@code dev.panagrad.bench.report.Naming} and bench/README.md); nothing else needs to
 * change when a class is added here.
 *
 * <p>This package is compiled only with the library on the class path; the build leaves it out under
 * {@code -Dbench.noPanagrad} (scripts/bench --torch-only).
 */
package dev.panagrad.bench.panagrad;
