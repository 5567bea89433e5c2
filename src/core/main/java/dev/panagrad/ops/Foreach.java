package dev.panagrad.ops;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Storage;

import java.util.IdentityHashMap;
import java.util.List;

/**
 * An element-by-element update of many tensors as one parallel region, as PyTorch's {@code _foreach} and fused
 * optimizers: all parameters of an optimizer step, or all gradients to zero, go through one split of their
 * elements instead of one fork/join per tensor and per op. Each row holds the tensors of one
 * parameter (all with its number of elements); the first {@code written} columns are written in place (their
 * versions bumped, as any in-place op), the others only read.
 *
 * <pre>{@code
 * List<Tensor[]> rows = List.of(new Tensor[] {p1, g1}, new Tensor[] {p2, g2});
 * if (Foreach.fits(rows, DType.FLOAT32)) Foreach.update("sgd", rows, 1, (row, t, lo, hi) -> ...);
 * }</pre>
 */
public final class Foreach {
    private Foreach() {}

    /** The update of elements [lo, hi) of row {@code row}, whose tensors are {@code t}. */
    @FunctionalInterface
    public interface Slice {
        void run(int row, Tensor[] t, long lo, long hi);
    }

    /**
     * Whether the rows suit {@link #update}: every tensor contiguous, of dtype {@code dt}, with its row's number
     * of elements, live, and no two tensors sharing storage (a write through one would change what another reads).
     */
    public static boolean fits(List<Tensor[]> rows, DType dt) {
        IdentityHashMap<Storage, Boolean> seen = new IdentityHashMap<>();
        for (Tensor[] row : rows) {
            long n = row[0].numel();
            for (Tensor t : row) {
                if (t.dtype() != dt || t.numel() != n || !t.isContiguous() || t.storage().isReleased()
                        || seen.put(t.storage(), true) != null) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the rows {@link #fits fit} with the first tensor's dtype, a floating one (as optimizer updates need). */
    public static boolean fitsFloating(List<Tensor[]> rows) {
        DType dt = rows.getFirst()[0].dtype();
        return dt.isFloating() && fits(rows, dt);
    }

    /**
     * Runs {@code slice} over the rows' elements, split across the library's threads; the rows must
     * {@link #fits fit}. A tensor large enough for an elementwise op to split it is split as that op splits
     * it, so each thread updates the part it wrote last (the gradient's accumulation, say), still in its core's
     * cache; each smaller one goes whole to the thread whose share of the joined elements holds its start.
     * Throws, naming {@code op}, when another thread uses a written tensor or a tensor was released meanwhile.
     */
    public static void update(String op, List<Tensor[]> rows, int written, Slice slice) {
        int count = rows.size();
        long[] start = new long[count + 1];
        Tensor[] all = new Tensor[count * rows.getFirst().length];
        int k = 0;
        for (int r = 0; r < count; r++) {
            start[r + 1] = start[r] + rows.get(r)[0].numel();
            for (Tensor t : rows.get(r)) all[k++] = t;
        }
        int begun = 0;
        try {
            for (Tensor[] row : rows) {
                for (int c = 0; c < written; c++, begun++) row[c].storage().beginWrite(op, row[c]::describe);
            }
            long total = start[count];
            int parts = (int) Math.min(Parallel.threads(), Math.max(1, total / Loops.GRAIN));
            Loops.using(op, all, () -> Parallel.forRange(parts, 1, (lo, hi) -> {
                for (long part = lo; part < hi; part++) {
                    for (int r = 0; r < count; r++) {
                        long n = start[r + 1] - start[r], split = Math.min(parts, n / Loops.GRAIN);
                        if (n == 0) continue;
                        if (split > 1) {
                            if (part < split) slice.run(r, rows.get(r), n * part / split, n * (part + 1) / split);
                        } else if (start[r] * parts / total == part) {
                            slice.run(r, rows.get(r), 0, n);
                        }
                    }
                }
            }));
            for (Tensor[] row : rows) {
                for (int c = 0; c < written; c++) row[c].storage().bumpVersion();
            }
        } finally {
            for (Tensor[] row : rows) {
                for (int c = 0; c < written && begun > 0; c++, begun--) row[c].storage().endWrite();
            }
        }
    }
}
