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

/**
 * Replaces a file all at once: the content goes to a temporary file in the same folder, is flushed to the
 * disk, and is then renamed over the target. Readers (and a restart after a crash) see either the old file
 * or the complete new one, never a partial write; a failed write leaves no temporary file behind.
 *
 * <pre>{@code
 * AtomicFile.write(Path.of("metrics.json"), json.getBytes(StandardCharsets.UTF_8));
 * AtomicFile.write(Path.of("model.bin"), channel -> channel.write(buffer));
 * }</pre>
 */
public final class AtomicFile {
    private AtomicFile() {}

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
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + ".tmp");
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

    /** Flushes the folder entry of the rename, where the platform allows it (Linux does; others may not). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // the rename itself already happened; some platforms cannot open or sync a folder
        }
    }
}
