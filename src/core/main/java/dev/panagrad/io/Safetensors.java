package dev.panagrad.io;

import dev.panagrad.DType;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.ops.Pointwise;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads and writes the safetensors format, so that weights move to and from the Python ecosystem: an 8-byte
 * little-endian header length, a JSON header that maps each tensor name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (plus free-form string {@code __metadata__}), then the raw little-endian data.
 *
 * <p>Saving is atomic ({@link AtomicFile}) and records a CRC-32C of the data in the metadata under
 * {@link #CHECKSUM_KEY}; loading verifies it when present, so a damaged checkpoint fails instead of loading
 * wrong weights. Loading maps the file into memory: tensors of F32, F64, I64 and BOOL whose data is aligned
 * are views of the mapping (copy-on-write where the file is writable, read-only otherwise); the mapping is
 * unmapped only once no tensor refers to it. Other tensors are copied: F16 and BF16 become float32, I8, I16,
 * I32 and U8 become int64. Loaded tensors belong to the garbage collector, whatever scope is open.
 *
 * <pre>{@code
 * Map<String, Tensor> state = new LinkedHashMap<>();
 * state.put("weight", Tensor.randn(10, 784));
 * Safetensors.save(Path.of("model.safetensors"), state, Map.of("epoch", "3"));
 * Safetensors.Contents c = Safetensors.read(Path.of("model.safetensors"));
 * c.tensors().get("weight");   // [10, 784] float32
 * c.metadata().get("epoch");   // "3"
 * }</pre>
 */
public final class Safetensors {
    private Safetensors() {}

    /** The metadata key of the data checksum this class writes and verifies. */
    public static final String CHECKSUM_KEY = "panagrad.crc32c";
    /** The reference implementation's limit on the header size. */
    static final long MAX_HEADER = 100_000_000;
    private static final String METADATA = "__metadata__";

    /** The tensors of a file in header order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Element types of the format that this class reads; the first four are also written. */
    private enum Kind {
        F32(DType.FLOAT32, 4), F64(DType.FLOAT64, 8), I64(DType.INT64, 8), BOOL(DType.BOOL, 1),
        F16(DType.FLOAT32, 2), BF16(DType.FLOAT32, 2), I32(DType.INT64, 4), I16(DType.INT64, 2),
        I8(DType.INT64, 1), U8(DType.INT64, 1);

        final DType dtype;
        final int bytes;

        Kind(DType dtype, int bytes) {
            this.dtype = dtype;
            this.bytes = bytes;
        }

        /** True when the file's bytes are the tensor's bytes (same width, no conversion). */
        boolean direct() {
            return ordinal() <= BOOL.ordinal();
        }

        static Kind of(DType d) {
            return switch (d) {
                case FLOAT32 -> F32;
                case FLOAT64 -> F64;
                case INT64 -> I64;
                case BOOL -> BOOL;
                case INT32 -> I32;
                case UINT8 -> U8;
                case INT8 -> I8;
            };
        }

        /** Element i of little-endian data of a converted kind, as a double (exact for every such kind). */
        double convert(MemorySegment s, long i) {
            long at = i * bytes;
            return switch (this) {
                case F16 -> Float.float16ToFloat(s.get(LE_SHORT, at));
                case BF16 -> Float.intBitsToFloat(s.get(LE_SHORT, at) << 16);   // bfloat16 is float32's top half
                case I32 -> s.get(LE_INT, at);
                case I16 -> s.get(LE_SHORT, at);
                case I8 -> s.get(ValueLayout.JAVA_BYTE, at);
                case U8 -> s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
                case F32, F64, I64, BOOL -> throw new IllegalStateException("safetensors: " + this
                        + " is copied byte for byte, not converted");
            };
        }
    }

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final boolean NATIVE_LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    // ---------------------------------------------------------------- saving

    /** Saves tensors atomically, without metadata. */
    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /**
     * Saves tensors (in map order; any strides, no autograd history) and string metadata atomically: a crash
     * mid-save leaves the previous file in place.
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (metadata.containsKey(CHECKSUM_KEY)) {
            throw new IllegalArgumentException("safetensors: metadata key " + CHECKSUM_KEY + " is written by save "
                    + "itself; expected other keys");
        }
        try (Scope temporaries = Scope.open()) {
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    throw new IllegalArgumentException("safetensors: a tensor may not be named " + METADATA);
                }
                Tensor t = e.getValue();
                entries.add(new Entry(e.getKey(), Kind.of(t.dtype()), t.shape(), littleEndianBytes(t)));
            }
            // data in order of decreasing element size: every tensor starts at a multiple of its element size
            List<Entry> layout = new ArrayList<>(entries);
            layout.sort(Comparator.comparingInt((Entry e) -> -e.kind.bytes));
            CRC32C crc = new CRC32C();
            long at = 0;
            for (Entry e : layout) {
                e.begin = at;
                at += e.data.byteSize();
                update(crc, e.data);
            }
            Map<String, Object> header = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>(metadata);
            meta.put(CHECKSUM_KEY, Long.toHexString(crc.getValue()));
            header.put(METADATA, meta);
            for (Entry e : entries) {
                header.put(e.name, describe(e));
            }
            byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
            int padded = (int) ((json.length + 7) / 8 * 8);   // 8 + padded is a multiple of 8
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) head.put((byte) ' ');
            AtomicFile.write(file, ch -> {
                writeFully(ch, head.flip());
                for (Entry e : layout) writeFully(ch, e.data);
            });
        }
    }

    private static final class Entry {
        final String name;
        final Kind kind;
        final long[] shape;
        final MemorySegment data;
        long begin;

        Entry(String name, Kind kind, long[] shape, MemorySegment data) {
            this.name = name;
            this.kind = kind;
            this.shape = shape;
            this.data = data;
        }
    }

    /** The elements of t in row-major order as little-endian bytes (a view of t's memory where possible). */
    private static MemorySegment littleEndianBytes(Tensor t) {
        Tensor c = Pointwise.convertRaw(t, t.dtype());
        long bytes = c.numel() * c.dtype().byteSize();
        MemorySegment s = c.segment().asSlice(c.offset() * c.dtype().byteSize(), bytes);
        if (NATIVE_LE) return s;
        MemorySegment le = MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
        MemorySegment.copy(s, nativeLayout(c.dtype()), 0, le, unalignedLittleEndian(c.dtype()), 0, c.numel());
        return le;
    }

    private static ValueLayout nativeLayout(DType d) {
        return switch (d) {
            case FLOAT32 -> ValueLayout.JAVA_FLOAT;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE;
            case INT64 -> ValueLayout.JAVA_LONG;
            case INT32 -> ValueLayout.JAVA_INT;
            case BOOL, UINT8, INT8 -> ValueLayout.JAVA_BYTE;
        };
    }

    private static ValueLayout unalignedLittleEndian(DType d) {
        return switch (d) {
            case FLOAT32 -> LE_FLOAT;
            case FLOAT64 -> LE_DOUBLE;
            case INT64 -> LE_LONG;
            case INT32 -> LE_INT;
            case BOOL, UINT8, INT8 -> ValueLayout.JAVA_BYTE;
        };
    }

    private static Map<String, Object> describe(Entry e) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("dtype", e.kind.name());
        info.put("shape", toList(e.shape));
        info.put("data_offsets", List.of(e.begin, e.begin + e.data.byteSize()));
        return info;
    }

    private static List<Long> toList(long[] shape) {
        List<Long> list = new ArrayList<>(shape.length);
        for (long s : shape) list.add(s);
        return list;
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void writeFully(WritableByteChannel ch, MemorySegment s) throws IOException {
        for (long at = 0; at < s.byteSize(); at += 1 << 30) {
            writeFully(ch, s.asSlice(at, Math.min(1 << 30, s.byteSize() - at)).asByteBuffer());
        }
    }

    private static void update(CRC32C crc, MemorySegment s) {
        for (long at = 0; at < s.byteSize(); at += 1 << 30) {
            crc.update(s.asSlice(at, Math.min(1 << 30, s.byteSize() - at)).asByteBuffer());
        }
    }

    // ---------------------------------------------------------------- loading

    /** The tensors of a file, in header order. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    /**
     * The tensors and metadata of a file. A file that is truncated, has a malformed header, offsets that leave
     * gaps or overlap, sizes that disagree with shapes, or data that fails its checksum gives an IOException
     * naming the problem.
     */
    public static Contents read(Path file) throws IOException {
        MemorySegment map = map(file);
        long size = map.byteSize();
        if (size < 8) {
            throw error(file, "the file has " + size + " bytes; expected at least the 8-byte header length");
        }
        long n = map.get(LE_LONG, 0);
        if (n < 2 || n > size - 8) {
            throw error(file, "the header length " + n + " does not fit the file of " + size + " bytes; "
                    + "the file is truncated or not a safetensors file");
        }
        if (n > MAX_HEADER) throw error(file, "the header length " + n + " exceeds the limit of " + MAX_HEADER);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .decode(map.asSlice(8, n).asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "the header is not valid UTF-8; the file is corrupt or not a safetensors file");
        }
        if (!text.startsWith("{")) {
            throw error(file, "the header does not start with '{'; the file is corrupt or not a safetensors file");
        }
        Map<?, ?> header;
        try {
            header = (Map<?, ?>) Json.parse(text);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw error(file, "the header is not a JSON object (" + e.getMessage() + "); the file is corrupt");
        }
        MemorySegment data = map.asSlice(8 + n);
        Map<String, String> metadata = metadata(file, header.get(METADATA));
        List<Spec> specs = specs(file, header, data.byteSize());
        String expected = metadata.get(CHECKSUM_KEY);
        if (expected != null) {
            CRC32C crc = new CRC32C();
            update(crc, data);
            if (!Long.toHexString(crc.getValue()).equals(expected)) {
                throw error(file, "the data does not match its checksum (" + CHECKSUM_KEY + " " + expected
                        + ", computed " + Long.toHexString(crc.getValue()) + "); the file is corrupt");
            }
        }
        long dataStart = 8 + n;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Scope.unscoped(() -> {
            for (Spec s : specs) tensors.put(s.name, tensor(data, dataStart, s));
            return null;
        });
        return new Contents(tensors, metadata);
    }

    private record Spec(String name, Kind kind, long[] shape, long begin, long end) {}

    private static Tensor tensor(MemorySegment data, long dataStart, Spec s) {
        MemorySegment bytes = data.asSlice(s.begin, s.end - s.begin);
        // the mapping starts on a page boundary, so alignment in the file is alignment in memory
        if (s.kind.direct() && NATIVE_LE && (dataStart + s.begin) % s.kind.bytes == 0) {
            return Tensor.wrap(bytes, s.kind.dtype, s.shape);
        }
        Tensor t = Tensor.empty(s.kind.dtype, s.shape);
        MemorySegment out = t.segment();
        long numel = t.numel();
        if (s.kind.direct()) {
            ValueLayout to = nativeLayout(s.kind.dtype);
            MemorySegment.copy(bytes, unalignedLittleEndian(s.kind.dtype), 0, out, to, 0, numel);
        } else if (s.kind.dtype == DType.FLOAT32) {
            for (long i = 0; i < numel; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) s.kind.convert(bytes, i));
        } else {
            for (long i = 0; i < numel; i++) out.setAtIndex(ValueLayout.JAVA_LONG, i, (long) s.kind.convert(bytes, i));
        }
        return t;
    }

    /** Maps the whole file: copy-on-write where it is writable, read-only otherwise; unmapped when unreachable. */
    private static MemorySegment map(Path file) throws IOException {
        boolean writable = Files.isWritable(file);
        try (FileChannel ch = writable
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(writable ? FileChannel.MapMode.PRIVATE : FileChannel.MapMode.READ_ONLY, 0, ch.size(),
                    Arena.ofAuto());
        }
    }

    private static Map<String, String> metadata(Path file, Object value) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (value == null) return metadata;
        if (!(value instanceof Map<?, ?> m)) {
            throw error(file, METADATA + " is " + Json.write(value) + "; expected an object of strings");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw error(file, METADATA + " entry \"" + e.getKey() + "\" is " + Json.write(e.getValue())
                        + "; expected a string");
            }
            metadata.put((String) e.getKey(), s);
        }
        return metadata;
    }

    /** The tensor entries of the header, checked against each other and the data size. */
    private static List<Spec> specs(Path file, Map<?, ?> header, long dataSize) throws IOException {
        List<Spec> specs = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA)) continue;
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw error(file, "tensor \"" + name + "\" is described by " + Json.write(e.getValue())
                        + "; expected an object with dtype, shape and data_offsets");
            }
            Kind kind;
            try {
                kind = Kind.valueOf(String.valueOf(info.get("dtype")));
            } catch (IllegalArgumentException unknown) {
                throw error(file, "tensor \"" + name + "\" has dtype " + Json.write(info.get("dtype"))
                        + "; expected one of F32, F64, I64, BOOL, F16, BF16, I32, I16, I8, U8");
            }
            long[] shape = longs(file, name, "shape", info.get("shape"), -1);
            long[] offsets = longs(file, name, "data_offsets", info.get("data_offsets"), 2);
            long begin = offsets[0], end = offsets[1];
            if (begin > end) {
                throw error(file, "tensor \"" + name + "\" has data_offsets [" + begin + ", " + end
                        + "]; expected begin <= end");
            }
            if (end > dataSize) {
                throw error(file, "tensor \"" + name + "\" needs data bytes up to " + end + " but the file holds "
                        + dataSize + " bytes of data; the file is truncated");
            }
            long need = kind.bytes;
            try {
                for (long d : shape) need = Math.multiplyExact(need, d);
            } catch (ArithmeticException overflow) {
                need = -1;
            }
            if (need != end - begin) {
                throw error(file, "tensor \"" + name + "\" of shape " + Shape.str(shape) + " and dtype " + kind
                        + " needs " + (need < 0 ? "more than 2^63" : need) + " bytes but its data_offsets ["
                        + begin + ", " + end + "] span " + (end - begin) + " bytes");
            }
            specs.add(new Spec(name, kind, shape, begin, end));
        }
        List<Spec> byOffset = new ArrayList<>(specs);
        byOffset.sort(Comparator.comparingLong(Spec::begin).thenComparingLong(Spec::end));
        long at = 0;
        for (Spec s : byOffset) {
            if (s.begin != at) {
                throw error(file, "tensor \"" + s.name + "\" starts at data byte " + s.begin + " but the previous "
                        + "tensor ends at " + at + "; expected contiguous, non-overlapping data");
            }
            at = s.end;
        }
        if (at != dataSize) {
            throw error(file, "the tensors cover " + at + " data bytes but the file holds " + dataSize
                    + "; expected no bytes after the last tensor");
        }
        return specs;
    }

    /** A JSON array of non-negative integers (of the given length, or any when -1). */
    private static long[] longs(Path file, String name, String field, Object value, int length) throws IOException {
        if (value instanceof List<?> list && (length < 0 || list.size() == length)) {
            long[] out = new long[list.size()];
            boolean ok = true;
            for (int i = 0; i < out.length; i++) {
                if (list.get(i) instanceof Long v && v >= 0) out[i] = v;
                else ok = false;
            }
            if (ok) return out;
        }
        throw error(file, "tensor \"" + name + "\" has " + field + " " + Json.write(value) + "; expected "
                + (length < 0 ? "an array" : "an array of " + length) + " of non-negative integers");
    }

    private static IOException error(Path file, String what) {
        return new IOException("safetensors: " + file + ": " + what);
    }
}
