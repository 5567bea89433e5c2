package dev.panagrad.distributed;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Watches the MPI collective in progress: when one takes longer than the timeout (a peer
 * died or stopped calling collectives), it hands a message naming this rank and the collective to
 * {@code fatal}, which ends the job. A blocked MPI call cannot be interrupted, so ending the job is the only way
 * out that does not hang.
 *
 * <pre>{@code
 * Watchdog w = new Watchdog(Duration.ofSeconds(60), message -> group.abort(message, 3));
 * w.begin("barrier");  ...  w.end();
 * }</pre>
 */
final class Watchdog {
    private final Duration timeout;
    private final Consumer<String> fatal;
    private final Thread thread;
    private volatile String running;
    private volatile long startedAt;

    Watchdog(Duration timeout, Consumer<String> fatal) {
        this.timeout = timeout;
        this.fatal = fatal;
        this.thread = Thread.ofPlatform().daemon().name("panagrad-mpi-watchdog").start(this::watch);
    }

    Duration timeout() {
        return timeout;
    }

    void begin(String what) {
        startedAt = System.nanoTime();
        running = what;
    }

    void end() {
        running = null;
    }

    void stop() {
        thread.interrupt();
    }

    private void watch() {
        long limit = timeout.toNanos();
        long tick = Math.max(1_000_000L, Math.min(limit / 10, 1_000_000_000L));
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(Duration.ofNanos(tick));
            } catch (InterruptedException e) {
                return;
            }
            String what = running;
            long elapsed = System.nanoTime() - startedAt;
            if (what != null && elapsed > limit) {
                fatal.accept(String.format(java.util.Locale.ROOT, "%s did not complete within %.1f s (the "
                        + "collective timeout, -D%s=SECONDS); another rank has probably died or stopped calling "
                        + "collectives (the launcher's messages name it); ending the job", what, elapsed / 1e9,
                        ProcessGroup.TIMEOUT_PROPERTY));
                return;
            }
        }
    }
}
