package dev.panagrad.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One terminal line redrawn in place while an epoch runs: batches done, running loss, samples per second and
 * the estimated time left. Redraws at most ten times a second; when disabled (output is not a terminal) it
 * prints nothing.
 *
 * <pre>{@code
 * ProgressBar bar = new ProgressBar(System.err, "epoch 1/10", 469, true);
 * bar.update(100, 12800, 0.52);   // epoch 1/10 [####------] 100/469 loss 0.5200 9000 samples/s ETA 0:05
 * bar.clear();
 * }</pre>
 */
final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastLength;

    ProgressBar(PrintStream out, String label, long total, boolean enabled) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /** Shows {@code done} of the batches, {@code samples} examples seen and the mean loss so far. */
    void update(long done, long samples, double loss) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        long filled = total == 0 ? WIDTH : done * WIDTH / total;
        long eta = done == 0 ? 0 : Math.round(seconds * (total - done) / done);
        String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d loss %.4f %.0f samples/s ETA %d:%02d", label,
                "#".repeat((int) filled), "-".repeat((int) (WIDTH - filled)), done, total, loss, samples / seconds,
                eta / 60, eta % 60);
        draw(line);
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
