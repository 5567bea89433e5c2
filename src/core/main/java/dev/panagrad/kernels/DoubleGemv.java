package dev.panagrad.kernels;

import jdk.incubator.vector.DoubleVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.D;
import static dev.panagrad.kernels.Lanes.DL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.VD;

/**
 * Float64 GEMM where C is a single column (n = 1) or a single row (m = 1): a matrix times a vector. Such a
 * product reads every matrix element once, so it is bound by memory and gains nothing from packing; the
 * vector operand is gathered into an array and the matrix read where it lies. Each output is a dot product
 * when the matrix rows it needs are contiguous, and otherwise the outputs accumulate scaled contiguous
 * matrix rows (axpy). Outputs are split over the library's threads.
 *
 * <pre>{@code
 * DoubleGemv.run(problem);   // problem.m() == 1 || problem.n() == 1
 * }</pre>
 */
final class DoubleGemv {
    private DoubleGemv() {}

    /** Outputs per thread below which the product stays on one thread, scaled by the depth. */
    private static final long GRAIN = 1L << 18;

    static void run(GemmBlocks.Problem p) {
        boolean column = p.n() == 1;
        long len = column ? p.m() : p.n();
        int k = (int) p.k();
        // the vector: column C: x = op(B)[:, 0]; row C: x = op(A)[0, :]
        MemorySegment vs = column ? p.b() : p.a();
        long vOff = column ? p.bOff() : p.aOff();
        long vStride = column ? (p.transB() ? 1 : p.ldb()) : (p.transA() ? p.lda() : 1);
        double[] x = new double[k];
        if (vStride == 1) {
            MemorySegment.copy(vs, ValueLayout.JAVA_DOUBLE, vOff * Double.BYTES, x, 0, k);
        } else {
            for (int q = 0; q < k; q++) x[q] = vs.getAtIndex(ValueLayout.JAVA_DOUBLE, vOff + q * vStride);
        }
        // the matrix M[i, q], output i: column C: op(A)[i, q]; row C: op(B)[q, i]
        MemorySegment ms = column ? p.a() : p.b();
        long mOff = column ? p.aOff() : p.bOff(), ld = column ? p.lda() : p.ldb();
        boolean rowsContiguous = column ? !p.transA() : p.transB();
        long cStride = column ? p.ldc() : 1;
        double alpha = p.alpha(), beta = p.beta();
        Parallel.forRange(len, Math.max(1, GRAIN / Math.max(1, k)), (lo, hi) -> {
            double[] out = new double[(int) (hi - lo)];
            if (rowsContiguous) {
                for (long i = lo; i < hi; i++) out[(int) (i - lo)] = dot(ms, (mOff + i * ld) * Double.BYTES, x);
            } else {
                for (int q = 0; q < k; q++) axpy(x[q], ms, (mOff + q * ld + lo) * Double.BYTES, out);
            }
            MemorySegment c = p.c();
            for (long i = lo; i < hi; i++) {
                long at = p.cOff() + i * cStride;
                double r = alpha * out[(int) (i - lo)];
                c.setAtIndex(ValueLayout.JAVA_DOUBLE, at, beta == 0 ? r : r + beta * c.getAtIndex(ValueLayout.JAVA_DOUBLE, at));
            }
        });
    }

    /** sum_q m[q] x[q] for the x.length doubles of m from byte mb. */
    private static double dot(MemorySegment m, long mb, double[] x) {
        int k = x.length, q = 0;
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, a2 = a0, a3 = a0;
        for (int end = k - k % (4 * DL); q < end; q += 4 * DL) {
            long b = mb + (long) q * Double.BYTES;
            a0 = DoubleVector.fromMemorySegment(D, m, b, ORDER).fma(DoubleVector.fromArray(D, x, q), a0);
            a1 = DoubleVector.fromMemorySegment(D, m, b + VD, ORDER).fma(DoubleVector.fromArray(D, x, q + DL), a1);
            a2 = DoubleVector.fromMemorySegment(D, m, b + 2L * VD, ORDER).fma(DoubleVector.fromArray(D, x, q + 2 * DL), a2);
            a3 = DoubleVector.fromMemorySegment(D, m, b + 3L * VD, ORDER).fma(DoubleVector.fromArray(D, x, q + 3 * DL), a3);
        }
        double s = Lanes.sum(a0.add(a1).add(a2.add(a3)));
        for (; q < k; q++) s += m.get(ValueLayout.JAVA_DOUBLE, mb + (long) q * Double.BYTES) * x[q];
        return s;
    }

    /** out[i] += s * m[i] for the out.length doubles of m from byte mb. */
    private static void axpy(double s, MemorySegment m, long mb, double[] out) {
        int len = out.length, i = 0;
        DoubleVector sv = DoubleVector.broadcast(D, s);
        for (int end = D.loopBound(len); i < end; i += DL) {
            DoubleVector.fromMemorySegment(D, m, mb + (long) i * Double.BYTES, ORDER).fma(sv, DoubleVector.fromArray(D, out, i))
                    .intoArray(out, i);
        }
        for (; i < len; i++) out[i] += s * m.get(ValueLayout.JAVA_DOUBLE, mb + (long) i * Double.BYTES);
    }
}
