package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;
import static dev.panagrad.kernels.Lanes.VF;

/**
 * Float32 GEMM where C is a single column (n = 1) or a single row (m = 1): a matrix times a vector. Such a
 * product reads every matrix element once, so it is bound by memory and gains nothing from packing; the
 * vector operand is gathered into an array and the matrix read where it lies. Each output is a dot product
 * when the matrix rows it needs are contiguous, and otherwise the outputs accumulate scaled contiguous
 * matrix rows (axpy). Outputs are split over the library's threads.
 *
 * <pre>{@code
 * FloatGemv.run(problem);   // problem.m() == 1 || problem.n() == 1
 * }</pre>
 */
final class FloatGemv {
    private FloatGemv() {}

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
        float[] x = new float[k];
        if (vStride == 1) {
            MemorySegment.copy(vs, ValueLayout.JAVA_FLOAT, vOff * Float.BYTES, x, 0, k);
        } else {
            for (int q = 0; q < k; q++) x[q] = vs.getAtIndex(ValueLayout.JAVA_FLOAT, vOff + q * vStride);
        }
        // the matrix M[i, q], output i: column C: op(A)[i, q]; row C: op(B)[q, i]
        MemorySegment ms = column ? p.a() : p.b();
        long mOff = column ? p.aOff() : p.bOff(), ld = column ? p.lda() : p.ldb();
        boolean rowsContiguous = column ? !p.transA() : p.transB();
        long cStride = column ? p.ldc() : 1;
        float alpha = (float) p.alpha(), beta = (float) p.beta();
        Parallel.forRange(len, Math.max(1, GRAIN / Math.max(1, k)), (lo, hi) -> {
            float[] out = new float[(int) (hi - lo)];
            if (rowsContiguous) {
                for (long i = lo; i < hi; i++) out[(int) (i - lo)] = dot(ms, (mOff + i * ld) * Float.BYTES, x);
            } else {
                for (int q = 0; q < k; q++) axpy(x[q], ms, (mOff + q * ld + lo) * Float.BYTES, out);
            }
            MemorySegment c = p.c();
            for (long i = lo; i < hi; i++) {
                long at = p.cOff() + i * cStride;
                float r = alpha * out[(int) (i - lo)];
                c.setAtIndex(ValueLayout.JAVA_FLOAT, at, beta == 0 ? r : r + beta * c.getAtIndex(ValueLayout.JAVA_FLOAT, at));
            }
        });
    }

    /** sum_q m[q] x[q] for the x.length floats of m from byte mb. */
    private static float dot(MemorySegment m, long mb, float[] x) {
        int k = x.length, q = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int end = k - k % (4 * FL); q < end; q += 4 * FL) {
            long b = mb + (long) q * Float.BYTES;
            a0 = FloatVector.fromMemorySegment(F, m, b, ORDER).fma(FloatVector.fromArray(F, x, q), a0);
            a1 = FloatVector.fromMemorySegment(F, m, b + VF, ORDER).fma(FloatVector.fromArray(F, x, q + FL), a1);
            a2 = FloatVector.fromMemorySegment(F, m, b + 2L * VF, ORDER).fma(FloatVector.fromArray(F, x, q + 2 * FL), a2);
            a3 = FloatVector.fromMemorySegment(F, m, b + 3L * VF, ORDER).fma(FloatVector.fromArray(F, x, q + 3 * FL), a3);
        }
        float s = Lanes.sum(a0.add(a1).add(a2.add(a3)));
        for (; q < k; q++) s += m.get(ValueLayout.JAVA_FLOAT, mb + (long) q * Float.BYTES) * x[q];
        return s;
    }

    /** out[i] += s * m[i] for the out.length floats of m from byte mb. */
    private static void axpy(float s, MemorySegment m, long mb, float[] out) {
        int len = out.length, i = 0;
        FloatVector sv = FloatVector.broadcast(F, s);
        for (int end = F.loopBound(len); i < end; i += FL) {
            FloatVector.fromMemorySegment(F, m, mb + (long) i * Float.BYTES, ORDER).fma(sv, FloatVector.fromArray(F, out, i))
                    .intoArray(out, i);
        }
        for (; i < len; i++) out[i] += s * m.get(ValueLayout.JAVA_FLOAT, mb + (long) i * Float.BYTES);
    }
}
