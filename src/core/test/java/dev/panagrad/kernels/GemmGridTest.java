package dev.panagrad.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block grid of split products: its cap from the machine, and blocks that tile C exactly once. */
class GemmGridTest {

    @Test
    void capIsTwiceTheProcessorsAsAPowerOfTwoAtMost16UnlessRequested() {
        assertEquals(2, GemmBlocks.maxBlocks(0, 1));
        assertEquals(4, GemmBlocks.maxBlocks(0, 2));
        assertEquals(4, GemmBlocks.maxBlocks(0, 3));
        assertEquals(8, GemmBlocks.maxBlocks(0, 4));
        assertEquals(16, GemmBlocks.maxBlocks(0, 12));
        assertEquals(16, GemmBlocks.maxBlocks(0, 128));
        assertEquals(32, GemmBlocks.maxBlocks(32, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmBlocks.maxBlocks(6, 2));
        assertTrue(e.getMessage().contains("panagrad.gemmBlocks") && e.getMessage().contains("6"), e.getMessage());
    }

    @Test
    void blocksCoverEveryElementOnceAndNeverExceedTheCap() {
        long[][] shapes = {{128, 784, 512}, {1024, 1024, 1024}, {512, 128, 784}, {7, 3000, 300}, {130, 390, 1030},
                {128, 128, 128}, {97, 200, 61}};
        var allLimits = List.of(GemmBlocks.JAVA_GRID, BlasKernels.BLAS_GRID, new GemmBlocks.GridLimits(1, 1));
        for (var limits : allLimits) {
            for (long[] s : shapes) assertBlocksTileC(s[0], s[1], s[2], limits);
        }
    }

    @Test
    void depthIsCutOnlyForASmallCOverALongDepth() {
        var blas = BlasKernels.BLAS_GRID;
        assertEquals(2, GemmBlocks.depthParts(128, 128, 3136, blas), "128 x 128 over 3136: two parts of 1568");
        assertEquals(GemmBlocks.MAX_BLOCKS, GemmBlocks.depthParts(128, 128, 1 << 20, blas), "as many as the cap");
        assertEquals(1, GemmBlocks.depthParts(128, 128, 2047, blas), "parts would be shorter than 1024");
        assertEquals(1, GemmBlocks.depthParts(256, 128, 1 << 20, blas), "C splits into 128-row blocks");
        assertEquals(1, GemmBlocks.depthParts(128, 256, 1 << 20, blas), "C splits into 128-column blocks");
        assertEquals(1, GemmBlocks.depthParts(8, 8, 4096, blas), "too little work to split");
    }

    private static void assertBlocksTileC(long m, long n, long k, GemmBlocks.GridLimits limits) {
        List<long[]> blocks = new ArrayList<>();
        GemmBlocks.split(m, n, k, 16, 16, limits, (i0, i1, j0, j1) -> {
            synchronized (blocks) {
                blocks.add(new long[] {i0, i1, j0, j1});
            }
        });
        String what = m + "x" + n + "x" + k + " with " + limits;
        assertTrue(blocks.size() <= GemmBlocks.MAX_BLOCKS, blocks.size() + " blocks for " + what);
        int[][] hits = new int[(int) m][(int) n];
        for (long[] b : blocks) for (long i = b[0]; i < b[1]; i++) for (long j = b[2]; j < b[3]; j++) hits[(int) i][(int) j]++;
        for (int[] row : hits) for (int h : row) assertEquals(1, h, "an element of C is not computed exactly once: " + what);
    }
}
