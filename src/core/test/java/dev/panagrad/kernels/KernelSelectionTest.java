package dev.panagrad.kernels;

import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KernelSelectionTest {

    /** A kernel set a library might bring: the Vector API kernels under its own name. */
    static final class Custom extends VectorKernels {
        @Override
        public String name() {
            return "custom";
        }
    }

    private static KernelSelection.Choice choose(String wanted, List<Kernels> provided, boolean blas) {
        return KernelSelection.choose(wanted, provided, () -> blas, () -> "not bundled for this platform");
    }

    @Test
    void withoutPropertyOrProviderBlasWinsWhenItLoads() {
        assertEquals("blas", choose("", List.of(), true).kernels().name());
        KernelSelection.Choice fallback = choose("", List.of(), false);
        assertEquals("vector", fallback.kernels().name());
        assertTrue(fallback.reason().contains("not bundled for this platform"), fallback.reason());
    }

    @Test
    void aServiceProviderIsUsedWhenNothingIsRequested() {
        Custom provided = new Custom();
        KernelSelection.Choice c = choose("", List.of(provided), true);
        assertSame(provided, c.kernels());
        assertTrue(c.reason().contains(Custom.class.getName()), c.reason());
    }

    @Test
    void thePropertyNamesABuiltInSetOrAProvider() {
        Custom provided = new Custom();
        assertSame(provided, choose(" CUSTOM ", List.of(provided), true).kernels());
        assertEquals("scalar", choose("scalar", List.of(provided), true).kernels().name());
        assertEquals("vector", choose("blas", List.of(), false).kernels().name());
    }

    @Test
    void anUnknownNameListsTheChoices() {
        var e = assertThrows(IllegalArgumentException.class, () -> choose("gpu", List.of(new Custom()), true));
        assertEquals("panagrad.kernels: unknown kernel set 'gpu'; expected one of scalar, vector, blas, custom",
                e.getMessage());
    }

    @Test
    void kernelsUseAfterTheFirstOpSaysWhenToCallIt() {
        Tensor.of(1f).exp();   // the first op fixes the kernel set
        Kernels active = Kernels.active();
        var e = assertThrows(IllegalStateException.class, () -> Kernels.use(new Custom()));
        assertTrue(e.getMessage().startsWith("Kernels.use: the kernel set is already chosen (" + active.name()),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("call Kernels.use before the first tensor op"), e.getMessage());
        assertSame(active, Kernels.active());
        assertThrows(NullPointerException.class, () -> Kernels.use(null));
    }
}
