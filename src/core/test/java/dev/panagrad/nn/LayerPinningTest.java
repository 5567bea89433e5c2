package dev.panagrad.nn;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.Window2d;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers that run their own kernels (linear, pooling, im2col/col2im) pin what they hand to the kernels, as
 * the tensor ops do: a temporary the collector could reclaim, a scope closed by another thread and a tensor
 * written in place on another thread give exact values or the clear exception, never recycled bytes.
 */
class LayerPinningTest {

    /** Every layer path from a tensor to a kernel, on an image x [2, 3, 8, 8] and a column matrix cols [27, 128]. */
    private static List<Supplier<Tensor>> layerCalls(Tensor x, Tensor cols) {
        Tensor w = Tensor.ones(5, 8), wc = Tensor.ones(4, 3, 3, 3);
        Window2d win = Windows.window("test", x, Windows.pair(3), Windows.pair(1), Windows.pair(1), Windows.pair(1));
        return List.of(
                () -> Linear.linear(x, w, null),
                () -> MaxPool2d.maxPool2d(x, 2),
                () -> AvgPool2d.avgPool2d(x, Windows.pair(2), Windows.pair(2), Windows.pair(0), true),
                () -> Conv2d.conv2d(x, wc, null, 1, 1),
                () -> Im2col.image(cols, win, new long[] {2, 3, 8, 8}));
    }

    @Test
    void aTensorWrittenOnAnotherThreadIsRefused() throws Exception {
        Tensor x = Tensor.randn(2, 3, 8, 8), cols = Tensor.randn(27, 128);
        CountDownLatch writing = new CountDownLatch(1), done = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            x.storage().beginWrite("fill_", x::describe);   // as fill_ does for its whole run
            cols.storage().beginWrite("fill_", cols::describe);
            writing.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                x.storage().endWrite();
                cols.storage().endWrite();
            }
        }, "writer");
        writer.start();
        writing.await();
        try {
            String[] ops = {"linear", "maxPool2d", "avgPool2d", "conv2d", "col2im"};
            List<Supplier<Tensor>> calls = layerCalls(x, cols);
            for (int i = 0; i < calls.size(); i++) {
                String m = assertThrows(IllegalStateException.class, calls.get(i)::get).getMessage();
                assertTrue(m.contains(ops[i]) && m.contains("'writer'") && m.contains("expected one thread"), m);
            }
        } finally {
            done.countDown();
            writer.join();
        }
        for (Supplier<Tensor> call : layerCalls(x, cols)) call.get();   // usable again once the write ended
    }

    @Test
    void collectedTemporariesAreNotRecycledUnderARunningKernel() throws Exception {
        // linear on a transposed input and max pooling of a transposed image copy the input to a temporary that
        // nothing references once its segment is taken; a second thread allocates the same size class and runs
        // the collector, so a temporary reclaimed mid-kernel would be overwritten with 7s
        Tensor xt = Tensor.randn(256, 64), w = Tensor.randn(48, 256), img = Tensor.randn(4, 16, 32, 32);
        float[] linearExpected = Linear.linear(xt.t().contiguous(), w, null).toFloatArray();
        float[] poolExpected = MaxPool2d.maxPool2d(img.transpose(2, 3).contiguous(), 2).toFloatArray();
        AtomicBoolean stop = new AtomicBoolean();
        Thread pressure = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                Tensor.full(7, 256, 64);
                Tensor.full(7, 4, 16, 32, 32);
                if (i % 8 == 0) System.gc();
            }
        }, "pressure");
        pressure.start();
        int wrong = 0;
        try {
            long end = System.nanoTime() + 10_000_000_000L;   // a bounded stress run: at most 10 s on a busy machine
            for (int i = 0; i < 600 && System.nanoTime() < end; i++) {
                if (!Arrays.equals(linearExpected, Linear.linear(xt.t(), w, null).toFloatArray())) wrong++;
                if (!Arrays.equals(poolExpected, MaxPool2d.maxPool2d(img.transpose(2, 3), 2).toFloatArray())) {
                    wrong++;
                }
            }
        } finally {
            stop.set(true);
            pressure.join();
        }
        assertEquals(0, wrong, "results that read recycled bytes");
    }

    @Test
    void aScopeClosedOnAnotherThreadGivesExactValuesOrTheReleasedError() throws Exception {
        for (int round = 0; round < 20; round++) {
            Scope s = Scope.open();
            Tensor x = Tensor.ones(512, 512), img = Tensor.ones(8, 16, 64, 64);
            CountDownLatch started = new CountDownLatch(1);
            List<Throwable> failures = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    started.countDown();
                    for (int i = 0; i < 50; i++) {
                        float[] y, p;
                        try {
                            y = Linear.linear(x, x, null).toFloatArray();
                            p = MaxPool2d.maxPool2d(img, 2).toFloatArray();
                        } catch (IllegalStateException e) {
                            assertTrue(e.getMessage().contains("released"), e.getMessage());
                            return;
                        }
                        for (float v : y) assertEquals(512f, v);   // a row of ones dotted with a row of ones
                        for (float v : p) assertEquals(1f, v);
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "reader");
            reader.start();
            started.await();
            LockSupport.parkNanos((round % 10) * 300_000L);   // close at different points of the reader's kernels
            s.close();
            try (Scope reuse = Scope.open()) {
                for (int i = 0; i < 20; i++) {
                    Tensor.full(7, 512, 512);                // same size classes: take the freed blocks
                    Tensor.full(7, 8, 16, 64, 64);
                }
            }
            reader.join();
            assertTrue(failures.isEmpty(), "reader saw: " + failures);
        }
    }
}
