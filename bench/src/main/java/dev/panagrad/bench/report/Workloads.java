package dev.panagrad.bench.report;

import dev.panagrad.bench.machine.PeakFlops;
import dev.panagrad.bench.machine.StreamBandwidth;

import java.util.Map;

/**
 * The work one call of a workload does, so that a time per call becomes GFLOP/s or GB/s and can be
 * set against the machine limit that bounds it. Keyed by workload ({@code Family.method}), hence
 * shared by every implementation of it. Counts are the minimum the operation needs: FLOPs of the
 * arithmetic (2 per multiply-add), bytes that must be read and written once (float32 unless a
 * {@code dtype} param says float64). A workload not listed here is reported with its time only.
 */
public final class Workloads {
    private Workloads() {}

    public enum Bound {
        /** limited by FMA throughput: compared with the machine's peak GFLOP/s */
        COMPUTE,
        /** limited by bandwidth: compared with the stream kernel {@link Work#limitKernel} at the same size */
        MEMORY,
        /** per-op bookkeeping (autograd chain, DJL overhead): time per op only */
        OVERHEAD,
        /** a machine limit itself */
        LIMIT,
        UNKNOWN
    }

    /**
     * @param flops       floating-point operations per call (0 if not meaningful)
     * @param bytes       bytes read + written per call (0 if not meaningful)
     * @param limitKernel for MEMORY: the StreamBandwidth kernel with the same access pattern
     * @param elements    elements of the main operand (x position in the bandwidth charts)
     * @param samples     training samples per call (0 if not a training step)
     * @param peakShare   for COMPUTE: the share of the float32 FMA peak this precision can reach (1 for
     *                    float32; 0.5 for float64, whose vectors hold half as many lanes per FMA)
     */
    public record Work(Bound bound, double flops, double bytes, String limitKernel, double elements, double samples,
                       double peakShare) {
        Work(Bound bound, double flops, double bytes, String limitKernel, double elements, double samples) {
            this(bound, flops, bytes, limitKernel, elements, samples, 1);
        }

        static Work unknown() {
            return new Work(Bound.UNKNOWN, 0, 0, null, 0, 0);
        }
    }

    /** Bytes per element a memory-bound op must move, and the stream kernel with that pattern. */
    private static final Map<String, Object[]> ELEMENTWISE = Map.of(
            "add", new Object[] {12, "add"},
            "addInPlace", new Object[] {12, "add"},
            "exp", new Object[] {8, "copy"},
            "tanh", new Object[] {8, "copy"},
            "sigmoid", new Object[] {8, "copy"});

    public static Work of(String family, String method, Map<String, String> p) {
        try {
            return switch (family) {
                case "Elementwise" -> {
                    Object[] e = ELEMENTWISE.get(method);
                    if (e == null) {
                        yield Work.unknown();
                    }
                    double n = Double.parseDouble(p.get("n"));
                    yield new Work(Bound.MEMORY, method.startsWith("add") ? n : 0, n * (int) e[0], (String) e[1], n, 0);
                }
                case "Reduce" -> {
                    double n = Double.parseDouble(p.get("n"));
                    yield new Work(Bound.MEMORY, n, 4 * n, "read", n, 0);
                }
                case "Softmax" -> {
                    String[] rc = p.get("shape").split("x");
                    double e = Double.parseDouble(rc[0]) * Double.parseDouble(rc[1]);
                    yield new Work(Bound.MEMORY, 0, 8 * e, "copy", e, 0);
                }
                case "Matmul" -> {
                    double d = Double.parseDouble(p.get("dim"));
                    boolean f64 = "float64".equals(p.get("dtype"));
                    // reads A and B, writes C: 3 d^2 elements
                    yield new Work(Bound.COMPUTE, 2 * d * d * d, (f64 ? 8 : 4) * 3 * d * d, null, d * d, 0,
                            f64 ? 0.5 : 1);
                }
                case "Conv2d" -> {
                    double[] s = conv(p.get("layer"));
                    double fwd = convFlops(s);
                    // backward: grad of w always; grad of x only when x needs it (C > 1, see TorchConv2d)
                    double total = method.equals("forward") ? fwd : fwd * (s[1] > 1 ? 3 : 2);
                    yield new Work(Bound.COMPUTE, total, 0, null, s[0] * s[1] * s[2] * s[3], 0);
                }
                case "Training" -> switch (method) {
                    case "mlpStep" -> new Work(Bound.COMPUTE, mlpStepFlops(128), 0, null, 0, 128);
                    case "cnnStep" -> new Work(Bound.COMPUTE, cnnStepFlops(128), 0, null, 0, 128);
                    default -> Work.unknown();
                };
                case "AutogradChain", "DjlOverhead" -> new Work(Bound.OVERHEAD, 0, 0, null, 0, 0);
                // allocate + free one float32 tensor: a cost per call, whatever its size
                case "Allocation" -> new Work(Bound.OVERHEAD, 0, 0, null, Double.parseDouble(p.get("numel")), 0);
                case "PeakFlops" -> new Work(Bound.LIMIT,
                        PeakFlops.flopsPerCall(Integer.parseInt(p.get("threads"))), 0, null, 0, 0);
                case "StreamBandwidth" -> {
                    long n = Long.parseLong(p.get("n"));
                    yield new Work(Bound.LIMIT, 0,
                            (double) StreamBandwidth.reps(n) * n * StreamBandwidth.bytesPerElement(method), method, n, 0);
                }
                default -> Work.unknown();
            };
        } catch (RuntimeException e) {
            return Work.unknown();   // a param missing or malformed: time only
        }
    }

    /** "BxCxHxW:K" to {B, C, H, W, K}. */
    static double[] conv(String layer) {
        String[] io = layer.split(":");
        String[] d = io[0].split("x");
        return new double[] {Double.parseDouble(d[0]), Double.parseDouble(d[1]), Double.parseDouble(d[2]),
                Double.parseDouble(d[3]), Double.parseDouble(io[1])};
    }

    /** 3x3 convolution, padding 1: output B x K x H x W, each a dot product of length C*9. */
    static double convFlops(double[] s) {
        return 2 * s[0] * s[4] * s[2] * s[3] * s[1] * 9;
    }

    /**
     * MLP 784-512-512-10 at batch b: forward 2 b (in*out) per layer; backward 2x that per layer
     * (grad of input and of weight) except the first layer, whose input needs no grad.
     */
    static double mlpStepFlops(int b) {
        double l1 = 2.0 * b * 784 * 512, l2 = 2.0 * b * 512 * 512, l3 = 2.0 * b * 512 * 10;
        return 2 * l1 + 3 * (l2 + l3);
    }

    /** The CNN at batch b: two convolutions and two linear layers (BN, ReLU, pooling ignored). */
    static double cnnStepFlops(int b) {
        double c1 = convFlops(new double[] {b, 1, 28, 28, 32});
        double c2 = convFlops(new double[] {b, 32, 14, 14, 64});
        double f1 = 2.0 * b * 3136 * 128, f2 = 2.0 * b * 128 * 10;
        return 2 * c1 + 3 * (c2 + f1 + f2);
    }
}
