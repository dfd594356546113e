package org.dtkd4j.core.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader (or a process killed at any moment) sees either the old complete file or the new
 * complete file, never a partial one: the content goes to a temporary file in the same directory, is forced to
 * disk, and is then renamed over the target.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes something to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Writer {
        /**
         * @param out stream to write the whole content to (do not close it)
         * @throws IOException on failure, which leaves the target untouched
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} produces.
     *
     * @param target file to create or replace
     * @param writer producer of the complete content
     * @throws UncheckedIOException naming the target if writing or renaming fails (the target is then unchanged)
     */
    public static void write(Path target, Writer writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp);
                 java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                         java.nio.file.StandardOpenOption.WRITE)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is hidden and harmless; the original error is what matters
                }
            }
        }
    }

    /**
     * Atomically replaces {@code target} with UTF-8 text.
     *
     * @param target file to create or replace
     * @param text the complete content
     */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
