package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code losses.json} and the other golden files (e.g. {@code methods/ls_kd.json}) from the directory named by
 * the system property {@code dtkd.golden.dir} (default {@code ../golden}, the repository's {@code golden/} seen from a
 * module). A missing or malformed file is an error, never a skip.
 */
public final class GoldenLosses {

    /** The golden directory. */
    public static final Path DIR = Path.of(System.getProperty("dtkd.golden.dir", "../golden"));

    private static final Map<String, JsonNode> ROOTS = new HashMap<>();

    private GoldenLosses() {
    }

    /** @return every case of {@code losses.json}, in file order */
    public static List<GoldenCase> cases() {
        return cases("losses.json");
    }

    /**
     * @param file a golden file, relative to {@link #DIR}, e.g. {@code methods/ls_kd.json}
     * @return every case of it, in file order
     */
    public static List<GoldenCase> cases(String file) {
        JsonNode list = root(file).path("cases");
        if (!list.isArray() || list.isEmpty()) {
            throw new IllegalStateException(DIR.resolve(file) + " has no cases");
        }
        List<GoldenCase> out = new ArrayList<>();
        list.forEach(c -> out.add(new GoldenCase(c)));
        return List.copyOf(out);
    }

    /**
     * @param file a golden file, relative to {@link #DIR}
     * @return its top-level object, read once
     */
    public static synchronized JsonNode root(String file) {
        JsonNode root = ROOTS.get(file);
        if (root == null) {
            Path path = DIR.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("golden file " + path.toAbsolutePath()
                        + " not found (set -Ddtkd.golden.dir)");
            }
            try {
                root = new ObjectMapper().readTree(path.toFile());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + path, e);
            }
            ROOTS.put(file, root);
        }
        return root;
    }

    /** A float: a JSON number, or one of the strings "NaN", "Infinity", "-Infinity". */
    static double number(JsonNode v, String what) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new IllegalStateException(what + " is not a float: " + v);
    }
}
