package dev.panagrad.data;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.panagrad.data.IdxFiles.gzip;
import static dev.panagrad.data.IdxFiles.idx;
import static org.junit.jupiter.api.Assertions.*;

class IdxArrayTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private String failure(byte[] bytes) throws IOException {
        Path f = file("bad", bytes);
        return assertThrows(IOException.class, () -> IdxArray.read(f)).getMessage();
    }

    @Test
    void readsUnsignedBytesRawAndGzipped() throws IOException {
        byte[] pixels = {0, 1, (byte) 200, (byte) 255, 7, 8};
        byte[] bytes = idx(0x08, new int[] {1, 2, 3}, pixels);
        for (Path f : new Path[] {file("raw", bytes), file("packed.gz", gzip(bytes))}) {
            IdxArray a = IdxArray.read(f);
            assertEquals(IdxArray.Type.UBYTE, a.type());
            assertArrayEquals(new int[] {1, 2, 3}, a.dims());
            Tensor t = a.toTensor(DType.INT64);
            assertArrayEquals(new long[] {1, 2, 3}, t.shape());
            assertArrayEquals(new long[] {0, 1, 200, 255, 7, 8}, t.toLongArray());   // unsigned: 0xff is 255
        }
    }

    @Test
    void scaleAndShiftWhileConverting() throws IOException {
        IdxArray a = IdxArray.read(file("x", idx(0x08, new int[] {3}, new byte[] {0, (byte) 51, (byte) 255})));
        // p / 255 * 2 - 1 maps 0, 51, 255 to -1, -0.6, 1
        assertArrayEquals(new float[] {-1f, -0.6f, 1f}, a.toTensor(DType.FLOAT32, 2.0 / 255, -1).toFloatArray(), 1e-6f);
    }

    @Test
    void convertsEveryElementOfALargeArrayAsValueTimesScalePlusShift() throws IOException {
        int n = 70_001;   // several chunks, split over the threads, and a short last one
        byte[] pixels = new byte[n];
        for (int i = 0; i < n; i++) pixels[i] = (byte) (i * 31 + i / 7);
        IdxArray a = IdxArray.read(file("big", idx(0x08, new int[] {n}, pixels)));
        double scale = 1 / (255 * 0.353), shift = -0.286 / 0.353;
        float[] f = a.toTensor(DType.FLOAT32, scale, shift).toFloatArray();
        double[] d = a.toTensor(DType.FLOAT64, scale, shift).toDoubleArray();
        long[] l = a.toTensor(DType.INT64, 3, -100).toLongArray();
        for (int i = 0; i < n; i++) {
            int p = pixels[i] & 0xFF;
            assertEquals((float) (p * scale + shift), f[i], "float32 element " + i);
            assertEquals(p * scale + shift, d[i], "float64 element " + i);
            assertEquals(p * 3 - 100, l[i], "int64 element " + i);
        }
    }

    @Test
    void readsWiderBigEndianTypes() throws IOException {
        ByteBuffer ints = ByteBuffer.allocate(8).putInt(-5).putInt(70000);
        assertArrayEquals(new long[] {-5, 70000},
                IdxArray.read(file("i", idx(0x0C, new int[] {2}, ints.array()))).toTensor(DType.INT64).toLongArray());
        ByteBuffer doubles = ByteBuffer.allocate(16).putDouble(0.25).putDouble(-3.5);
        assertArrayEquals(new double[] {0.25, -3.5},
                IdxArray.read(file("d", idx(0x0E, new int[] {2}, doubles.array()))).toTensor(DType.FLOAT64).toDoubleArray());
        ByteBuffer shorts = ByteBuffer.allocate(4).putShort((short) -2).putShort((short) 300);
        assertArrayEquals(new long[] {-2, 300},
                IdxArray.read(file("s", idx(0x0B, new int[] {2}, shorts.array()))).toTensor(DType.INT64).toLongArray());
        assertArrayEquals(new long[] {-1, 127}, IdxArray.read(file("b", idx(0x09, new int[] {2},
                new byte[] {(byte) 0xff, 127}))).toTensor(DType.INT64).toLongArray());
    }

    @Test
    void wrongMagicNumber() throws IOException {
        String m = failure(new byte[] {1, 0, 8, 1, 0, 0, 0, 0});
        assertTrue(m.contains("wrong magic number 0x01000801"), m);
        assertTrue(failure(new byte[] {0, 0, 0x07, 1, 0, 0, 0, 0}).contains("wrong magic number"));   // no type 07
        assertTrue(failure(new byte[] {0, 0, 0x08, 0}).contains("wrong magic number"));               // no dims
        assertTrue(failure(new byte[] {0, 0}).contains("only 2 bytes"));
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] whole = idx(0x08, new int[] {2, 2}, new byte[] {1, 2, 3, 4});
        String data = failure(Arrays.copyOf(whole, whole.length - 1));
        assertTrue(data.contains("truncated data: 3 of 4 bytes"), data);
        String header = failure(Arrays.copyOf(whole, 6));
        assertTrue(header.contains("truncated header: 2 of 8 bytes"), header);
        // a gzip stream cut in the middle
        byte[] packed = gzip(idx(0x08, new int[] {1000}, new byte[1000]));
        String cut = failure(Arrays.copyOf(packed, packed.length / 2));
        assertTrue(cut.contains("gzip") || cut.contains("truncated"), cut);
    }

    @Test
    void extraBytesAfterTheData() throws IOException {
        String m = failure(idx(0x08, new int[] {2}, new byte[] {1, 2, 3}));
        assertTrue(m.contains("extra bytes"), m);
    }
}
