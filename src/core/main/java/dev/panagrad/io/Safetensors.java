package dev.panagrad.io;

import dev.panagrad.DType;
import dev.panagrad.Shape;
import dev.panagrad.Tensor;
import dev.panagrad.memory.Scope;
import dev.panagrad.io.internal.AtomicFile;
import dev.panagrad.io.internal.Json;
import dev.panagrad.ops.Pointwise;

import java.io.IOException;
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
 * <p>Saving is atomic ({@link AtomicFile}) and records a CRC-32C of the whole file (length, header and data)
 * as the first metadata entry, under {@link #CHECKSUM_KEY}; loading verifies it when present, so a damaged
 * checkpoint (a flipped bit in a tensor name, swapped offsets, changed data) fails instead of loading wrong
 * weights. Files of older versions, whose checksum covers the data alone, are checked that way.
 *
 * <p>Loading reads the file into memory the tensors own; it never maps the file, so a file that another
 * process truncates or rewrites later cannot crash the JVM (a mapped page whose file shrank faults on access,
 * which kills the process inside native code such as OpenBLAS). Files need only be readable. F32, F64, I64,
 * I32, U8, I8 and BOOL load as the dtype of the same name (and every dtype saves as one of these); F16 and BF16
 * become float32 and I16 int64, exactly. Other dtypes (U16, U32, U64, the 8-bit floats) are refused with an
 * IOException naming them. Loaded tensors belong to the garbage collector, whatever scope is open.
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
    /** How every header this class writes begins: the checksum's 8 hex digits follow at a fixed place. */
    private static final String CHECKED_PREFIX = "{\"__metadata__\":{\"" + CHECKSUM_KEY + "\":\"";
    private static final int CHECKSUM_DIGITS = 8;
    private static final String CHECKSUM_PLACEHOLDER = "0".repeat(CHECKSUM_DIGITS);
    /** The reference implementation's limit on the header size. */
    static final long MAX_HEADER = 100_000_000;
    private static final String METADATA = "__metadata__";

    /** The tensors of a file in header order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /**
     * Element types of the format that this class reads, with the dtype each loads as: the kinds that are a
     * panagrad dtype ({@link #direct}) are also written; the others are widened exactly on loading.
     */
    private enum Kind {
        F32(DType.FLOAT32, 4), F64(DType.FLOAT64, 8), I64(DType.INT64, 8), I32(DType.INT32, 4),
        U8(DType.UINT8, 1), I8(DType.INT8, 1), BOOL(DType.BOOL, 1),
        F16(DType.FLOAT32, 2), BF16(DType.FLOAT32, 2), I16(DType.INT64, 2);

        final DType dtype;
        final int bytes;

        Kind(DType dtype, int bytes) {
            this.dtype = dtype;
            this.bytes = bytes;
        }

        /** True when the file's bytes are the tensor's bytes (same width, no conversion). */
        boolean direct() {
            return bytes == dtype.byteSize();
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
                case I16 -> s.get(LE_SHORT, at);
                case F32, F64, I64, I32, U8, I8, BOOL -> throw new IllegalStateException("safetensors: " + this
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
            long at = 0;
            for (Entry e : layout) {
                e.begin = at;
                at += e.data.byteSize();
            }
            Map<String, Object> header = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(CHECKSUM_KEY, CHECKSUM_PLACEHOLDER);   // first, so that its digits sit at a known place
            meta.putAll(metadata);
            header.put(METADATA, meta);
            for (Entry e : entries) {
                header.put(e.name, describe(e));
            }
            byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
            int padded = (int) ((json.length + 7) / 8 * 8);   // 8 + padded is a multiple of 8
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.hasRemaining()) head.put((byte) ' ');
            CRC32C crc = new CRC32C();
            crc.update(head.array());
            for (Entry e : layout) update(crc, e.data);
            String digits = String.format("%08x", crc.getValue());
            head.put(8 + CHECKED_PREFIX.length(), digits.getBytes(StandardCharsets.US_ASCII));
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
        if (bytes == 0) return MemorySegment.NULL;   // an empty view may start past the end of its storage
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
     * gaps or overlap, sizes that disagree with shapes, or contents that fail the checksum gives an IOException
     * naming the problem. Also removes the temporaries of interrupted saves of this file ({@link AtomicFile}).
     */
    public static Contents read(Path file) throws IOException {
        AtomicFile.removeStale(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        }
    }

    private static Contents read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw error(file, "the file has " + size + " bytes; expected at least the 8-byte header length");
        }
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, length);
        long n = length.getLong(0);
        if (n < 2 || n > size - 8) {
            throw error(file, "the header length " + n + " does not fit the file of " + size + " bytes; "
                    + "the file is truncated or not a safetensors file");
        }
        if (n > MAX_HEADER) throw error(file, "the header length " + n + " exceeds the limit of " + MAX_HEADER);
        ByteBuffer head = ByteBuffer.allocate((int) n);
        readFully(file, ch, head);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(head.flip()).toString();
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
        Map<String, String> metadata = metadata(file, header.get(METADATA));
        List<Spec> specs = specs(file, header, size - 8 - n);
        // The whole file is checked when the header begins as save writes it; older files checked their data only.
        String expected = metadata.get(CHECKSUM_KEY);
        boolean whole = expected != null && text.startsWith(CHECKED_PREFIX + expected + "\"")
                && expected.length() == CHECKSUM_DIGITS;
        CRC32C crc = expected == null ? null : new CRC32C();
        if (whole) {
            crc.update(length.array());
            byte[] blanked = head.array().clone();
            byte[] zeros = CHECKSUM_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(zeros, 0, blanked, CHECKED_PREFIX.length(), CHECKSUM_DIGITS);
            crc.update(blanked);
        }
        List<Spec> byOffset = new ArrayList<>(specs);
        byOffset.sort(Comparator.comparingLong(Spec::begin));
        Map<Spec, Tensor> loaded = new java.util.HashMap<>();
        Scope.unscoped(() -> {
            for (Spec s : byOffset) loaded.put(s, Tensor.empty(s.kind.dtype, s.shape));
            return null;
        });
        for (Spec s : byOffset) readTensor(file, ch, s, loaded.get(s), crc);
        if (crc != null) {
            String computed = whole ? String.format("%08x", crc.getValue()) : Long.toHexString(crc.getValue());
            if (!computed.equals(expected)) {
                throw error(file, "the " + (whole ? "file" : "data") + " does not match its checksum ("
                        + CHECKSUM_KEY + " " + expected + ", computed " + computed + "); the file is corrupt");
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Spec s : specs) tensors.put(s.name, loaded.get(s));
        return new Contents(tensors, metadata);
    }

    private record Spec(String name, Kind kind, long[] shape, long begin, long end) {}

    /** Reads one tensor's bytes (the next in the file) into {@code t}, converting where the kinds differ. */
    private static void readTensor(Path file, FileChannel ch, Spec s, Tensor t, CRC32C crc) throws IOException {
        long bytes = s.end - s.begin;
        MemorySegment out = t.segment();
        if (s.kind.direct() && NATIVE_LE) {
            readInto(file, ch, out, crc);
            return;
        }
        MemorySegment raw = MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
        readInto(file, ch, raw, crc);
        long numel = t.numel();
        if (s.kind.direct()) {
            MemorySegment.copy(raw, unalignedLittleEndian(s.kind.dtype), 0, out, nativeLayout(s.kind.dtype), 0, numel);
        } else if (s.kind.dtype == DType.FLOAT32) {
            for (long i = 0; i < numel; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) s.kind.convert(raw, i));
        } else {
            for (long i = 0; i < numel; i++) out.setAtIndex(ValueLayout.JAVA_LONG, i, (long) s.kind.convert(raw, i));
        }
    }

    /** Fills {@code out} from the channel's position, in chunks a ByteBuffer can address, updating the checksum. */
    private static void readInto(Path file, FileChannel ch, MemorySegment out, CRC32C crc) throws IOException {
        for (long at = 0; at < out.byteSize(); at += 1 << 30) {
            ByteBuffer chunk = out.asSlice(at, Math.min(1 << 30, out.byteSize() - at)).asByteBuffer();
            readFully(file, ch, chunk);
            if (crc != null) crc.update(chunk.flip());
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw error(file, "the file ended at byte " + ch.position() + " while reading it; the file is "
                        + "truncated (or was truncated while it was read)");
            }
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
                        + ", which panagrad cannot load (it has no dtype that holds it); expected one of F32, F64, "
                        + "I64, I32, U8, I8, BOOL (loaded as they are), F16, BF16 (as float32), I16 (as int64)");
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
