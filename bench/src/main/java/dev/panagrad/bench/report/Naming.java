package dev.panagrad.bench.report;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a JMH benchmark name says what it measures. This is the only place that knows the
 * convention, so adding the panagrad side means adding benchmark classes, not report code.
 *
 * <pre>
 *   dev.panagrad.bench.&lt;package&gt;.&lt;Prefix&gt;&lt;Family&gt;.&lt;method&gt;   with JMH params
 *
 *   package   prefix     implementation
 *   torch     Torch      "pytorch"
 *   panagrad  Panagrad   "panagrad-" + value of the param "kernels" (scalar|vector|blas),
 *                        or "panagrad" when the class has no such param; a class with the param
 *                        "engine" (DjlTraining: the same DJL program on both engines) is "pytorch"
 *                        for engine=PyTorch and "panagrad" for engine=Panagrad
 *   openblas  OpenBlas   "openblas-raw": the library's OpenBLAS binding called directly on bare
 *                        segments, beside the panagrad results of the same case (not paired
 *                        with PyTorch; package dev.panagrad.bench.panagrad.openblas)
 *   machine   (none)     "machine" (limits: PeakFlops.fma, StreamBandwidth.copy|add|triad|read)
 * </pre>
 *
 * The <b>workload</b> is {@code Family.method} (for example {@code Matmul.matmul},
 * {@code Elementwise.exp}); a <b>case</b> is the workload plus every param except {@code threads}
 * and {@code kernels} ({@code Elementwise.exp[n=1048576]}). A panagrad result and a PyTorch result
 * <b>pair</b> when their case and their {@code threads} are equal. So
 * {@code dev.panagrad.bench.panagrad.PanagradMatmul.matmul} with params {@code dim}, {@code threads},
 * {@code kernels} pairs with {@code dev.panagrad.bench.torch.TorchMatmul.matmul} (params
 * {@code dim}, {@code threads}) for every kernel set. Results outside this scheme are kept and
 * listed, never paired.
 */
public final class Naming {
    private Naming() {}

    public static final String PYTORCH = "pytorch";
    public static final String MACHINE = "machine";
    public static final String PANAGRAD = "panagrad";
    public static final String OPENBLAS_RAW = "openblas-raw";

    /** Families measured for one implementation only by design (left out of the headline). */
    public static final Set<String> UNPAIRED_FAMILIES = Set.of("DjlOverhead");

    /** Params that say how a case is run rather than what it computes. */
    public static final Set<String> RUN_PARAMS = Set.of("threads", "kernels", "engine");

    /** Param names that give a case its size, in order of preference. */
    public static final String[] SIZE_PARAMS = {"n", "dim", "shape", "layer", "numel"};

    public record Parsed(String pkg, String family, String method, String implementation) {
        public String workload() {
            return family + "." + method;
        }
    }

    public static Parsed parse(String benchmark, Map<String, String> params) {
        int lastDot = benchmark.lastIndexOf('.');
        String method = benchmark.substring(lastDot + 1);
        String cls = benchmark.substring(0, lastDot);
        int clsDot = cls.lastIndexOf('.');
        String simple = cls.substring(clsDot + 1);
        String pkg = clsDot < 0 ? "" : cls.substring(cls.lastIndexOf('.', clsDot - 1) + 1, clsDot);
        return switch (pkg) {
            case "torch" -> new Parsed(pkg, strip(simple, "Torch"), method, PYTORCH);
            case "panagrad" -> {
                String engine = params.get("engine"), kernels = params.get("kernels");
                if (engine != null) {
                    yield new Parsed(pkg, strip(simple, "Panagrad"), method,
                            engine.equals("PyTorch") ? PYTORCH : PANAGRAD);
                }
                yield new Parsed(pkg, strip(simple, "Panagrad"), method,
                        kernels == null ? PANAGRAD : PANAGRAD + "-" + kernels);
            }
            case "openblas" -> new Parsed(pkg, strip(simple, "OpenBlas"), method, OPENBLAS_RAW);
            case "machine" -> new Parsed(pkg, simple, method, MACHINE);
            default -> new Parsed(pkg, simple, method, pkg.isEmpty() ? "other" : pkg);
        };
    }

    private static String strip(String simple, String prefix) {
        return simple.startsWith(prefix) && simple.length() > prefix.length()
                ? simple.substring(prefix.length()) : simple;
    }

    public static boolean isPanagrad(String implementation) {
        return implementation.equals(PANAGRAD) || implementation.startsWith(PANAGRAD + "-");
    }

    /** {@code Family.method[k=v,...]} over the params that are not run params. */
    public static String caseKey(String workload, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(workload);
        Map<String, String> sorted = new TreeMap<>(params);
        RUN_PARAMS.forEach(sorted::remove);
        if (!sorted.isEmpty()) {
            sb.append('[');
            boolean first = true;
            for (var e : sorted.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(e.getKey()).append('=').append(e.getValue());
            }
            sb.append(']');
        }
        return sb.toString();
    }

    /** The key LoadProbe lines and JMH results share: benchmark plus all params. */
    public static String runKey(String benchmark, Map<String, String> params) {
        return benchmark + new TreeMap<>(params);
    }
}
