package org.dtkd4j.examples.plot;

import org.dtkd4j.core.engine.EpochMetrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's {@code metrics.csv} (header {@link EpochMetrics#COLUMNS}, one row per epoch) read into numeric columns;
 * empty cells are NaN.
 */
public final class MetricsTable {

    /** The file name inside a run directory. */
    static final String FILE = "metrics.csv";

    /** Columns every row must fill with a number. */
    private static final List<String> REQUIRED = List.of("epoch", "loss_total", "train_top1", "test_top1", "test_top5");

    private final Path file;
    private final Map<String, double[]> columns;

    private MetricsTable(Path file, Map<String, double[]> columns) {
        this.file = file;
        this.columns = columns;
    }

    /**
     * @param runDir a run directory
     * @return its {@code metrics.csv}
     * @throws IllegalArgumentException naming the file and what was found, for a missing or empty file, a header
     *                                  with an unknown, repeated or missing column, a row of the wrong length, a cell
     *                                  that is not a number, or an empty required cell
     * @throws UncheckedIOException     on another I/O error
     */
    public static MetricsTable read(Path runDir) {
        Path file = runDir.resolve(FILE);
        List<String> all;
        try {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file (is " + runDir + " a run directory?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        int end = all.size();
        while (end > 0 && all.get(end - 1).isBlank()) {
            end--;
        }
        List<String> lines = all.subList(0, end);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty file, expected the header " + String.join(",",
                    EpochMetrics.COLUMNS) + " and one row per epoch");
        }
        List<String> header = Arrays.stream(lines.get(0).split(",", -1)).map(String::trim).toList();
        for (String name : header) {
            if (!EpochMetrics.COLUMNS.contains(name)) {
                throw new IllegalArgumentException(file + ": unknown column '" + name + "' in header " + header
                        + "; known columns: " + EpochMetrics.COLUMNS);
            }
            if (header.indexOf(name) != header.lastIndexOf(name)) {
                throw new IllegalArgumentException(file + ": column '" + name + "' appears twice in header " + header);
            }
        }
        for (String name : REQUIRED) {
            if (!header.contains(name)) {
                throw new IllegalArgumentException(file + ": missing column '" + name + "' in header " + header);
            }
        }
        if (lines.size() == 1) {
            throw new IllegalArgumentException(file + ": no rows after the header " + header);
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        header.forEach(name -> columns.put(name, new double[lines.size() - 1]));
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",", -1);
            if (cells.length != header.size()) {
                throw new IllegalArgumentException(file + ": line " + (r + 1) + " has " + cells.length
                        + " cells, expected " + header.size() + " as the header");
            }
            for (int c = 0; c < cells.length; c++) {
                columns.get(header.get(c))[r - 1] = cell(file, r + 1, header.get(c), cells[c].trim());
            }
        }
        return new MetricsTable(file, columns);
    }

    private static double cell(Path file, int line, String column, String text) {
        if (text.isEmpty()) {
            if (REQUIRED.contains(column)) {
                throw new IllegalArgumentException(file + ": line " + line + ", column " + column
                        + ": empty, expected a number");
            }
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": line " + line + ", column " + column
                    + ": not a number, found '" + text + "'", e);
        }
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /**
     * @param column a column name
     * @return whether the header has the column and at least one row a finite value in it
     */
    public boolean has(String column) {
        double[] values = columns.get(column);
        return values != null && Arrays.stream(values).anyMatch(Double::isFinite);
    }

    /**
     * @param column a column of the header
     * @return its values, one per row, NaN for empty cells (a copy)
     */
    public double[] column(String column) {
        double[] values = columns.get(column);
        if (values == null) {
            throw new IllegalArgumentException(file + ": no column '" + column + "' in header " + columns.keySet());
        }
        return values.clone();
    }
}
