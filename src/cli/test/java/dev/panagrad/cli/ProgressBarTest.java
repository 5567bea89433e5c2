package dev.panagrad.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    private long now;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            "epoch 1/10", 469, true, () -> now);

    /** Runs batches {@code from..to} of 128 samples, each taking {@code millis}. */
    private void batches(int from, int to, long millis) {
        for (int b = from; b <= to; b++) {
            now += millis * 1_000_000L;
            bar.update(b, 128L * b, 0.5);
        }
    }

    @Test
    void theFirstBatchShowsNoRateInsteadOfAWarmUpGuess() {
        batches(1, 1, 10_000);   // a 10 s first batch: JIT warm-up
        assertEquals("epoch 1/10 [------------------------] 1/469 loss 0.5000 -- samples/s ETA --:--",
                bar.line(1, 128, 0.5));
    }

    @Test
    void theRateIsTheCurrentOneNotTheAverageSinceTheStart() {
        batches(1, 1, 10_000);
        batches(2, 50, 100);
        // 128 samples per 0.1 s = 1280 samples/s; 419 batches left take 419 * 0.1 s = 41.9 s.
        // (The average since the start would say 6400 / 14.9 s = 430 samples/s.)
        assertEquals("epoch 1/10 [##----------------------] 50/469 loss 0.5000 1280 samples/s ETA 0:42",
                bar.line(50, 128L * 50, 0.5));
    }

    @Test
    void theRateFollowsAChangeOfSpeedWithinTheWindow() {
        batches(1, 100, 100);
        assertEquals(1280, bar.rate(), 1e-9);
        batches(101, 200, 200);   // 20 s at half the speed, four times the window
        assertEquals(640, bar.rate(), 1e-9);
    }

    @Test
    void aDisabledBarPrintsNothing() {
        ProgressBar off = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "e", 10, false,
                () -> now);
        off.update(1, 128, 0.5);
        off.clear();
        assertEquals(0, bytes.size());
    }
}
