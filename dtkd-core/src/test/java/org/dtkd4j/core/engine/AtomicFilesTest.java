package org.dtkd4j.core.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFilesTest {

    @Test
    void replacesWholeFilesAndLeavesNoTemporaries(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("sub/summary.json");
        AtomicFiles.writeString(f, "{\"a\":1}");
        AtomicFiles.writeString(f, "{\"a\":2}");
        assertThat(Files.readString(f)).isEqualTo("{\"a\":2}");
        try (var files = Files.list(f.getParent())) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void aFailingWriterLeavesTheOldContent(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("latest.zip");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("disk full");
        })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("latest.zip").hasMessageContaining("disk full");
        assertThat(Files.readString(f)).isEqualTo("old");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }
}
