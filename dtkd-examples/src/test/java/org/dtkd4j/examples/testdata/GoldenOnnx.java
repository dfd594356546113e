package org.dtkd4j.examples.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ONNX exports of reference models in the repository's golden fixtures (system property
 * {@code dtkd.golden.dir}, set by the parent pom; see the fixtures' README): randomly initialised CIFAR-100 models,
 * input {@code [N, 3, 32, 32]}, 100 classes, each file named after its model ({@code onnx/<model>.onnx}). Tests
 * use whichever exports the directory holds.
 */
public final class GoldenOnnx {

    private GoldenOnnx() {
    }

    /** @return every {@code onnx/*.onnx} export, smallest file first; the calling test fails if there is none */
    public static List<Path> exports() {
        Path dir = Path.of(System.getProperty("dtkd.golden.dir", "../golden"), "onnx");
        List<Path> exports;
        try (Stream<Path> files = Files.list(dir)) {
            exports = files.filter(p -> p.getFileName().toString().endsWith(".onnx"))
                    .sorted(Comparator.comparingLong(GoldenOnnx::size).thenComparing(Path::toString)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the ONNX fixtures in " + dir.toAbsolutePath(), e);
        }
        assertThat(exports).as("ONNX exports (<model>.onnx) in %s", dir.toAbsolutePath()).isNotEmpty();
        return exports;
    }

    /** @return the smallest export: for tests that need some PyTorch export of a zoo model, not a particular one */
    public static Path smallest() {
        return exports().get(0);
    }

    /** @return the model of an export: its file's base name */
    public static String model(Path export) {
        String file = export.getFileName().toString();
        return file.substring(0, file.length() - ".onnx".length());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }
}
