package dev.panagrad.io;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.io.internal.Json;
import dev.panagrad.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file as the format lays it out: header length (u64 little-endian), JSON header, data. */
    static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    static byte[] littleEndian(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private String failure(byte[] bytes) throws IOException {
        Path f = write("bad.safetensors", bytes);
        return assertThrows(IOException.class, () -> Safetensors.load(f)).getMessage();
    }

    @Test
    void roundTripKeepsNamesOrderDtypesShapesAndValues() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("layer.weight", Tensor.randn(3, 5));
        state.put("flag", Tensor.of(new boolean[] {true, false, true}, 3));
        state.put("steps", Tensor.of(new long[] {Long.MAX_VALUE, -7}, 2));
        state.put("tokens", Tensor.of(new int[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}, 3, 1));
        state.put("pixels", Tensor.ofBytes(DType.UINT8, new byte[] {0, (byte) 200, (byte) 255}, 3));
        state.put("codes", Tensor.ofBytes(DType.INT8, new byte[] {-128, -1, 127}, 3));
        state.put("scale", Tensor.ofDoubles(0.1, 1e-300));
        state.put("scalar", Tensor.of(2.5));
        state.put("empty", Tensor.zeros(0, 4));
        state.put("transposed", Tensor.arange(6).view(2, 3).t());   // non-contiguous: saved row-major
        Path f = dir.resolve("state.safetensors");
        Safetensors.save(f, state, Map.of("epoch", "3"));

        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.copyOf(state.keySet()), List.copyOf(c.tensors().keySet()));
        for (String name : state.keySet()) {
            Tensor a = state.get(name), b = c.tensors().get(name);
            assertEquals(a.dtype(), b.dtype(), name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertArrayEquals(a.toLongArray(), b.toLongArray(), name);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), name);
        }
        assertEquals("3", c.metadata().get("epoch"));
        assertTrue(c.metadata().containsKey(Safetensors.CHECKSUM_KEY));
    }

    @Test
    void writtenLayoutFollowsTheFormat() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("mask", Tensor.of(new boolean[] {true, false, true}, 3));
        state.put("w", Tensor.of(new float[] {1.5f, -2f}, 2));
        Path f = dir.resolve("w.safetensors");
        Safetensors.save(f, state);
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong();
        assertEquals(0, (8 + n) % 8, "data starts 8-aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        Map<?, ?> h = (Map<?, ?>) Json.parse(header);
        assertEquals(List.of("__metadata__", "mask", "w"), List.copyOf(h.keySet()));
        // the 4-byte floats come first so that they are aligned: w at [0, 8), mask at [8, 11)
        assertEquals(Map.of("dtype", "F32", "shape", List.of(2L), "data_offsets", List.of(0L, 8L)), h.get("w"));
        assertEquals(Map.of("dtype", "BOOL", "shape", List.of(3L), "data_offsets", List.of(8L, 11L)), h.get("mask"));
        byte[] data = Arrays.copyOfRange(bytes, (int) (8 + n), bytes.length);
        assertArrayEquals(concat(littleEndian(1.5f, -2f), new byte[] {1, 0, 1}), data);
    }

    @Test
    void smallIntegerDtypesAreWrittenAsI32U8AndI8() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("u", Tensor.ofBytes(DType.UINT8, new byte[] {(byte) 200, 7}, 2));
        state.put("s", Tensor.ofBytes(DType.INT8, new byte[] {-2}, 1));
        state.put("i", Tensor.of(new int[] {-123456}, 1));
        Path f = dir.resolve("ints.safetensors");
        Safetensors.save(f, state);
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Map<?, ?> h = (Map<?, ?>) Json.parse(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        // the 4-byte ints first, then the bytes in header order: i at [0, 4), u at [4, 6), s at [6, 7)
        assertEquals(Map.of("dtype", "I32", "shape", List.of(1L), "data_offsets", List.of(0L, 4L)), h.get("i"));
        assertEquals(Map.of("dtype", "U8", "shape", List.of(2L), "data_offsets", List.of(4L, 6L)), h.get("u"));
        assertEquals(Map.of("dtype", "I8", "shape", List.of(1L), "data_offsets", List.of(6L, 7L)), h.get("s"));
        byte[] data = Arrays.copyOfRange(bytes, (int) (8 + n), bytes.length);
        byte[] i32 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-123456).array();
        assertArrayEquals(concat(i32, new byte[] {(byte) 200, 7, -2}), data);
    }

    @Test
    void readsTheReferenceLayout() throws IOException {
        // the layout the reference implementation writes for {"attn.0": float32 0..5 of shape [1, 2, 3]}
        byte[] bytes = file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                littleEndian(0, 1, 2, 3, 4, 5));
        assertEquals(64, bytes[0]);   // a 64-byte header, so the data is 8-aligned without padding
        Path f = write("ref.safetensors", bytes);
        Safetensors.Contents c = Safetensors.read(f);
        Tensor t = c.tensors().get("attn.0");
        assertArrayEquals(new long[] {1, 2, 3}, t.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toFloatArray());
        assertTrue(c.metadata().isEmpty());
        assertFalse(t.segment().isMapped(), "loaded tensors own their memory, whatever happens to the file");
    }

    @Test
    void readsPythonStyleFilesWithPaddingMetadataAndOtherDtypes() throws IOException {
        // header padded with spaces; header order differs from data order; the F32 tensor is not 4-aligned
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[3,11]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[11,15]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[15,17]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[17,21]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[21,23]},"
                + "\"s\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[23,25]},"
                + "\"q\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[25,27]}}";
        header += " ".repeat((8 - header.length() % 8) % 8);
        ByteBuffer data = ByteBuffer.allocate(27).order(ByteOrder.LITTLE_ENDIAN);
        data.put(new byte[] {0, 1, 1});
        data.putFloat(0.5f).putFloat(-4f);
        data.putShort((short) 0x3C00).putShort((short) 0xC000);   // float16 1.0 and -2.0
        data.putShort((short) 0x4040);                           // bfloat16 3.0 (float32 0x40400000)
        data.putInt(-123456);
        data.put((byte) 200).put((byte) 7);
        data.put((byte) -128).put((byte) 5);
        data.putShort((short) -30000);
        Path f = write("py.safetensors", file(header, data.array()));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.of("w", "m", "h", "b", "i", "u", "s", "q"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());
        Tensor w = c.tensors().get("w");
        assertArrayEquals(new float[] {0.5f, -4f}, w.toFloatArray());
        assertFalse(w.segment().isMapped(), "unaligned data is copied");
        assertArrayEquals(new long[] {0, 1, 1}, c.tensors().get("m").toLongArray());
        assertEquals(DType.BOOL, c.tensors().get("m").dtype());
        assertArrayEquals(new float[] {1f, -2f}, c.tensors().get("h").toFloatArray());
        assertArrayEquals(new float[] {3f}, c.tensors().get("b").toFloatArray());
        // I32, U8 and I8 load as themselves; I16, which panagrad lacks, widens to int64
        assertEquals(DType.INT32, c.tensors().get("i").dtype());
        assertArrayEquals(new int[] {-123456}, c.tensors().get("i").toIntArray());
        assertEquals(DType.UINT8, c.tensors().get("u").dtype());
        assertArrayEquals(new long[] {200, 7}, c.tensors().get("u").toLongArray());
        assertEquals(DType.INT8, c.tensors().get("s").dtype());
        assertArrayEquals(new byte[] {-128, 5}, c.tensors().get("s").toByteArray());
        assertEquals(DType.INT64, c.tensors().get("q").dtype());
        assertArrayEquals(new long[] {-30000}, c.tensors().get("q").toLongArray());
    }

    @Test
    void truncatedFilesFailClearly() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("a", Tensor.randn(16));
        state.put("b", Tensor.randn(4, 4));
        Path good = dir.resolve("good.safetensors");
        Safetensors.save(good, state);
        byte[] bytes = Files.readAllBytes(good);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(failure(new byte[0]).contains("expected at least the 8-byte header length"));
        assertTrue(failure(Arrays.copyOf(bytes, 5)).contains("expected at least the 8-byte header length"));
        String halfHeader = failure(Arrays.copyOf(bytes, 8 + (int) n / 2));
        assertTrue(halfHeader.contains("does not fit the file"), halfHeader);
        String halfData = failure(Arrays.copyOf(bytes, bytes.length - 10));
        assertTrue(halfData.contains("truncated"), halfData);
        assertTrue(failure(Arrays.copyOf(bytes, bytes.length + 4)).contains("no bytes after the last tensor"));
    }

    @Test
    void corruptFilesFailClearly() throws IOException {
        Map<String, Tensor> state = Map.of("a", Tensor.randn(64));
        Path good = dir.resolve("good.safetensors");
        Safetensors.save(good, state);
        byte[] bytes = Files.readAllBytes(good);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 9] ^= 0x10;   // one bit of the data
        String checksum = failure(flipped);
        assertTrue(checksum.contains("does not match its checksum"), checksum);
        byte[] garbled = bytes.clone();
        garbled[8] = 'x';                     // the header's opening brace
        assertTrue(failure(garbled).contains("does not start with '{'"));
        byte[] huge = bytes.clone();
        huge[7] = 0x7f;                       // a header length near 2^63
        assertTrue(failure(huge).contains("does not fit the file"));
        byte[] notUtf8 = bytes.clone();
        notUtf8[10] = (byte) 0xff;
        assertTrue(failure(notUtf8).contains("not valid UTF-8"));
    }

    @Test
    void inconsistentHeadersFailClearly() throws IOException {
        byte[] eight = new byte[8];
        String[][] cases = {
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not a JSON object"},
            {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", "has dtype \"Q4\""},
            // format dtypes that panagrad has no dtype for
            {"{\"a\":{\"dtype\":\"U32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "\"U32\", which panagrad cannot load"},
            {"{\"a\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "\"U64\", which panagrad cannot load"},
            {"{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", "\"F8_E4M3\", which"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "non-negative integers"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "an array of 2"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "begin <= end"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "non-overlapping"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "contiguous"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "truncated"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "more than 2^63"},
            {"{\"a\":[1,2]}", "expected an object with dtype"},
            {"{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}", "expected a string"},
        };
        for (String[] c : cases) {
            String m = failure(file(c[0], eight));
            assertTrue(m.startsWith("safetensors: ") && m.contains(c[1]), c[1] + " in: " + m);
        }
    }

    @Test
    void loadedTensorsAreWritableWithoutChangingTheFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Safetensors.save(f, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        Tensor w = Safetensors.load(f).get("w");
        w.add_(10);
        assertArrayEquals(new float[] {11, 12}, w.toFloatArray());
        assertArrayEquals(new float[] {1, 2}, Safetensors.load(f).get("w").toFloatArray());
    }

    @Test
    void loadedTensorsOutliveTheScopeOpenWhileLoading() throws IOException {
        Path f = dir.resolve("big.safetensors");
        Tensor x = Tensor.arange(DType.FLOAT32, 0, 4096, 1);
        Safetensors.save(f, Map.of("x", x));
        Tensor tail;
        try (Scope s = Scope.open()) {
            tail = Safetensors.load(f).get("x").narrow(0, 4000, 96);   // loaded tensors belong to the GC
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Safetensors.load(f);
        }
        assertEquals(4000, tail.toFloatArray()[0]);
        assertEquals(4095, tail.toFloatArray()[95]);
    }

    @Test
    void failedSaveKeepsThePreviousCheckpoint() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        Safetensors.save(f, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        Tensor released;
        try (Scope s = Scope.open()) {
            released = Tensor.zeros(3);
        }
        Map<String, Tensor> broken = new LinkedHashMap<>();
        broken.put("w", Tensor.of(new float[] {5, 6}, 2));
        broken.put("gone", released);
        assertThrows(IllegalStateException.class, () -> Safetensors.save(f, broken));
        assertArrayEquals(new float[] {1, 2}, Safetensors.load(f).get("w").toFloatArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.save(f, Map.of("w", Tensor.zeros(1)), Map.of(Safetensors.CHECKSUM_KEY, "0")));
    }
}
