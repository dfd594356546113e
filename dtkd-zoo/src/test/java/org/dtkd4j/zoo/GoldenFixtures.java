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
import java.util.List;
import java.util.stream.Stream;

/** Access to the shared golden fixtures (system property {@code dtkd.golden.dir}, default {@code ../shared/golden}). */
public final class GoldenFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenFixtures() {
    }

    /** @return the fixture directory */
    public static Path dir() {
        return Path.of(System.getProperty("dtkd.golden.dir", "../shared/golden"));
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

    /** @return every {@code onnx/*.onnx} file of the fixture directory, sorted */
    public static List<Path> onnxFiles() {
        try (Stream<Path> files = Files.list(dir().resolve("onnx"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir().resolve("onnx"), e);
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
}
