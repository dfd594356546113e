package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code losses.json} from the directory named by the system property {@code dtkd.golden.dir} (default
 * {@code ../golden}, the repository's {@code golden/} seen from a module). A missing or malformed file is an error, never a skip.
 */
public final class GoldenLosses {

    /** The golden directory. */
    public static final Path DIR = Path.of(System.getProperty("dtkd.golden.dir", "../golden"));

    private static List<GoldenCase> cases;

    private GoldenLosses() {
    }

    /** @return every case of {@code losses.json}, in file order */
    public static synchronized List<GoldenCase> cases() {
        if (cases == null) {
            Path file = DIR.resolve("losses.json");
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("golden file " + file.toAbsolutePath()
                        + " not found (set -Ddtkd.golden.dir)");
            }
            try {
                JsonNode root = new ObjectMapper().readTree(file.toFile());
                JsonNode list = root.path("cases");
                if (!list.isArray() || list.isEmpty()) {
                    throw new IllegalStateException(file + " has no cases");
                }
                List<GoldenCase> out = new ArrayList<>();
                list.forEach(c -> out.add(new GoldenCase(c)));
                cases = List.copyOf(out);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        }
        return cases;
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
