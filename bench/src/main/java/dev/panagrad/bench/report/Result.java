package dev.panagrad.bench.report;

import java.util.Map;

/**
 * One JMH result, normalised: what ran (workload, implementation, case, threads), how long a call
 * took, what that means in GFLOP/s or GB/s or samples/s, the machine limit it is held against, and
 * the load on the machine while it ran. Serialised as is into results.json.
 */
final class Result {
    public String benchmark;
    public String workload;
    public String family;
    public String method;
    public String implementation;
    /** panagrad kernel set (scalar, vector, blas), null for others */
    public String kernels;
    public String caseKey;
    public Map<String, String> params;
    public String sizeParam;
    public String size;
    public double sizeValue;
    public int threads;

    public String mode;
    public double score;
    public Double scoreError;
    public String scoreUnit;
    public double secondsPerCall;
    /** the fastest measurement iteration, seconds per call: less sensitive to other load than the mean */
    public Double bestSecondsPerCall;

    public String bound;
    /** GFLOP/s for compute-bound work (matmul, conv, training steps, the FMA peak) */
    public Double gflops;
    /** GB/s for memory-bound work (elementwise, reductions, softmax, stream kernels) */
    public Double gbps;
    /** nanoseconds per element of the main operand, for elementwise ops, reductions and softmax */
    public Double nsPerElement;
    /** the figure a reader looks at: GFLOP/s, GB/s, samples/s (training) or ns per op (overheads) */
    public Double derived;
    public String derivedUnit;
    public Double limit;
    public String limitUnit;
    public String limitSource;
    /** derived / limit */
    public Double fractionOfLimit;

    public LoadLog.Stats load;

    transient Workloads.Work work;

    /** A short label for tables: the size param's value, or the case's params. */
    String sizeLabel() {
        return size == null ? "" : size;
    }
}
