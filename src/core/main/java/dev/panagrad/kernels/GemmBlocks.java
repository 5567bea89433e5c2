package dev.panagrad.kernels;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * The cache blocking of a pure-Java GEMM, {@code C = alpha op(A) op(B) + beta C} (row-major, as in
 * {@link Kernels#gemm}), in the manner of GotoBLAS/BLIS: for each block of {@code NC} columns and
 * {@code KC} depths, a {@code KC x NC} block of op(B) is packed into panels {@code NR} columns wide, then for
 * each {@code MC x KC} block of op(A), packed into panels {@code MR} rows tall, a register-blocked
 * micro-kernel computes every {@code MR x NR} tile of C from one A panel and one B panel.
 *
 * <p>Packing copies the operands into heap arrays in the order the micro-kernel reads them, so transposed
 * operands, any row strides (even 0) and edge tiles (zero padded) cost only the packing. Subclasses hold the
 * packed buffers and the micro-kernel for one element type; one instance serves one thread.
 *
 * <p>{@link #run} splits large products into a grid of blocks of C, fixed by the shape, over the library's
 * threads; each block packs its own share of both operands, which costs O(k (m + n) / sqrt(blocks)) against
 * O(m n k / blocks) of arithmetic.
 */
abstract class GemmBlocks {
    /** One GEMM call's operands, in elements (offsets and row strides), as {@link Kernels#gemm} takes them. */
    record Problem(boolean transA, boolean transB, long m, long n, long k, double alpha,
                   MemorySegment a, long aOff, long lda, MemorySegment b, long bOff, long ldb,
                   double beta, MemorySegment c, long cOff, long ldc) {}

    /**
     * How finely {@link #split} may cut a product: a block is not cut below {@code minTile} rows or columns, nor
     * below {@code blockWork} multiply-adds. Each block re-packs its share of both operands, so the right limits
     * depend on the GEMM that runs the blocks.
     */
    record GridLimits(long minTile, long blockWork) {}

    /** Limits for this class's own blocked GEMM (measured: finer blocks cost more in re-packing than they gain). */
    static final GridLimits JAVA_GRID = new GridLimits(128, 1L << 22);

    final Problem p;
    final int mr, nr, kcMax, mcMax, ncMax;

    GemmBlocks(Problem p, int mr, int nr, int kcMax, int mcMax, int ncMax) {
        this.p = p;
        this.mr = mr;
        this.nr = nr;
        this.kcMax = kcMax;
        this.mcMax = mcMax;
        this.ncMax = ncMax;
    }

    /**
     * Packs {@code S[r, c] = src[off + r*rs + c*cs]} for r < rows, c < cols into the A buffer (a) or the B buffer
     * as panels {@code width} columns wide: element (r, c) goes to {@code (c / width) * rows * width + r * width
     * + c % width}; the columns of the last panel past {@code cols} are zero.
     */
    abstract void pack(boolean a, long off, long rs, long cs, int rows, int cols, int width);

    /** Computes the MR x NR tile of A panel {@code aPanel} times B panel {@code bPanel} over depth kc into the tile buffer. */
    abstract void tile(int aPanel, int bPanel, int kc);

    /** C[i.., j..] = alpha * tile + beta' * C over rows x cols, where beta' is beta for the first depth block and 1 after. */
    abstract void merge(long i, long j, int rows, int cols, boolean firstDepthBlock);

    /** Computes the product, over several threads when it is large. */
    static void run(Problem p, Function<Problem, GemmBlocks> worker, int mr, int nr) {
        split(p.m(), p.n(), p.k(), mr, nr, JAVA_GRID, (i0, i1, j0, j1) -> worker.apply(p).compute(i0, i1, j0, j1));
    }

    /** Computes the block C[i0:i1, j0:j1] of a product. */
    @FunctionalInterface
    interface BlockBody {
        void run(long i0, long i1, long j0, long j1);
    }

    /**
     * The most blocks a product is split into: {@code -Dpanagrad.gemmBlocks} (a power of two), else twice the
     * machine's processors rounded down to a power of two, at most 16. Fixed at start, never by the thread
     * count: each block repacks its share of both operands, so a grid made for 16 threads costs a 2-core
     * machine a quarter of its speed, while two blocks per core still let a late thread share the work.
     */
    static final int MAX_BLOCKS = maxBlocks(Integer.getInteger("panagrad.gemmBlocks", 0),
            Runtime.getRuntime().availableProcessors());

    static int maxBlocks(int requested, int processors) {
        if (requested != 0) {
            if (requested < 1 || Integer.bitCount(requested) != 1) {
                throw new IllegalArgumentException("panagrad.gemmBlocks: expected a power of two, got " + requested);
            }
            return requested;
        }
        return 2 * Integer.highestOneBit(Math.max(1, Math.min(8, processors)));
    }

    /**
     * Splits an m x n product of depth k into a grid of blocks of C and runs {@code body} on each over the
     * library's threads. The grid depends on the shape alone, never on the thread count: every element of C is
     * computed by one call over the whole depth, the same call whatever the threads, so the result is the same
     * for every thread count. Starting from the whole of C, the longer side of a block is halved (to multiples of
     * {@code mr} rows or {@code nr} columns, never below {@code limits.minTile()}) while a block holds at least
     * twice {@code limits.blockWork()} multiply-adds and there are fewer than {@link #MAX_BLOCKS}; the count is a
     * power of two, so 2, 4, 8 or 16 threads get equal shares. Square-ish blocks keep the re-packing small.
     */
    static void split(long m, long n, long k, int mr, int nr, GridLimits limits, BlockBody body) {
        int rowBlocks = 1, colBlocks = 1;
        while (rowBlocks * colBlocks < MAX_BLOCKS) {
            long tileM = (m + rowBlocks - 1) / rowBlocks, tileN = (n + colBlocks - 1) / colBlocks;
            if (tileM * tileN * k < 2 * limits.blockWork()) break;
            boolean rowsSplit = tileM >= 2 * limits.minTile(), colsSplit = tileN >= 2 * limits.minTile();
            if (rowsSplit && (tileM >= tileN || !colsSplit)) rowBlocks *= 2;
            else if (colsSplit) colBlocks *= 2;
            else break;
        }
        int rb = rowBlocks, cb = colBlocks;
        long rowUnits = (m + mr - 1) / mr, colUnits = (n + nr - 1) / nr;
        Parallel.forRange((long) rb * cb, 1, (lo, hi) -> {
            for (long b = lo; b < hi; b++) {
                long r = b / cb, c = b % cb;
                long i0 = Math.min(m, rowUnits * r / rb * mr), i1 = Math.min(m, rowUnits * (r + 1) / rb * mr);
                long j0 = Math.min(n, colUnits * c / cb * nr), j1 = Math.min(n, colUnits * (c + 1) / cb * nr);
                if (i0 < i1 && j0 < j1) body.run(i0, i1, j0, j1);
            }
        });
    }

    /** C is cut into blocks at least this many rows and columns before its depth is cut instead. */
    static final long DEPTH_SPLIT_TILE = 128;
    /** The least depth of one part of a product whose depth is cut. */
    static final long MIN_PART_DEPTH = 1024;

    /**
     * How many parts the depth of a product is cut into: 1 (not cut) unless C is too small for two blocks of at
     * least {@value #DEPTH_SPLIT_TILE} rows or columns while the depth is long. Then the parts' products, added
     * in part order, make fewer and larger products than a grid of small blocks of C, each of which re-packs its
     * operands over the whole depth (128 x 128 x 3136 through OpenBLAS: 796 -> 665 us on one core, 470 -> 378 us
     * on two, measured). A power of two, at most {@link #MAX_BLOCKS}, each part at least {@value #MIN_PART_DEPTH}
     * deep: fixed by the shape, never by the thread count.
     */
    static int depthParts(long m, long n, long k, GridLimits limits) {
        if (m >= 2 * DEPTH_SPLIT_TILE || n >= 2 * DEPTH_SPLIT_TILE || m * n * k < 2 * limits.blockWork()) return 1;
        int parts = 1;
        while (2 * parts <= MAX_BLOCKS && k / (2L * parts) >= MIN_PART_DEPTH) parts *= 2;
        return parts;
    }

    /** C[i0:i1, j0:j1] block by block. */
    final void compute(long i0, long i1, long j0, long j1) {
        for (long jc = j0; jc < j1; jc += ncMax) {
            int nc = (int) Math.min(ncMax, j1 - jc);
            for (long pc = 0; pc < p.k(); pc += kcMax) {
                int kc = (int) Math.min(kcMax, p.k() - pc);
                // op(B)[pc + r, jc + c]
                if (p.transB()) {
                    pack(false, p.bOff() + jc * p.ldb() + pc, 1, p.ldb(), kc, nc, nr);
                } else {
                    pack(false, p.bOff() + pc * p.ldb() + jc, p.ldb(), 1, kc, nc, nr);
                }
                for (long ic = i0; ic < i1; ic += mcMax) {
                    int mc = (int) Math.min(mcMax, i1 - ic);
                    // op(A)[ic + c, pc + r]: the A panels hold op(A) transposed, depth by depth
                    if (p.transA()) {
                        pack(true, p.aOff() + pc * p.lda() + ic, p.lda(), 1, kc, mc, mr);
                    } else {
                        pack(true, p.aOff() + ic * p.lda() + pc, 1, p.lda(), kc, mc, mr);
                    }
                    for (int jr = 0; jr < nc; jr += nr) {
                        for (int ir = 0; ir < mc; ir += mr) {
                            tile(ir / mr, jr / nr, kc);
                            merge(ic + ir, jc + jr, Math.min(mr, mc - ir), Math.min(nr, nc - jr), pc == 0);
                        }
                    }
                }
            }
        }
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
