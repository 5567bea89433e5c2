package dev.panagrad.cli;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One terminal line redrawn in place while an epoch runs: batches done, running loss, the current rate and the
 * estimated time left. The rate is measured over the batches of the last few seconds, not since the start, so
 * that the slow first batches (JIT warm-up, page faults) do not distort it; until two batches are done it shows
 * {@code -- samples/s}. Redraws at most ten times a second; when disabled (output is not a terminal) it prints
 * nothing.
 *
 * <pre>{@code
 * ProgressBar bar = new ProgressBar(System.err, "epoch 1/10", 469, true);
 * bar.update(100, 12800, 0.52);   // epoch 1/10 [#####-------------------] 100/469 loss 0.5200 9000 samples/s ETA 0:05
 * bar.clear();
 * }</pre>
 */
final class ProgressBar {
    private static final int WIDTH = 24;
    /** How far back the rate looks: long enough to smooth batch-to-batch noise, short enough to follow changes. */
    static final long WINDOW_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final LongSupplier clock;
    /** (time, samples) at the end of recent batches, oldest first; the oldest is kept just outside the window. */
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    private long lastDraw;
    private int lastLength;

    ProgressBar(PrintStream out, String label, long total, boolean enabled) {
        this(out, label, total, enabled, System::nanoTime);
    }

    /** A bar that reads time from {@code clock} (nanoseconds), for tests. */
    ProgressBar(PrintStream out, String label, long total, boolean enabled, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
        this.clock = clock;
    }

    /** Shows {@code done} of the batches, {@code samples} examples seen and the mean loss so far. */
    void update(long done, long samples, double loss) {
        if (!enabled) return;
        long now = clock.getAsLong();
        recent.addLast(new long[] {now, samples});
        // drop points while the next one still spans the window, so the rate covers at least WINDOW_NANOS when it can
        while (recent.size() > 2 && now - secondOldestTime() >= WINDOW_NANOS) recent.removeFirst();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        draw(line(done, samples, loss));
    }

    /** The line for the current state (package-private for tests). */
    String line(long done, long samples, double loss) {
        long filled = total == 0 ? WIDTH : Math.min(WIDTH, done * WIDTH / total);
        String rate = "--", eta = "--:--";
        double perSecond = rate();
        if (perSecond > 0) {
            rate = String.format(Locale.ROOT, "%.0f", perSecond);
            long batchSamples = done == 0 ? 0 : samples / done;
            long left = Math.round((total - done) * batchSamples / perSecond);
            eta = String.format(Locale.ROOT, "%d:%02d", left / 60, left % 60);
        }
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d loss %.4f %s samples/s ETA %s", label,
                "#".repeat((int) filled), "-".repeat((int) (WIDTH - filled)), done, total, loss, rate, eta);
    }

    /** Samples per second between the oldest and newest recent batch; 0 until two batches are done. */
    double rate() {
        if (recent.size() < 2) return 0;
        long[] first = recent.peekFirst(), last = recent.peekLast();
        long nanos = last[0] - first[0];
        return nanos <= 0 ? 0 : (last[1] - first[1]) * 1e9 / nanos;
    }

    private long secondOldestTime() {
        var it = recent.iterator();
        it.next();
        return it.next()[0];
    }

    /** Erases the line so that the next output starts at the left margin. */
    void clear() {
        if (enabled && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
        lastLength = 0;
    }

    private void draw(String line) {
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }
}
