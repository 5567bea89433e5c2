package dev.panagrad.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DJL reads safetensors files with its own codec ({@code NDList.decode}, {@code NDList.encode} with
 * {@code Encoding.SAFETENSORS}), creating arrays through the engine's manager; panagrad's {@link Safetensors}
 * and that codec read each other's files with the small integer dtypes kept.
 */
class SafetensorsInteropTest {
    private static final Engine ENGINE = Engine.getEngine("Panagrad");
    private static final byte[] PIXELS = {0, (byte) 200, (byte) 255}, CODES = {-128, -1, 127};
    private static final int[] IDS = {Integer.MIN_VALUE, -7, Integer.MAX_VALUE};

    @TempDir
    Path dir;

    @Test
    void djlLoadsPanagradsFilesAsInt32Uint8AndInt8() throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("ids", Tensor.of(IDS, 3));
        state.put("pixels", Tensor.ofBytes(DType.UINT8, PIXELS, 3));
        state.put("codes", Tensor.ofBytes(DType.INT8, CODES, 3));
        Path f = dir.resolve("panagrad.safetensors");
        Safetensors.save(f, state);
        try (NDManager m = ENGINE.newBaseManager(); InputStream in = Files.newInputStream(f)) {
            NDList list = NDList.decode(m, in);
            assertKept(name -> list.get(name).getDataType(), name -> list.get(name).toIntArray(),
                    name -> list.get(name).toByteArray());
        }
    }

    @Test
    void panagradLoadsDjlsFilesAsInt32Uint8AndInt8() throws IOException {
        Path f = dir.resolve("djl.safetensors");
        try (NDManager m = ENGINE.newBaseManager(); OutputStream out = Files.newOutputStream(f)) {
            NDList list = new NDList(named(m.create(IDS), "ids"),
                    named(m.create(ByteBuffer.wrap(PIXELS), new Shape(3), DataType.UINT8), "pixels"),
                    named(m.create(ByteBuffer.wrap(CODES), new Shape(3), DataType.INT8), "codes"));
            list.encode(out, NDList.Encoding.SAFETENSORS);
        }
        Map<String, Tensor> loaded = Safetensors.load(f);
        assertKept(name -> DataTypes.toDataType(loaded.get(name).dtype()), name -> loaded.get(name).toIntArray(),
                name -> loaded.get(name).toByteArray());
    }

    /** The three arrays, read by name, have the dtypes and values they were written with. */
    private static void assertKept(Function<String, DataType> dtype, Function<String, int[]> ints,
                                   Function<String, byte[]> bytes) {
        assertEquals(DataType.INT32, dtype.apply("ids"));
        assertArrayEquals(IDS, ints.apply("ids"));
        assertEquals(DataType.UINT8, dtype.apply("pixels"));
        assertArrayEquals(PIXELS, bytes.apply("pixels"));
        assertEquals(DataType.INT8, dtype.apply("codes"));
        assertArrayEquals(CODES, bytes.apply("codes"));
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }
}
