package dev.panagrad.kernels;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiler watch on a clock and a compiler time the test sets: busy exactly for the intervals in which the
 * compiler took a quarter of a core or more, sampled once per interval; and ranges stay on the caller while busy.
 */
class CompilerWatchTest {
    private static final long MS = 1_000_000L;

    @Test
    void busyOnlyAfterAnIntervalInWhichTheCompilerTookAQuarterOfACore() {
        AtomicLong now = new AtomicLong(5_000 * MS), compileMillis = new AtomicLong(900);
        CompilerWatch w = new CompilerWatch(compileMillis::get, now::get);
        assertFalse(w.busy(), "nothing sampled yet");

        compileMillis.addAndGet(15);   // 15 ms of compiling in the first 10 ms: not sampled before the interval ends
        now.addAndGet(10 * MS);
        assertFalse(w.busy());

        now.addAndGet(10 * MS);   // 15 ms in 20 ms
        assertTrue(w.busy());

        compileMillis.addAndGet(4);   // 4 ms in 20 ms: under a quarter
        now.addAndGet(20 * MS);
        assertFalse(w.busy());

        compileMillis.addAndGet(25);   // 25 ms over a 100 ms gap between calls: exactly a quarter
        now.addAndGet(100 * MS);
        assertTrue(w.busy());

        compileMillis.addAndGet(24);   // 24 ms in 100 ms
        now.addAndGet(100 * MS);
        assertFalse(w.busy());
    }

    @Test
    void rangesStayOnTheCallersThreadWhileTheCompilerIsBusy() {
        int saved = Parallel.threads();
        Parallel.setThreads(2);
        AtomicLong now = new AtomicLong(), compileMillis = new AtomicLong();
        CompilerWatch before = Parallel.watchCompiler(null);
        try {
            CompilerWatch w = new CompilerWatch(compileMillis::get, now::get);
            compileMillis.set(CompilerWatch.INTERVAL_NANOS / MS);   // a whole core for one interval
            now.addAndGet(CompilerWatch.INTERVAL_NANOS);
            Parallel.watchCompiler(w);
            for (int i = 0; i < 20; i++) {
                assertEquals(Set.of(Thread.currentThread()), threadsOf(), "range " + i + " while busy");
            }

            now.addAndGet(CompilerWatch.INTERVAL_NANOS);   // an idle interval: ranges split again
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 200 && seen.size() < 2; i++) seen.addAll(threadsOf());
            assertEquals(2, seen.size(), "a worker ran a chunk once the compiler was idle");
        } finally {
            Parallel.watchCompiler(before);
            Parallel.setThreads(saved);
        }
    }

    /** The threads that ran a range of two chunks, each of which takes long enough for a worker to claim one. */
    private static Set<Thread> threadsOf() {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        Parallel.forRange(2, 1, (lo, hi) -> {
            ran.add(Thread.currentThread());
            long until = System.nanoTime() + MS;
            while (System.nanoTime() < until) Thread.onSpinWait();
        });
        return ran;
    }
}
