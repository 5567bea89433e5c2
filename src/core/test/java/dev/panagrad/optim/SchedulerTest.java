package dev.panagrad.optim;

import dev.panagrad.Tensor;
import dev.panagrad.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Learning-rate schedules against their closed forms, per group. */
class SchedulerTest {
    private static SGD twoGroups() {
        return new SGD(0.1, new ParamGroup(List.of(Parameter.of(Tensor.zeros(2)))),
                new ParamGroup(List.of(Parameter.of(Tensor.zeros(2)))).set("lr", 0.4));
    }

    @Test
    void stepLR() {
        SGD opt = twoGroups();
        StepLR s = new StepLR(opt, 3, 0.5);
        for (int e = 0; e < 10; e++) {
            // base * 0.5^floor(e / 3)
            assertEquals(0.1 * Math.pow(0.5, e / 3), opt.lr(0), 1e-15, "epoch " + e);
            assertEquals(0.4 * Math.pow(0.5, e / 3), opt.lr(1), 1e-15, "epoch " + e);
            s.step();
        }
        assertEquals(10, s.lastEpoch());
    }

    @Test
    void cosineAnnealing() {
        SGD opt = twoGroups();
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 4, 0.02);
        // etaMin + (base - etaMin)(1 + cos(pi e / 4)) / 2: base at 0, the midpoint at 2, etaMin at 4
        double[] expected0 = {0.1, 0.02 + 0.08 * (1 + Math.cos(Math.PI / 4)) / 2, 0.06,
            0.02 + 0.08 * (1 + Math.cos(3 * Math.PI / 4)) / 2, 0.02};
        for (int e = 0; e <= 4; e++) {
            assertEquals(expected0[e], opt.lr(0), 1e-15, "epoch " + e);
            assertEquals(0.02 + 0.38 * (1 + Math.cos(Math.PI * e / 4)) / 2, s.lastLr()[1], 1e-15);
            s.step();
        }
    }

    @Test
    void oneCycle() {
        SGD opt = twoGroups();
        // max 1.0 over 11 steps, 30% warm-up: starts at 1/25, peaks at step 0.3*11 - 1 = 2.3, ends at 1/25/1e4
        OneCycleLR s = new OneCycleLR(opt, 1.0, 11);
        double peak = 2.3;
        for (int t = 0; t <= 10; t++) {
            double expected = t <= peak
                    ? 1.0 + (0.04 - 1.0) * (1 + Math.cos(Math.PI * t / peak)) / 2
                    : 4e-6 + (1.0 - 4e-6) * (1 + Math.cos(Math.PI * (t - peak) / (10 - peak))) / 2;
            assertEquals(expected, opt.lr(0), 1e-12, "step " + t);
            assertEquals(expected, opt.lr(1), 1e-12, "step " + t);   // every group follows max_lr
            s.step();
        }
        assertEquals(0.04, new OneCycleLR(twoGroups(), 1.0, 11).lastLr()[0], 1e-15);
        var e = assertThrows(IllegalStateException.class, s::step);
        assertEquals("OneCycleLR: tried to step 12 times; the specified number of total steps is 11", e.getMessage());
    }
}
