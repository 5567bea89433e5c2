package dev.panagrad;

import dev.panagrad.memory.MemoryPool;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scopes, garbage-collected tensors, the pool, and use-after-release. */
class MemoryTest {

    @Test
    void scopeCloseReleasesEverythingCreatedInside() {
        Tensor outside = Tensor.ones(1);
        Tensor a, b;
        long before = MemoryPool.liveBytes(), inside;
        try (Scope s = Scope.open()) {
            assertSame(s, Scope.current());
            a = Tensor.zeros(1000);                    // 4000 bytes
            b = a.add(outside).exp();                  // temporaries of the add, and the exp result
            assertTrue(s.ownedCount() >= 3);
            assertSame(s, a.storage().scope());
            inside = MemoryPool.liveBytes();
            assertTrue(inside >= before + 8000, "two 4000-byte tensors are live: " + MemoryPool.stats());
        }
        assertNull(Scope.current());
        assertTrue(a.storage().isReleased() && b.storage().isReleased());
        assertFalse(outside.storage().isReleased(), "a tensor from outside the scope is not the scope's");
        assertTrue(MemoryPool.liveBytes() <= inside - 8000, "the scope's bytes went back to the pool");
        assertEquals(1, outside.sum().item());
    }

    @Test
    void useAfterReleaseThrowsNamingShapeAndScope() {
        Tensor t;
        String scopeName;
        try (Scope s = Scope.open()) {
            t = Tensor.ones(2, 3);
            scopeName = s.toString();
        }
        Tensor released = t;
        Ref.assertThrowsWith(IllegalStateException.class, released::exp, "exp", "[2, 3] float32", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, () -> released.add(1), "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, released::sum, "sum", "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, () -> released.matmul(Tensor.ones(3, 1)), "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, released::toDoubleArray, "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, () -> released.fill_(0), "fill_", "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, () -> released.add_(1), "add_", "[2, 3]", scopeName);
        Ref.assertThrowsWith(IllegalStateException.class, () -> Tensor.ones(2, 3).copy_(released), "[2, 3]", scopeName);
        // views of released storage can be described but not read
        Ref.assertThrowsWith(IllegalStateException.class, () -> released.t().contiguous(), "[3, 2]", scopeName);
    }

    @Test
    void keepMovesATensorToTheEnclosingScope() {
        Tensor kept, gcOwned;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = Tensor.full(3, 2).keep();
                assertSame(outer, kept.storage().scope());
                assertEquals(0, inner.ownedCount());
            }
            assertFalse(kept.storage().isReleased(), "kept past the inner scope");
            assertEquals(6, kept.sum().item());
            gcOwned = Tensor.full(5, 2).keep();           // from the outermost scope: the garbage collector owns it
            assertNull(gcOwned.storage().scope());
        }
        assertTrue(kept.storage().isReleased(), "released with the outer scope");
        assertEquals(10, gcOwned.sum().item());
        Tensor fresh = Tensor.zeros(2);
        assertSame(fresh, fresh.keep(), "keep outside any scope is a no-op");
    }

    @Test
    void scopesClosedOutOfOrderLeaveNoClosedScopeCurrent() {
        Scope a = Scope.open(), b = Scope.open();
        Tensor fromB = Tensor.ones(2);
        a.close();                                        // the outer scope closes first
        assertSame(b, Scope.current());
        assertFalse(fromB.storage().isReleased());
        Tensor keptFromB = Tensor.ones(3);
        keptFromB.keep();                                 // a is closed: the tensor goes to the garbage collector
        assertNull(keptFromB.storage().scope());
        b.close();
        assertNull(Scope.current(), "no closed scope stays current");
        assertEquals(2, Tensor.ones(2).sum().item(), "allocation still works");
        assertEquals(3, keptFromB.sum().item());
    }

    @Test
    void unscopedAndWrappedMemoryOutliveTheScope() {
        Tensor param;
        try (Arena arena = Arena.ofShared(); Scope s = Scope.open()) {
            param = Scope.unscoped(() -> Tensor.ones(3));
            Tensor wrapped = Tensor.wrap(arena.allocate(8, 8), DType.FLOAT64, 1);
            s.close();
            assertFalse(param.storage().isReleased());
            wrapped.fill_(2);                              // wrapped memory belongs to the caller, not the scope
            assertEquals(2, wrapped.item());
        }
        assertEquals(3, param.sum().item());
    }

    @Test
    void garbageCollectorReclaimsUnscopedTensors() throws InterruptedException {
        long before = MemoryPool.liveBytes();
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < 32; i++) tensors.add(Tensor.zeros(1 << 18));   // 32 x 1 MiB
        long allocated = 32L << 20;
        assertTrue(MemoryPool.liveBytes() >= before + allocated);
        tensors.clear();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (MemoryPool.liveBytes() > before + allocated / 2 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(MemoryPool.liveBytes() <= before + allocated / 2,
                "unreachable tensors are returned to the pool: " + MemoryPool.stats());
    }

    @Test
    void steadyLoopInAScopeKeepsThePoolFlat() throws InterruptedException {
        Tensor x = Scope.unscoped(() -> Tensor.randn(8, 16));
        Tensor w = Scope.unscoped(() -> Tensor.randn(16, 4));
        Runnable step = () -> {
            try (Scope s = Scope.open()) {
                Tensor wi = w.clone().requiresGrad(true);  // a leaf of this scope: its gradient is the scope's too
                Tensor h = x.matmul(wi).tanh();
                h.softmax(-1).mul(h).sum().backward();      // graph nodes and saved tensors are temporaries too
                x.narrow(0, 1, 4).t().contiguous().mul_(2).exp().max();
            }
        };
        for (int i = 0; i < 1000; i++) step.run();         // warm-up: the pool fills with every size the step uses
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        long reserved = MemoryPool.reservedBytes(), live = MemoryPool.liveBytes(), maxLive = live;
        for (int i = 1; i <= 100_000; i++) {
            step.run();
            if (i % 1000 == 0) {
                maxLive = Math.max(maxLive, MemoryPool.liveBytes());
                assertEquals(reserved, MemoryPool.reservedBytes(), "nothing new was reserved by iteration " + i);
            }
        }
        // live bytes can only fall (the collector may return older tensors meanwhile); they never grow
        assertTrue(maxLive <= live, "live bytes stay flat: started at " + live + ", peaked at " + maxLive);
        assertEquals(reserved, MemoryPool.reservedBytes());
    }

    @Test
    void releaseIsDeferredWhileAKernelPinsTheStorage() {
        // an unusual size class, so that no other tensor competes for these blocks
        long n = 777_777;
        MemorySegment pinnedBlock;
        Tensor t;
        try (Scope s = Scope.open()) {
            t = Tensor.zeros(DType.BOOL, n);
            pinnedBlock = t.segment();
            assertTrue(t.storage().pin());                // as a kernel on another thread would
        }
        assertTrue(t.storage().isReleased(), "marked released at once");
        assertFalse(t.storage().pin(), "a released storage cannot be pinned again");
        try (Scope s = Scope.open()) {
            Tensor u = Tensor.zeros(DType.BOOL, n);
            assertNotEquals(pinnedBlock.address(), u.segment().address(), "a pinned block is not handed out again");
        }
        t.storage().unpin();                              // the kernel ends: now the block goes back to the pool
        try (Scope s = Scope.open()) {
            Tensor v = Tensor.zeros(DType.BOOL, n);
            assertEquals(pinnedBlock.address(), v.segment().address(), "the most recently returned block is reused");
        }
    }

    @Test
    void closingAScopeFromAnotherThreadIsRefused() throws Exception {
        Scope s = Scope.open();
        try {
            Throwable[] thrown = new Throwable[1];
            Thread other = new Thread(() -> {
                try {
                    s.close();
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            }, "closer");
            other.start();
            other.join();
            assertTrue(thrown[0] instanceof IllegalStateException);
            assertTrue(thrown[0].getMessage().contains("Scope.close") && thrown[0].getMessage().contains("closer"));
        } finally {
            s.close();
        }
    }
}
