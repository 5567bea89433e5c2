/**
 * The library's OpenBLAS binding ({@code dev.panagrad.blas.OpenBlas}) called directly, without tensors:
 * classes {@code OpenBlas<Family>} with the methods and params of {@code Panagrad<Family>}. The report
 * labels their results {@code openblas-raw} and sets each beside the panagrad result of the same case
 * with the blas kernel set (see {@code dev.panagrad.bench.report.Naming}). Compiled with the rest of
 * {@code dev.panagrad.bench.panagrad}, so left out under {@code -Dbench.noPanagrad}.
 */
package dev.panagrad.bench.panagrad.openblas;
