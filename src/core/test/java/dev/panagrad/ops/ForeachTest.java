package dev.panagrad.ops;

import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Foreach#update} visits every element of every row exactly once, whatever the thread count. */
class ForeachTest {
    @Test
    void everyElementOfEveryRowIsUpdatedOnceForEveryThreadCount() {
        long g = Loops.GRAIN;
        long[] sizes = {0, 5, 3 * g + 7, 100, 2 * g, g - 1, 9 * g + 1, 1, 2 * g - 1};
        int saved = Parallel.threads();
        try {
            for (int threads = 1; threads <= 5; threads++) {
                Parallel.setThreads(threads);
                for (int first = 0; first < sizes.length; first++) {
                    List<Tensor[]> rows = new ArrayList<>();
                    for (int r = first; r < sizes.length; r++) rows.add(new Tensor[] {Tensor.zeros(sizes[r])});
                    Foreach.update("test", rows, 1, (row, t, lo, hi) -> {
                        for (long i = lo; i < hi; i++) {
                            long at = (t[0].offset() + i) * Float.BYTES;
                            t[0].segment().set(ValueLayout.JAVA_FLOAT, at, t[0].segment().get(ValueLayout.JAVA_FLOAT, at) + 1);
                        }
                    });
                    for (int r = 0; r < rows.size(); r++) {
                        Tensor t = rows.get(r)[0];
                        String what = threads + " threads, row " + r + " of " + t.numel() + " elements";
                        if (t.numel() > 0) {
                            assertEquals(1.0, t.min().item(), what);
                            assertEquals(1.0, t.max().item(), what);
                        }
                        assertEquals(1, t.version(), what + ": version");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
