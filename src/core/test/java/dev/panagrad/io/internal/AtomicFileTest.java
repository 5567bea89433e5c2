package dev.panagrad.io.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static AtomicFile.Content text(String s) {
        return ch -> ch.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("out.txt");
        AtomicFile.write(f, text("first"));
        assertEquals("first", Files.readString(f));
        AtomicFile.write(f, "second, longer".getBytes(StandardCharsets.UTF_8));
        assertEquals("second, longer", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());   // no temporary file left
        }
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporary() throws IOException {
        Path f = dir.resolve("ckpt");
        AtomicFile.write(f, text("good"));
        // the writer dies half-way, as in a crash during save
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, ch -> {
            ch.write(ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("good", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(f, ch -> {
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals("good", Files.readString(f));
    }

    @Test
    void missingFolderIsNamed() {
        Path f = dir.resolve("no/such/folder/x");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(f, text("x")));
        assertTrue(e.getMessage().contains("folder does not exist"), e.getMessage());
    }
}
