package dev.panagrad.cli;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelWarmUpTest {

    @Test
    void runsTheStepOnAnotherThreadUntilClosedAndNotAfter() throws InterruptedException {
        AtomicInteger steps = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(3);
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        KernelWarmUp w = KernelWarmUp.start(() -> () -> {
            if (Thread.currentThread() == caller) onCaller.incrementAndGet();
            steps.incrementAndGet();
            ran.countDown();
        });
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the step runs again and again");
        w.close();
        int atClose = steps.get();
        Thread.sleep(50);
        assertEquals(atClose, steps.get(), "no step after close");
        assertEquals(0, onCaller.get(), "steps run on the warm-up thread");
        assertNotEquals(0, atClose);
    }

    @Test
    void aFailingStepIsRethrownByClose() throws InterruptedException {
        IllegalStateException boom = new IllegalStateException("boom");
        CountDownLatch started = new CountDownLatch(1);
        KernelWarmUp w = KernelWarmUp.start(() -> () -> {
            started.countDown();
            throw boom;
        });
        assertTrue(started.await(10, TimeUnit.SECONDS), "the step started");
        assertSame(boom, assertThrows(IllegalStateException.class, w::close));
    }
}
