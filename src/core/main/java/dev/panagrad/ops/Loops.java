package dev.panagrad.ops;

import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;
import dev.panagrad.memory.Storage;

import java.lang.foreign.MemorySegment;

/**
 * Walks several tensors of one shape together, handing the kernels the longest strided runs it can: dims
 * that are contiguous with each other in every operand are merged first, so a contiguous op is one run
 * (split across threads) and a broadcast bias add is one run per row.
 */
final class Loops {
    private Loops() {}

    private static final ClassValue<String[]> NAMES = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] names = new String[constants.length];
            for (int i = 0; i < names.length; i++) names[i] = ((Enum<?>) constants[i]).name().toLowerCase();
            if (type == dev.panagrad.kernels.BinaryOp.class) {   // the Tensor methods are maximum and minimum
                names[dev.panagrad.kernels.BinaryOp.MAX.ordinal()] = "maximum";
                names[dev.panagrad.kernels.BinaryOp.MIN.ordinal()] = "minimum";
            }
            return names;
        }
    };

    /** The op's name as messages show it ({@code ADD} is "add"), without allocating per call. */
    static String name(Enum<?> op) {
        return NAMES.get(op.getDeclaringClass())[op.ordinal()];
    }

    /** Elements per thread below which work stays on the caller's thread. */
    static final long GRAIN = 1 << 15;

    /** One run: each operand's segment, its element offset at the start of the run, its stride, and the length. */
    @FunctionalInterface
    interface Run {
        void apply(MemorySegment[] segments, long[] offsets, long[] strides, long n);
    }

    /**
     * Runs {@code body} with the storages of {@code operands} pinned: their bytes stay valid and reachable until
     * the body returns, even if a scope closes on another thread meanwhile or the caller drops its last
     * reference. Throws, naming {@code op} and the tensor, when an operand was released or another thread is
     * writing one in place.
     */
    static void using(String op, Tensor[] operands, Runnable body) {
        pin(op, operands);
        try {
            body.run();
        } finally {
            unpin(operands, operands.length);
        }
    }

    /** Pins every operand's storage, or none: throws as {@link #using} says. */
    private static void pin(String op, Tensor[] operands) {
        int pinned = 0;
        try {
            for (Tensor t : operands) {
                Storage s = t.storage();
                if (!s.pin()) throw s.releasedError(op, t.describe());
                pinned++;
                Thread w = s.writer();
                if (w != null && w != Thread.currentThread()) throw Storage.concurrentWrite(op, t.describe(), w);
            }
        } catch (RuntimeException e) {
            unpin(operands, pinned);
            throw e;
        }
    }

    private static void unpin(Tensor[] operands, int count) {
        for (int i = 0; i < count; i++) operands[i].storage().unpin();
    }

    /**
     * Calls {@code run} over all elements of {@code shape} (each operand has that shape after expand, or for a
     * small op on contiguous operands is a single element), with the operands pinned as in {@link #using}.
     */
    static void forEach(String op, long[] shape, Tensor[] operands, Run run) {
        pin(op, operands);
        try {
            if (smallAndContiguous(shape, operands)) {
                runWhole(operands, Shape.numel(shape), run);
            } else {
                forEachPinned(shape, operands, run);
            }
        } finally {
            unpin(operands, operands.length);
        }
    }

    /**
     * The common case of small contiguous operands: one run on the caller's thread, without the dim merging
     * of {@link #forEachPinned}. A one-element operand is read with stride 0, so callers may leave a scalar
     * operand of a small op unexpanded.
     */
    private static void runWhole(Tensor[] operands, long n, Run run) {
        int ops = operands.length;
        MemorySegment[] segs = new MemorySegment[ops];
        long[] offsets = new long[ops], strides = new long[ops];
        for (int k = 0; k < ops; k++) {
            segs[k] = operands[k].segment();
            offsets[k] = operands[k].offset();
            strides[k] = operands[k].numel() == 1 ? 0 : 1;
        }
        run.apply(segs, offsets, strides, n);
    }

    /** True when an op over {@code n} elements stays on the caller's thread in one run (given contiguous operands). */
    static boolean isSmall(long n) {
        return n > 0 && n < GRAIN;
    }

    private static void forEachPinned(long[] shape, Tensor[] operands, Run run) {
        int ops = operands.length, nd = shape.length;
        long[] base = new long[ops];
        long[][] st = new long[ops][];
        MemorySegment[] segs = new MemorySegment[ops];
        for (int k = 0; k < ops; k++) {
            base[k] = operands[k].offset();
            st[k] = operands[k].strides();
            segs[k] = operands[k].segment();
        }
        // Merge dims: drop size-1 dims, fuse d into the previous kept dim when every operand is contiguous across them.
        long[] sizes = new long[nd];
        long[][] strides = new long[ops][nd];
        int m = 0;
        for (int d = 0; d < nd; d++) {
            if (shape[d] == 0) return;
            if (shape[d] == 1) continue;
            boolean fuse = m > 0;
            for (int k = 0; k < ops && fuse; k++) fuse = strides[k][m - 1] == st[k][d] * shape[d];
            if (fuse) {
                sizes[m - 1] *= shape[d];
                for (int k = 0; k < ops; k++) strides[k][m - 1] = st[k][d];
            } else {
                sizes[m] = shape[d];
                for (int k = 0; k < ops; k++) strides[k][m] = st[k][d];
                m++;
            }
        }
        if (m == 0) {
            run.apply(segs, base, new long[ops], 1);
            return;
        }
        long inner = sizes[m - 1], outer = 1;
        for (int d = 0; d < m - 1; d++) outer *= sizes[d];
        long[] innerStrides = new long[ops];
        for (int k = 0; k < ops; k++) innerStrides[k] = strides[k][m - 1];

        int threads = Parallel.threads();
        long total = outer * inner;
        long chunks = (threads > 1 && total >= 2 * GRAIN && outer < 2L * threads)
                ? Math.min(Math.max(1, inner / GRAIN), (2L * threads + outer - 1) / outer) : 1;
        long chunkLen = (inner + chunks - 1) / chunks;
        long items = outer * chunks;
        long grain = Math.max(1, GRAIN / chunkLen);
        int dims = m;
        Parallel.forRange(items, grain, (lo, hi) -> {
            long[] off = new long[ops];
            for (long w = lo; w < hi; w++) {
                long o = w / chunks, start = (w % chunks) * chunkLen;
                for (int k = 0; k < ops; k++) off[k] = base[k] + start * innerStrides[k];
                long rest = o;
                for (int d = dims - 2; d >= 0 && rest > 0; d--) {
                    long i = rest % sizes[d];
                    rest /= sizes[d];
                    for (int k = 0; k < ops; k++) off[k] += i * strides[k][d];
                }
                run.apply(segs, off, innerStrides, Math.min(chunkLen, inner - start));
            }
        });
    }

    private static boolean smallAndContiguous(long[] shape, Tensor[] operands) {
        if (!isSmall(Shape.numel(shape))) return false;
        for (Tensor t : operands) if (!t.isContiguous()) return false;
        return true;
    }
}
