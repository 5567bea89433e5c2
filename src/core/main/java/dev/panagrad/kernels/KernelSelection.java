package dev.panagrad.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Chooses the kernel set on first use: one installed by {@link Kernels#use}, else the one named by
 * {@code -Dpanagrad.kernels=scalar|vector|blas|<provider name>}, else the first {@link Kernels} service provider
 * found by {@link ServiceLoader}, else BLAS when OpenBLAS loads, else the Vector API kernels. The choice and its
 * reason are logged once, at INFO.
 */
final class KernelSelection {
    private KernelSelection() {}

    /** A kernel set and why it was chosen. */
    record Choice(Kernels kernels, String reason) {}

    private static volatile Choice current;

    /** The active kernel set, choosing it on the first call. */
    static Kernels active() {
        Choice c = current;
        return (c != null ? c : chooseOnce()).kernels();
    }

    /** Why the active kernel set was chosen, for diagnostics. */
    static String reason() {
        Choice c = current;
        return (c != null ? c : chooseOnce()).reason();
    }

    /**
     * Makes {@code kernels} the active set; only before the first op, because the op families keep the set in
     * constants that the JIT folds into every call.
     */
    static synchronized void use(Kernels kernels, String reason) {
        if (current != null) {
            throw new IllegalStateException("Kernels.use: the kernel set is already chosen (" + current.kernels().name()
                    + ": " + current.reason() + "); call Kernels.use before the first tensor op");
        }
        current = new Choice(kernels, reason);
        System.getLogger("dev.panagrad").log(System.Logger.Level.INFO,
                "panagrad kernels: " + kernels.name() + " (" + reason + ")");
    }

    private static synchronized Choice chooseOnce() {
        if (current != null) return current;
        requireVectorModule();
        List<Kernels> provided = new ArrayList<>();
        ServiceLoader.load(Kernels.class, KernelSelection.class.getClassLoader()).forEach(provided::add);
        Choice c = choose(System.getProperty("panagrad.kernels", ""), provided, BlasKernels::available,
                BlasKernels::unavailableReason);
        current = c;
        System.getLogger("dev.panagrad").log(System.Logger.Level.INFO,
                "panagrad kernels: " + c.kernels().name() + " (" + c.reason() + ")");
        return c;
    }

    /**
     * The selection rule, without side effects: {@code wanted} is the property's value (blank when unset),
     * {@code provided} the service providers in discovery order.
     */
    static Choice choose(String wanted, List<Kernels> provided, Supplier<Boolean> blasAvailable,
                         Supplier<String> blasProblem) {
        String name = wanted.trim().toLowerCase(Locale.ROOT);
        for (Kernels k : provided) {
            if (k.name().toLowerCase(Locale.ROOT).equals(name)) {
                return new Choice(k, "requested by -Dpanagrad.kernels=" + name + ", provided by " + k.getClass().getName());
            }
        }
        return switch (name) {
            case "scalar" -> new Choice(new ScalarKernels(), "requested by -Dpanagrad.kernels=scalar");
            case "vector" -> new Choice(new VectorKernels(), "requested by -Dpanagrad.kernels=vector");
            case "blas" -> blasOrVector("requested by -Dpanagrad.kernels=blas", blasAvailable, blasProblem);
            case "" -> {
                if (!provided.isEmpty()) {
                    Kernels k = provided.getFirst();
                    yield new Choice(k, "service provider " + k.getClass().getName());
                }
                yield blasOrVector("default: OpenBLAS loaded", blasAvailable, blasProblem);
            }
            default -> {
                List<String> names = new ArrayList<>(List.of("scalar", "vector", "blas"));
                provided.forEach(k -> names.add(k.name()));
                throw new IllegalArgumentException("panagrad.kernels: unknown kernel set '" + name
                        + "'; expected one of " + String.join(", ", names));
            }
        };
    }

    private static Choice blasOrVector(String why, Supplier<Boolean> blasAvailable, Supplier<String> blasProblem) {
        return blasAvailable.get() ? new Choice(new BlasKernels(), why)
                : new Choice(new VectorKernels(), "OpenBLAS unavailable (" + blasProblem.get() + "), using Vector API kernels");
    }

    /**
     * On the class path the Vector API module is only there when the command line adds it; without this check the
     * first vector loop would fail halfway through a program with {@code NoClassDefFoundError}.
     */
    static void requireVectorModule() {
        ModuleLayer layer = KernelSelection.class.getModule().getLayer();
        if ((layer != null ? layer : ModuleLayer.boot()).findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException("panagrad: the Vector API module is missing; add "
                    + "--add-modules jdk.incubator.vector to the java command line (with Maven: to MAVEN_OPTS or "
                    + ".mvn/jvm.config for exec:java, to Surefire's argLine for tests; see the README)");
        }
    }
}
