package dev.panagrad.kernels;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.panagrad.kernels.Lanes.F;
import static dev.panagrad.kernels.Lanes.FL;
import static dev.panagrad.kernels.Lanes.ORDER;

/**
 * float32 optimizer updates, a vector of elements at a time, every intermediate in float. The last partial
 * vector runs the same float operations in the same order one element at a time (Java never fuses a multiply
 * and an add, and sqrt and division round exactly), so an element's result never depends on whether it fell
 * into a vector or the tail, nor therefore on how a range was split between threads.
 */
final class VectorUpdates {
    private VectorUpdates() {}

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    static void adam(AdamStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                     MemorySegment m, long mOff, MemorySegment v, long vOff, long n) {
        float b1 = (float) s.beta1(), c1 = (float) (1 - s.beta1()), b2 = (float) s.beta2(), c2 = (float) (1 - s.beta2());
        float eps = (float) s.eps(), stepSize = (float) s.stepSize(), bc2 = (float) s.biasCorrection2Sqrt();
        float shrink = (float) s.shrink(), decay = (float) s.gradientDecay();
        boolean shrinks = s.shrink() != 1, decays = s.gradientDecay() != 0;
        long full = n - n % FL;
        for (long i = 0; i < full; i += FL) {
            long pAt = (pOff + i) * Float.BYTES, mAt = (mOff + i) * Float.BYTES, vAt = (vOff + i) * Float.BYTES;
            FloatVector pv = FloatVector.fromMemorySegment(F, p, pAt, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(F, g, (gOff + i) * Float.BYTES, ORDER);
            if (shrinks) pv = pv.mul(shrink);
            if (decays) d = d.add(pv.mul(decay));
            FloatVector mv = FloatVector.fromMemorySegment(F, m, mAt, ORDER).mul(b1).add(d.mul(c1));
            FloatVector vv = FloatVector.fromMemorySegment(F, v, vAt, ORDER).mul(b2).add(d.mul(d).mul(c2));
            mv.intoMemorySegment(m, mAt, ORDER);
            vv.intoMemorySegment(v, vAt, ORDER);
            pv.sub(mv.div(vv.sqrt().div(bc2).add(eps)).mul(stepSize)).intoMemorySegment(p, pAt, ORDER);
        }
        for (long i = full; i < n; i++) {
            float pi = p.getAtIndex(FLOAT, pOff + i), d = g.getAtIndex(FLOAT, gOff + i);
            if (shrinks) pi = pi * shrink;
            if (decays) d = d + pi * decay;
            float mi = m.getAtIndex(FLOAT, mOff + i) * b1 + d * c1;
            float vi = v.getAtIndex(FLOAT, vOff + i) * b2 + d * d * c2;
            m.setAtIndex(FLOAT, mOff + i, mi);
            v.setAtIndex(FLOAT, vOff + i, vi);
            p.setAtIndex(FLOAT, pOff + i, pi - mi / ((float) Math.sqrt(vi) / bc2 + eps) * stepSize);
        }
    }

    static void sgd(SgdStep s, MemorySegment p, long pOff, MemorySegment g, long gOff,
                    MemorySegment buf, long bufOff, long n) {
        float lr = (float) s.lr(), decay = (float) s.weightDecay(), mu = (float) s.momentum();
        float keep = (float) (1 - s.dampening());
        boolean decays = s.weightDecay() != 0, momentum = s.momentum() != 0, first = s.first(), nesterov = s.nesterov();
        long full = n - n % FL;
        for (long i = 0; i < full; i += FL) {
            long pAt = (pOff + i) * Float.BYTES;
            FloatVector pv = FloatVector.fromMemorySegment(F, p, pAt, ORDER);
            FloatVector d = FloatVector.fromMemorySegment(F, g, (gOff + i) * Float.BYTES, ORDER);
            if (decays) d = d.add(pv.mul(decay));
            if (momentum) {
                long bAt = (bufOff + i) * Float.BYTES;
                FloatVector b = first ? d : FloatVector.fromMemorySegment(F, buf, bAt, ORDER).mul(mu).add(d.mul(keep));
                b.intoMemorySegment(buf, bAt, ORDER);
                d = nesterov ? d.add(b.mul(mu)) : b;
            }
            pv.sub(d.mul(lr)).intoMemorySegment(p, pAt, ORDER);
        }
        for (long i = full; i < n; i++) {
            float pi = p.getAtIndex(FLOAT, pOff + i), d = g.getAtIndex(FLOAT, gOff + i);
            if (decays) d = d + pi * decay;
            if (momentum) {
                float b = first ? d : buf.getAtIndex(FLOAT, bufOff + i) * mu + d * keep;
                buf.setAtIndex(FLOAT, bufOff + i, b);
                d = nesterov ? d + b * mu : b;
            }
            p.setAtIndex(FLOAT, pOff + i, pi - d * lr);
        }
    }
}
