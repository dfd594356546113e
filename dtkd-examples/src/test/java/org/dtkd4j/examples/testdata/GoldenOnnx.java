package org.dtkd4j.examples.testdata;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ONNX exports of reference models in the repository's golden fixtures (system property {@code dtkd.golden.dir},
 * set by the parent pom; see the fixtures' README): randomly initialised CIFAR-100 models, input
 * {@code [N, 3, 32, 32]}, 100 classes.
 */
public final class GoldenOnnx {

    private GoldenOnnx() {
    }

    /**
     * @param model a model with an export, e.g. {@code resnet8}
     * @return its {@code onnx/<model>.onnx}; the calling test fails if it is missing
     */
    public static Path file(String model) {
        Path file = Path.of(System.getProperty("dtkd.golden.dir", "../golden"), "onnx", model + ".onnx");
        assertThat(Files.isRegularFile(file)).as("golden ONNX fixture %s", file).isTrue();
        return file;
    }
}
