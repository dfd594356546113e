package org.dtkd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.plot.ComparePlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dtkd compare}: overlays the test top-1 accuracy of several runs in one PNG ({@link ComparePlot}) and prints
 * a table: run (directory name), method, best and last test top-1, epochs done of the recipe's. Values come from each
 * run's {@code metrics.csv} and {@code config.json}, so a run still going (or killed) compares too; it is marked
 * {@code *} when it has no {@code summary.json} yet. Every run is read before the PNG is written.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Overlay the test top-1 accuracy of several runs in one PNG and print a table of their best "
                + "and last test top-1.",
        footer = {"", "Example: dtkd compare output/cifar100_baselines/dkd,res56,res20 "
                + "output/DTKD_Final/dtkd,res56,res20 --out compare.png"})
final class CompareCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run directories (each with metrics.csv)")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "PNG", description = "the plot to write")
    Path png;

    /**
     * One line of the table.
     *
     * @param run         the run directory's name
     * @param method      the method of its config.json
     * @param bestTop1    best test top-1 (fraction)
     * @param lastTop1    test top-1 of the last epoch (fraction)
     * @param epochs      epochs done
     * @param totalEpochs epochs of the recipe
     * @param finished    whether the run wrote its summary.json
     */
    record Row(String run, String method, double bestTop1, double lastTop1, int epochs, int totalEpochs,
               boolean finished) {
    }

    @Override
    public Integer call() {
        List<Row> rows = new ArrayList<>();
        for (Path run : runs) {
            rows.add(read(run));
        }
        ComparePlot.write(runs, png);
        PrintWriter out = spec.commandLine().getOut();
        int width = Math.max(3, rows.stream().mapToInt(r -> r.run().length()).max().orElse(0));
        String format = "%-" + width + "s  %-8s  %10s  %10s  %8s%n";
        out.printf(Locale.ROOT, format, "run", "method", "best top-1", "last top-1", "epochs");
        for (Row r : rows) {
            out.printf(Locale.ROOT, format, r.run(), r.method(), String.format(Locale.ROOT, "%.2f%%", 100 * r.bestTop1()),
                    String.format(Locale.ROOT, "%.2f%%", 100 * r.lastTop1()),
                    r.epochs() + "/" + r.totalEpochs() + (r.finished() ? "" : "*"));
        }
        if (rows.stream().anyMatch(r -> !r.finished())) {
            out.println("* unfinished: no " + Distiller.SUMMARY_FILE + " yet (still running, or killed: continue it "
                    + "with --resume)");
        }
        out.println("plot: " + png);
        return 0;
    }

    /**
     * @param runDir a run directory
     * @return its line of the table
     * @throws IllegalArgumentException naming the file, for a missing or malformed metrics.csv or config.json
     */
    static Row read(Path runDir) {
        Path metrics = runDir.resolve(Distiller.METRICS_FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(metrics, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(metrics + ": no such file (is " + runDir + " a run directory?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics, e);
        }
        int column = lines.isEmpty() ? -1 : Arrays.asList(lines.get(0).split(",", -1)).indexOf("test_top1");
        if (column < 0 || lines.size() < 2) {
            throw new IllegalArgumentException(metrics + ": expected a header with test_top1 and one row per epoch, "
                    + "found " + (lines.isEmpty() ? "an empty file" : lines.size() + " lines"));
        }
        double best = Double.NEGATIVE_INFINITY;
        double last = Double.NaN;
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            try {
                last = Double.parseDouble(cells[column]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(metrics + ": line " + (i + 1) + " has no test_top1 number, found '"
                        + lines.get(i) + "'", e);
            }
            best = Math.max(best, last);
        }
        Path configFile = runDir.resolve(Distiller.CONFIG_FILE);
        JsonNode config;
        try {
            config = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(configFile + ": missing or not valid JSON: " + e.getMessage(), e);
        }
        JsonNode method = config.path("method");
        JsonNode total = config.path("recipe").path("epochs");
        if (!method.isTextual() || !total.isInt()) {
            throw new IllegalArgumentException(configFile + ": expected \"method\" and \"recipe\".\"epochs\", found "
                    + config);
        }
        return new Row(runDir.toAbsolutePath().normalize().getFileName().toString(), method.asText(), best, last,
                lines.size() - 1, total.asInt(), Files.isRegularFile(runDir.resolve(Distiller.SUMMARY_FILE)));
    }
}
