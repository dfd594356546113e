package org.dtkd4j.examples.plot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One plot overlaying the test top-1 accuracy per epoch of several runs, e.g. KD, DKD and DTKD on the same pair:
 * <pre>{@code
 * ComparePlot.write(List.of(Path.of("output/kd"), Path.of("output/dtkd")), Path.of("compare.png"));
 * }</pre>
 * Each run is labelled with its directory name and, if its {@code summary.json} or else its {@code config.json} has
 * a {@code "method"} field, the method, e.g. {@code dtkd,res56,res20 (DTKD)}. The PNG is {@code 960 x 600},
 * rendered headless.
 */
public final class ComparePlot {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ComparePlot() {
    }

    /**
     * @param runDirs run directories, each holding a {@code metrics.csv}; at least one
     * @param png     the PNG file to write (parent directories are created)
     * @throws IllegalArgumentException     for an empty list, or naming the file and what was found for a missing or
     *                                      malformed {@code metrics.csv} or an unreadable {@code summary.json} /
     *                                      {@code config.json}
     * @throws UncheckedIOException         if the PNG cannot be written
     */
    public static void write(List<Path> runDirs, Path png) {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("no run directories to compare, found an empty list");
        }
        XYChart chart = Charts.chart("test top-1 accuracy", "test top-1 (%)", Styler.LegendPosition.InsideSE);
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < runDirs.size(); i++) {
            Path dir = runDirs.get(i);
            MetricsTable table = MetricsTable.read(dir);
            String label = label(dir);
            if (!labels.add(label)) {
                label = label + " #" + (i + 1);
                labels.add(label);
            }
            Charts.line(chart, label, table.column("epoch"), table.column("test_top1"), 100,
                    Charts.color(i), false);
        }
        Charts.save(chart, png);
    }

    /** @return the run's legend entry: its directory name, then its method in parentheses if known */
    static String label(Path runDir) {
        return runDir.toAbsolutePath().normalize().getFileName() + method(runDir).map(m -> " (" + m + ")").orElse("");
    }

    /** @return the {@code "method"} of the run's summary.json, else of its config.json, if present */
    private static Optional<String> method(Path runDir) {
        for (String name : List.of("summary.json", "config.json")) {
            Path file = runDir.resolve(name);
            if (Files.isRegularFile(file)) {
                JsonNode method;
                try {
                    method = JSON.readTree(file.toFile()).findValue("method");
                } catch (JacksonException e) {
                    throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
                if (method != null && method.isTextual()) {
                    return Optional.of(method.asText());
                }
            }
        }
        return Optional.empty();
    }
}
