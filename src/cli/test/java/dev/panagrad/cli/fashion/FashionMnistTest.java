package dev.panagrad.cli.fashion;

import dev.panagrad.data.TensorDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.panagrad.data.IdxFiles.gzip;
import static dev.panagrad.data.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.*;

class FashionMnistTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void mnistImagesAndLabelsMustAgree() throws IOException {
        Path images = file("train-images-idx3-ubyte", idx(0x08, new int[] {3, 2, 2}, new byte[12]));
        Path labels = file("train-labels-idx1-ubyte.gz", gzip(idx(0x08, new int[] {2}, new byte[] {1, 9})));
        String m = assertThrows(IOException.class, () -> FashionMnist.load(images, labels)).getMessage();
        assertTrue(m.contains("3 images") && m.contains("2 labels"), m);

        Path badLabels = file("l2", idx(0x08, new int[] {3}, new byte[] {1, 10, 2}));
        m = assertThrows(IOException.class, () -> FashionMnist.load(images, badLabels)).getMessage();
        assertTrue(m.contains("1 labels outside 0..9"), m);

        Path flat = file("flat", idx(0x08, new int[] {3, 4}, new byte[12]));
        m = assertThrows(IOException.class, () -> FashionMnist.load(flat, labels)).getMessage();
        assertTrue(m.contains("expected unsigned bytes of 3 dims"), m);
    }

    @Test
    void mnistFolderIsStandardised() throws IOException {
        // pixel p becomes (p / 255 - MEAN) / STD
        file("t10k-images-idx3-ubyte.gz", gzip(idx(0x08, new int[] {2, 1, 2}, new byte[] {0, (byte) 255, 51, 0})));
        file("t10k-labels-idx1-ubyte", idx(0x08, new int[] {2}, new byte[] {4, 9}));
        TensorDataset test = FashionMnist.test(dir);
        assertArrayEquals(new long[] {2, 1, 1, 2}, test.tensor(0).shape());
        float[] px = test.tensor(0).toFloatArray();
        double[] raw = {0, 255, 51, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals((raw[i] / 255 - FashionMnist.MEAN) / FashionMnist.STD, px[i], 1e-5);
        }
        assertArrayEquals(new long[] {4, 9}, test.tensor(1).toLongArray());
        assertFalse(FashionMnist.isPresent(dir));   // no training files
        String m = assertThrows(IOException.class, () -> FashionMnist.train(dir)).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz"), m);
    }
}
