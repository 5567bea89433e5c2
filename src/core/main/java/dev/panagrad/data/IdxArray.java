package dev.panagrad.data;

import dev.panagrad.DType;
import dev.panagrad.Tensor;
import dev.panagrad.kernels.Parallel;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An array read from an IDX file, the format of MNIST and Fashion-MNIST: two zero bytes, a type code, the
 * number of dims, each dim as a big-endian int32, then the elements in row-major order, big-endian.
 * Gzip-compressed files are recognised by their first bytes and decompressed on the fly.
 *
 * <pre>{@code
 * IdxArray labels = IdxArray.read(Path.of("train-labels-idx1-ubyte.gz"));
 * labels.dims();                                 // [60000]
 * Tensor y = labels.toTensor(DType.INT64);
 * }</pre>
 */
public final class IdxArray {
    /** The element types of the format, with their type codes. */
    public enum Type {
        /** Unsigned 8-bit integers (type code 0x08). */
        UBYTE(0x08, 1),
        /** Signed 8-bit integers (0x09). */
        BYTE(0x09, 1),
        /** Big-endian 16-bit integers (0x0B). */
        SHORT(0x0B, 2),
        /** Big-endian 32-bit integers (0x0C). */
        INT(0x0C, 4),
        /** Big-endian 32-bit floats (0x0D). */
        FLOAT(0x0D, 4),
        /** Big-endian 64-bit floats (0x0E). */
        DOUBLE(0x0E, 8);

        final int code;
        final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    private final Type type;
    private final int[] dims;
    private final byte[] data;

    private IdxArray(Type type, int[] dims, byte[] data) {
        this.type = type;
        this.dims = dims;
        this.data = data;
    }

    /** The element type. */
    public Type type() {
        return type;
    }

    /** The sizes (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** The number of elements. */
    public long numel() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** The elements converted to {@code dtype}. */
    public Tensor toTensor(DType dtype) {
        return toTensor(dtype, 1, 0);
    }

    /** The elements as {@code value * scale + shift}, converted to {@code dtype} (e.g. pixels to [0, 1]). */
    public Tensor toTensor(DType dtype, double scale, double shift) {
        long[] shape = Arrays.stream(dims).asLongStream().toArray();
        Tensor t = Tensor.empty(dtype, shape);
        MemorySegment out = t.segment();
        // a chunk at a time, so that each loop below sees one element type and one dtype: a tight loop each
        Parallel.forRange(numel(), CHUNK, (lo, hi) -> {
            double[] v = new double[CHUNK];
            for (long from = lo; from < hi; from += CHUNK) {
                int n = (int) Math.min(CHUNK, hi - from);
                decode((int) from, v, n);
                for (int i = 0; i < n; i++) v[i] = v[i] * scale + shift;
                store(dtype, out, from, v, n);
            }
        });
        return t;
    }

    private static final int CHUNK = 1 << 14;

    /** Elements [from, from + n) as doubles into v. */
    private void decode(int from, double[] v, int n) {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN);
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) v[i] = data[from + i] & 0xFF; }
            case BYTE -> { for (int i = 0; i < n; i++) v[i] = data[from + i]; }
            case SHORT -> { for (int i = 0; i < n; i++) v[i] = in.getShort(2 * (from + i)); }
            case INT -> { for (int i = 0; i < n; i++) v[i] = in.getInt(4 * (from + i)); }
            case FLOAT -> { for (int i = 0; i < n; i++) v[i] = in.getFloat(4 * (from + i)); }
            case DOUBLE -> { for (int i = 0; i < n; i++) v[i] = in.getDouble(8 * (from + i)); }
        }
    }

    /** v[0, n) converted to dtype into out's elements [from, from + n). */
    private static void store(DType dtype, MemorySegment out, long from, double[] v, int n) {
        switch (dtype) {
            case FLOAT32 -> { for (int i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, from + i, (float) v[i]); }
            case FLOAT64 -> { for (int i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_DOUBLE, from + i, v[i]); }
            case INT64 -> { for (int i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_LONG, from + i, (long) v[i]); }
            case BOOL -> { for (int i = 0; i < n; i++) out.set(ValueLayout.JAVA_BYTE, from + i, (byte) (v[i] != 0 ? 1 : 0)); }
            case INT32 -> { for (int i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_INT, from + i, (int) v[i]); }
            case UINT8, INT8 -> { for (int i = 0; i < n; i++) out.set(ValueLayout.JAVA_BYTE, from + i, (byte) (long) v[i]); }
        }
    }

    /** Reads an IDX file, raw or gzip-compressed; a malformed file gives an IOException naming the problem. */
    public static IdxArray read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return parse(in, file + (gzip ? " (gzip)" : ""));
            } catch (ZipException | java.io.EOFException e) {
                throw new IOException("idx: " + file + ": the gzip stream is corrupt or truncated (" + e.getMessage()
                        + "); expected a complete gzip-compressed IDX file", e);
            }
        }
    }

    private static IdxArray parse(InputStream in, String name) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) {
            throw new IOException("idx: " + name + ": file has only " + got + " bytes; expected at least a 4-byte "
                    + "magic number");
        }
        Type type = Type.of(magic[2] & 0xFF);
        int ndims = magic[3] & 0xFF;
        if (magic[0] != 0 || magic[1] != 0 || type == null || ndims == 0) {
            throw new IOException("idx: " + name + ": wrong magic number 0x" + String.format("%02x%02x%02x%02x",
                    magic[0], magic[1], magic[2], magic[3]) + "; expected 0x0000TTDD with a type code TT in "
                    + "08, 09, 0b, 0c, 0d, 0e and a number of dims DD >= 1 (e.g. 0x00000803 for MNIST images)");
        }
        byte[] header = new byte[4 * ndims];
        got = in.readNBytes(header, 0, header.length);
        if (got < header.length) {
            throw new IOException("idx: " + name + ": truncated header: " + got + " of " + header.length
                    + " bytes of dim sizes for " + ndims + " dims");
        }
        ByteBuffer sizes = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int[] dims = new int[ndims];
        long numel = 1;
        for (int d = 0; d < ndims; d++) {
            dims[d] = sizes.getInt();
            if (dims[d] < 0) {
                throw new IOException("idx: " + name + ": dim " + d + " has negative size " + dims[d]
                        + "; expected sizes >= 0");
            }
            numel *= dims[d];
            if (numel * type.bytes > Integer.MAX_VALUE - 8) {
                throw new IOException("idx: " + name + ": dims " + Arrays.toString(dims) + " exceed the 2 GiB this "
                        + "reader holds in one array");
            }
        }
        long need = numel * type.bytes;
        byte[] data = new byte[(int) need];
        got = in.readNBytes(data, 0, data.length);
        if (got < need) {
            throw new IOException("idx: " + name + ": truncated data: " + got + " of " + need + " bytes for dims "
                    + Arrays.toString(dims) + " of " + type + "; the file is incomplete");
        }
        if (in.read() != -1) {
            throw new IOException("idx: " + name + ": extra bytes after the " + need + " bytes of data for dims "
                    + Arrays.toString(dims) + " of " + type + "; expected the file to end there");
        }
        return new IdxArray(type, dims, data);
    }
}
