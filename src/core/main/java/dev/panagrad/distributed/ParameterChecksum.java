package dev.panagrad.distributed;

import dev.panagrad.DType;
import dev.panagrad.Tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Checks that every rank has the same parameters (names, shapes, dtypes, in the same order) before
 * data-parallel training starts: a mismatch would otherwise pair unrelated gradients silently.
 *
 * <pre>{@code
 * ParameterChecksum.verify(model.namedParameters(), group);   // throws on every rank when any rank differs
 * }</pre>
 */
final class ParameterChecksum {
    private ParameterChecksum() {}

    /** 64-bit FNV-1a over "name dtype shape;" of every parameter, in order. */
    static long of(Map<String, Tensor> params) {
        long h = 0xcbf29ce484222325L;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String item = e.getKey() + " " + e.getValue().dtype() + " " + Arrays.toString(e.getValue().shape()) + ";";
            for (int i = 0; i < item.length(); i++) {
                h ^= item.charAt(i);
                h *= 0x100000001b3L;
            }
        }
        return h;
    }

    /** Compares this rank's parameters with rank 0's; throws {@link IllegalStateException} on every rank if any differs. */
    static void verify(Map<String, Tensor> params, ProcessGroup group) {
        long h = of(params);
        // count and checksum in pieces of 20 bits, each exact in a float64
        double[] mine = {params.size(), h >>> 60, (h >>> 40) & 0xFFFFF, (h >>> 20) & 0xFFFFF, h & 0xFFFFF};
        Tensor root = Tensor.of(mine, mine.length);
        group.broadcast(root, 0);
        double[] theirs = root.toDoubleArray();
        boolean differs = !Arrays.equals(mine, theirs);
        Tensor mismatches = Tensor.full(DType.FLOAT64, differs ? 1 : 0, 1);
        group.allReduce(mismatches, ReduceOp.SUM);
        long count = (long) mismatches.item();
        if (count == 0) return;
        long rootSum = ((long) theirs[1] << 60) | ((long) theirs[2] << 40) | ((long) theirs[3] << 20) | (long) theirs[4];
        String here = differs ? String.format(Locale.ROOT, "; rank %d has %d parameter tensors (checksum %016x)",
                group.rank(), params.size(), h) : "";
        throw new IllegalStateException(String.format(Locale.ROOT, "DistributedDataParallel: the model's parameters "
                + "differ between ranks: %d of %d ranks do not match rank 0, which has %d parameter tensors (checksum "
                + "%016x)%s; expected the same parameter names, shapes and dtypes on every rank", count, group.size(),
                (long) theirs[0], rootSum, here));
    }
}
