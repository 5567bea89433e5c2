package dev.panagrad;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** noGrad / enableGrad / setGradEnabled guards, their nesting and threads, and detach. */
class GradModeTest {

    @Test
    void guardsNestAndRestoreThePreviousMode() {
        assertTrue(GradMode.isEnabled());
        try (var a = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            try (var b = GradMode.enableGrad()) {
                assertTrue(GradMode.isEnabled());
                try (var c = GradMode.setGradEnabled(false)) {
                    assertFalse(GradMode.isEnabled());
                }
                assertTrue(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void opsUnderNoGradDoNotRecord() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor c;
        try (var off = GradMode.noGrad()) {
            c = a.mul(3).exp().sum();
        }
        assertFalse(c.requiresGrad());
        assertNull(c.gradFn());
        Tensor d;
        try (var off = GradMode.noGrad(); var on = GradMode.enableGrad()) {
            d = a.mul(3);
        }
        assertTrue(d.requiresGrad(), "enableGrad inside noGrad records again");
    }

    @Test
    void inPlaceOnALeafIsAllowedUnderNoGrad() {
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        try (var off = GradMode.noGrad()) {
            w.sub_(Tensor.of(DType.FLOAT64, new double[] {0.5, 0.5}, 2));
        }
        assertArrayEquals(new double[] {0.5, 1.5}, w.toDoubleArray());
        assertTrue(w.requiresGrad());
        assertTrue(w.isLeaf());
    }

    @Test
    void theModeBelongsToEachThread() throws Exception {
        CountDownLatch insideNoGrad = new CountDownLatch(1), checked = new CountDownLatch(1);
        CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(() -> {
            try {
                assertTrue(insideNoGrad.await(10, TimeUnit.SECONDS));
                Tensor x = Tensor.of(1.0).requiresGrad(true);
                return x.mul(2).requiresGrad();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                checked.countDown();
            }
        });
        try (var off = GradMode.noGrad()) {
            insideNoGrad.countDown();
            assertTrue(checked.await(10, TimeUnit.SECONDS));
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(other.get(10, TimeUnit.SECONDS), "the other thread kept recording");
    }

    @Test
    void detachSharesStorageAndVersionButNotHistory() {
        Tensor a = Tensor.of(DType.FLOAT64, new double[] {1, 2}, 2).requiresGrad(true);
        Tensor b = a.mul(2);
        Tensor d = b.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        assertTrue(b.requiresGrad());
        assertSame(b.storage(), d.storage());
        long before = b.version();
        d.add_(10);
        assertArrayEquals(new double[] {12, 14}, b.toDoubleArray(), "a write through d is visible in b");
        assertEquals(before + 1, b.version(), "and bumps the shared version counter");
    }
}
