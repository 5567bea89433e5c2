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
 * joined elements instead of one fork/join per tensor and per op. Each row holds the tensors of one
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
     * Runs {@code slice} over the rows' joined elements, split across the library's threads (a split may
     * fall inside a row); the rows must {@link #fits fit}. Throws, naming {@code op}, when another thread
     * uses a written tensor or a tensor was released meanwhile.
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
            Loops.using(op, all, () -> Parallel.forRange(start[count], Loops.GRAIN, (lo, hi) -> {
                for (int r = firstRowAt(start, lo); r < count && start[r] < hi; r++) {
                    long from = Math.max(lo, start[r]) - start[r], to = Math.min(hi, start[r + 1]) - start[r];
                    if (to > from) slice.run(r, rows.get(r), from, to);
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

    /** The row holding joined element {@code at}: the last r with start[r] <= at. */
    private static int firstRowAt(long[] start, long at) {
        int lo = 0, hi = start.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (start[mid] <= at) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
