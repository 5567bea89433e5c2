package dev.panagrad.autograd;

import dev.panagrad.DType;
import dev.panagrad.Generator;
import dev.panagrad.Tensor;
import dev.panagrad.memory.MemoryPool;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Checkpointed blocks: same gradients as the plain graph, recomputed in backward, with less memory held. */
class CheckpointTest {

    private static final int LAYERS = 16, WIDTH = 96, BATCH = 48;

    /** A deep stack of tanh(h W_i) layers; parameters are used by the blocks without being passed to them. */
    private static final class Stack {
        final Tensor[] w = new Tensor[LAYERS];
        final Tensor input;

        Stack() {
            Generator g = new Generator(7);
            for (int i = 0; i < LAYERS; i++) {
                w[i] = g.randn(DType.FLOAT64, WIDTH, WIDTH).mul(0.15).requiresGrad(true);
            }
            input = g.randn(DType.FLOAT64, BATCH, WIDTH).requiresGrad(true);
        }

        /** One step (forward and backward) inside a scope; returns the peak bytes above the start. */
        long step(boolean checkpoint, AtomicInteger blockCalls) {
            for (Tensor t : w) t.setGrad(null);
            input.setGrad(null);
            long before = MemoryPool.liveBytes();
            MemoryPool.resetPeak();
            try (Scope scope = Scope.open()) {
                Tensor h = input;
                for (Tensor wi : w) {
                    h = checkpoint ? Checkpoint.checkpoint(in -> {
                        blockCalls.incrementAndGet();
                        return in[0].matmul(wi).tanh();
                    }, h) : h.matmul(wi).tanh();
                }
                h.square().mean().backward();
            }
            return MemoryPool.peakLiveBytes() - before;
        }
    }

    @Test
    void checkpointedBlocksGiveTheSameGradientsWithLessMemory() {
        Stack s = new Stack();
        AtomicInteger calls = new AtomicInteger();
        long plainPeak = s.step(false, calls);
        double[][] plain = gradients(s);
        long checkpointPeak = s.step(true, calls);
        double[][] checkpointed = gradients(s);
        for (int i = 0; i < plain.length; i++) assertArrayEquals(plain[i], checkpointed[i], 1e-12, "gradient " + i);
        assertEquals(2 * LAYERS, calls.get(), "each block ran once forward and once more in backward");
        assertTrue(checkpointPeak < 0.6 * plainPeak,
                "peak with checkpointing " + checkpointPeak + " B, without " + plainPeak + " B");
    }

    private static double[][] gradients(Stack s) {
        double[][] g = new double[LAYERS + 1][];
        for (int i = 0; i < LAYERS; i++) g[i] = s.w[i].grad().toDoubleArray();
        g[LAYERS] = s.input.grad().toDoubleArray();
        return g;
    }

    @Test
    void severalInputsAndTheirGradients() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {0.5, -1}, 2).requiresGrad(true);
        Tensor b = Tensor.of(DType.FLOAT64, new double[] {2, 3}, 2).requiresGrad(true);
        Tensor y = Checkpoint.checkpoint(in -> in[0].mul(in[1]).sin(), a, b);
        assertFalse(y.isLeaf());
        y.sum().backward();
        // d sin(ab)/da = b cos(ab), d/db = a cos(ab)
        assertArrayEquals(new double[] {2 * Math.cos(1), 3 * Math.cos(-3)}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.5 * Math.cos(1), -Math.cos(-3)}, b.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aParameterUsedInsideAndOutsideTheBlockGetsBothContributions() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {3, -1}, 2).requiresGrad(true);
        Tensor y = Checkpoint.checkpoint(in -> in[0].mul(w), x).mul(w);   // y = x w^2
        y.sum().backward();
        assertArrayEquals(new double[] {9, 1}, x.grad().toDoubleArray(), 1e-12);      // w^2
        assertArrayEquals(new double[] {6, -4}, w.grad().toDoubleArray(), 1e-12);     // 2 x w
    }

    @Test
    void theBlockRunsWithoutRecordingInForward() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        boolean[] recorded = new boolean[2];
        AtomicInteger call = new AtomicInteger();
        Tensor y = Checkpoint.checkpoint(in -> {
            Tensor r = in[0].exp();
            recorded[call.getAndIncrement()] = r.requiresGrad();
            return r;
        }, x);
        y.sum().backward();
        assertFalse(recorded[0], "forward pass");
        assertTrue(recorded[1], "recomputation in backward");
    }

    @Test
    void modifyingAnInputAfterTheBlockIsCaught() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor h = x.mul(1);
        Tensor y = Checkpoint.checkpoint(in -> in[0].exp(), h);
        h.add_(1);
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void doubleBackwardIsRefused() {
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = Checkpoint.checkpoint(in -> in[0].pow(3), x).sum();
        var e = assertThrows(UnsupportedOperationException.class, () -> y.backward(null, false, true));
        assertTrue(e.getMessage().contains("createGraph"), e.getMessage());
    }
}
