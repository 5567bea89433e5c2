package dev.panagrad.cli;

import dev.panagrad.kernels.Parallel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmUpThreadsTest {

    @Test
    void oneThreadAskedForIsOneThreadThroughout() throws InterruptedException {
        int saved = Parallel.threads();
        try {
            WarmUpThreads warmUp = new WarmUpThreads(1);
            for (int i = 0; i < 30; i++) {
                warmUp.afterStep();
                assertEquals(1, Parallel.threads());
                Thread.sleep(10);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void startsOnOneThreadAndTakesTheCountAskedForOnceTheCompilerIsQuiet() throws InterruptedException {
        int saved = Parallel.threads();
        try {
            WarmUpThreads warmUp = new WarmUpThreads(3);
            assertEquals(1, Parallel.threads(), "while the compiler may be busy");
            // steps that compile nothing new: some 100 ms window soon sees little compiling
            long end = System.nanoTime() + 30_000_000_000L;
            while (Parallel.threads() == 1 && System.nanoTime() < end) {
                Thread.sleep(20);
                warmUp.afterStep();
            }
            assertEquals(3, Parallel.threads(), "after a quiet window");
            warmUp.afterStep();
            assertEquals(3, Parallel.threads(), "and from then on");
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
