package dev.panagrad.nn;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Central-difference gradient check in float64: the analytic gradient of {@code sum(f(inputs) * v)}, for a
 * fixed random v, against {@code (F(x + h e_i) - F(x - h e_i)) / 2h} for every element of every input.
 */
final class NumericGrad {
    private NumericGrad() {}

    private static final double H = 1e-6, ATOL = 1e-5, RTOL = 1e-4;

    /** Inputs must be contiguous float64 leaves that require grad (parameters count as inputs too). */
    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor out = f.apply(inputs);
        Tensor v = new Generator(99).randn(DType.FLOAT64, out.shape());
        for (Tensor t : inputs) t.setGrad(null);
        out.mul(v).sum().backward();
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            double[] analytic = x.grad() == null ? new double[(int) x.numel()] : x.grad().toDoubleArray();
            MemorySegment seg = x.segment();
            for (int i = 0; i < analytic.length; i++) {
                long at = x.offset() + i;
                double orig = seg.getAtIndex(ValueLayout.JAVA_DOUBLE, at);
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE, at, orig + H);
                double plus = project(f, inputs, v);
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE, at, orig - H);
                double minus = project(f, inputs, v);
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE, at, orig);
                double numeric = (plus - minus) / (2 * H);
                assertEquals(numeric, analytic[i], ATOL + RTOL * Math.abs(numeric),
                        "d/d input " + k + " element " + i);
            }
        }
    }

    /** F(inputs) = sum(f(inputs) * v), with autograd on: f may itself differentiate (second-order checks). */
    private static double project(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor v) {
        return f.apply(inputs).mul(v).sum().item();
    }

    /** A float64 leaf that requires grad, N(0, 1) from a fixed seed. */
    static Tensor leaf(long seed, long... shape) {
        return new Generator(seed).randn(DType.FLOAT64, shape).requiresGrad(true);
    }
}
