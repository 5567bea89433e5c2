package dev.panagrad.io.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces a file all at once: the content goes to a temporary file in the same folder, is flushed to the
 * disk, and is then renamed over the target. Readers (and a restart after a crash) see either the old file
 * or the complete new one, never a partial write; a failed write leaves no temporary file behind.
 *
 * <p>A process killed mid-write cannot delete its temporary, so temporaries are named after the target and
 * the writing process ({@code .model.bin.<pid>-<start>.<random>.tmp}); the next write of the same target, and
 * {@link #removeStale}, delete those whose process has ended.
 *
 * <pre>{@code
 * AtomicFile.write(Path.of("metrics.json"), json.getBytes(StandardCharsets.UTF_8));
 * AtomicFile.write(Path.of("model.bin"), channel -> channel.write(buffer));
 * }</pre>
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** This process, as it appears in the names of its temporaries: pid and start time tell a reused pid apart. */
    private static final String WRITER = writerId(ProcessHandle.current());

    /** Writes the content of the file through a channel. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code channel}, which is positioned at the start of an empty file. */
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Writes {@code target} atomically with the given bytes. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Writes {@code target} atomically with what {@code content} writes to the channel. */
    public static void write(Path target, Content content) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "save: the folder does not exist; expected an "
                    + "existing folder for " + target);
        }
        removeStale(file);
        Path tmp = dir.resolve("." + file.getFileName() + "." + WRITER + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("save: the file system of " + dir + " cannot rename atomically; expected a "
                        + "local file system for " + target, e);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * Deletes the temporaries of {@code target} left by processes that died while writing it (best effort: a
     * read-only folder keeps them, and a temporary of a live process, this one included, is never touched).
     */
    public static void removeStale(Path target) {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        if (dir == null) return;
        Pattern mine = Pattern.compile("\\." + Pattern.quote(file.getFileName().toString())
                + "\\.(\\d+)-(\\d+)\\.[0-9a-f]+\\.tmp");
        try (var entries = Files.newDirectoryStream(dir, "." + globQuote(file.getFileName().toString()) + ".*.tmp")) {
            for (Path p : entries) {
                Matcher m = mine.matcher(p.getFileName().toString());
                if (m.matches() && !alive(m.group(1), m.group(2))) Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // a folder that cannot be listed or written keeps its leftovers; reading and writing still work
        }
    }

    private static String writerId(ProcessHandle p) {
        long start = p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return p.pid() + "-" + start;
    }

    /** True when the process that named a temporary {@code pid-start} still runs. */
    private static boolean alive(String pid, String start) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
                    .map(p -> writerId(p).equals(pid + "-" + start)).orElse(false);
        } catch (NumberFormatException tooLong) {
            return false;
        }
    }

    private static String globQuote(String name) {
        return name.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
    }

    /** Flushes the folder entry of the rename, where the platform allows it (Linux does; others may not). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // the rename itself already happened; some platforms cannot open or sync a folder
        }
    }
}
