package org.dtkd4j.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access to the golden fixtures: the directory named by the system property {@code dtkd.golden.dir} (the parent pom
 * sets it to the repository's {@code golden/}; default {@code ../golden}).
 */
public final class GoldenFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenFixtures() {
    }

    /** @return the fixture directory */
    public static Path dir() {
        return Path.of(System.getProperty("dtkd.golden.dir", "../golden"));
    }

    /** @return the parsed JSON file at {@code relative} inside the fixture directory */
    public static JsonNode json(String relative) {
        return json(dir().resolve(relative));
    }

    /** @return the parsed JSON file */
    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + file, e);
        }
    }

    /**
     * @return every {@code onnx/*.onnx} file of the fixture directory, sorted; fails the calling test when there is
     *         none (each file's base name is its model's name in the zoo)
     */
    public static List<Path> onnxFiles() {
        Path onnx = dir().resolve("onnx");
        List<Path> exports;
        try (Stream<Path> files = Files.list(onnx)) {
            exports = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the ONNX fixtures in " + onnx, e);
        }
        assertThat(exports).as("ONNX exports (<model>.onnx) in %s", onnx.toAbsolutePath()).isNotEmpty();
        return exports;
    }

    /**
     * @return the smallest ONNX export of the fixture directory (by file size): the one for tests that need some
     *         PyTorch export of a zoo model and not a particular one
     */
    public static Path smallestExport() {
        return onnxFiles().stream().min(Comparator.comparingLong(GoldenFixtures::size)).orElseThrow();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }

    /** @return the model name of an ONNX fixture: its file's base name */
    public static String modelName(Path onnx) {
        String file = onnx.getFileName().toString();
        return file.substring(0, file.length() - ".onnx".length());
    }

    /** @return the {@code <model>.io.json} next to an ONNX fixture */
    public static JsonNode io(Path onnx) {
        return json(onnx.resolveSibling(modelName(onnx) + ".io.json"));
    }

    /**
     * @param node a JSON array nested to any depth, of numbers or the strings "NaN", "Infinity", "-Infinity"
     * @return the array of its shape
     */
    public static INDArray array(JsonNode node, DataType dataType) {
        List<Long> shape = new ArrayList<>();
        for (JsonNode n = node; n.isArray(); n = n.get(0)) {
            shape.add((long) n.size());
        }
        List<Double> values = new ArrayList<>();
        flatten(node, values);
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        return Nd4j.create(v, shape.stream().mapToLong(Long::longValue).toArray(), dataType);
    }

    private static void flatten(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add(node.isTextual() ? Double.parseDouble(node.asText()) : node.doubleValue());
        }
    }

    /** One comparison of an ONNX export against torch's logits. */
    @FunctionalInterface
    public interface ExportCheck {
        /**
         * @param file the {@code .onnx} fixture
         * @param dataType FLOAT or DOUBLE
         * @param outputKey {@code output_float32} or {@code output_float64} of its {@code .io.json}
         * @param rtol tolerance relative to the largest absolute logit (the golden README's)
         */
        void check(Path file, DataType dataType, String outputKey, double rtol) throws Exception;
    }

    /**
     * @param check the comparison
     * @return one test per ONNX fixture and precision: float32 within 1e-4, float64 within 1e-9; fails when the
     *         directory holds no fixture
     */
    public static List<DynamicTest> perExport(ExportCheck check) {
        List<Path> files = onnxFiles();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            tests.add(DynamicTest.dynamicTest(modelName(file) + " float32",
                    () -> check.check(file, DataType.FLOAT, "output_float32", 1e-4)));
            tests.add(DynamicTest.dynamicTest(modelName(file) + " float64",
                    () -> check.check(file, DataType.DOUBLE, "output_float64", 1e-9)));
        }
        return tests;
    }
}
