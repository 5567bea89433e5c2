package dev.panagrad.memory;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Code that never opens a scope still gets flat memory: the pool collects before it reserves without bound. */
class UnscopedMemoryTest {
    private static final long MB = 1 << 20;

    @Test
    void aLoopOfLargeUnscopedTemporariesStaysUnderABound() {
        assertTrue(Scope.current() == null, "the test runs outside every scope");
        long before = MemoryPool.reservedBytes();
        double sum = 0;
        // 48 iterations of two 16 MiB temporaries: 1.5 GiB if nothing came back before the heap needs a collection,
        // and the heap never does (each iteration allocates a few hundred bytes of it)
        for (int i = 0; i < 48; i++) {
            Tensor a = Tensor.zeros(DType.FLOAT32, 4 * MB);
            Tensor b = a.add(i);
            sum += b.narrow(0, 0, 1).item();
        }
        assertTrue(sum == 47 * 48 / 2, "the loop computed: " + sum);
        long grown = MemoryPool.reservedBytes() - before;
        // the limit on collector-owned bytes (256 MiB by default) plus one iteration's temporaries beyond it
        assertTrue(grown <= 256 * MB + 64 * MB, "reserved grew by " + grown / MB + " MiB (" + MemoryPool.stats() + ")");
    }
}
