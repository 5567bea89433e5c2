package dev.panagrad.distributed;

import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.nn.Losses;
import dev.panagrad.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DistributedDataParallel as rank 0 of 1: the gradients equal plain backward's (the average over one rank). */
class DistributedDataParallelTest {
    private final ProcessGroup group = ProcessGroup.init();

    private static List<double[]> grads(Module m) {
        return m.parameters().stream().map(p -> p.grad().toDoubleArray()).toList();
    }

    @Test
    void gradientsMatchPlainBackwardWithSeveralBuckets() {
        Generator.manualSeed(1);
        Tensor x = Tensor.randn(8, 16), y = Tensor.randint(0, 4, 8);
        Module plain = MpiWorker.model(32), wrapped = MpiWorker.model(32);   // same seed: same parameters
        Losses.crossEntropy(plain.forward(x), y).backward();
        // 32*4 + 4 floats = 528 bytes in the last layer: 600-byte buckets give one bucket per layer's weight
        var ddp = new DistributedDataParallel(wrapped, group, 600);
        assertTrue(ddp.bucketCount() >= 3, ddp.toString());
        for (int step = 0; step < 2; step++) {   // the buckets are reused from step to step
            wrapped.zeroGrad();
            Losses.crossEntropy(ddp.forward(x), y).backward();
            ddp.finish();
            List<double[]> want = grads(plain), got = grads(wrapped);
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), 1e-6, "parameter " + i);
        }
    }

    @Test
    void aParameterWithoutGradientGetsZeros() {
        Module m = MpiWorker.model(8);
        var ddp = new DistributedDataParallel(m, group);
        try (Scope step = Scope.open()) {
            ddp.finish();   // no backward at all: every rank still takes part, with zeros
        }
        // the new gradients belong to the parameters, not to the step's scope
        for (Tensor p : m.parameters()) assertEquals(0, p.grad().abs().sum().item());
    }

    @Test
    void twoBackwardsWithoutFinishAreRejected() {
        Module m = MpiWorker.model(8);
        var ddp = new DistributedDataParallel(m, group);
        Tensor x = Tensor.randn(2, 16);
        ddp.forward(x).sum().backward();
        var e = assertThrows(IllegalStateException.class, () -> ddp.forward(x).sum().backward());
        assertTrue(e.getMessage().contains("received a second gradient before finish()"), e.getMessage());
    }

    @Test
    void badBucketSize() {
        assertThrows(IllegalArgumentException.class, () -> new DistributedDataParallel(MpiWorker.model(8), group, 0));
    }
}
