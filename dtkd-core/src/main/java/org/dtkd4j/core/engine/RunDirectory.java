package org.dtkd4j.core.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.dtkd4j.core.engine.Distiller.BEST;
import static org.dtkd4j.core.engine.Distiller.CHECKPOINT_DIR;
import static org.dtkd4j.core.engine.Distiller.CONFIG_FILE;
import static org.dtkd4j.core.engine.Distiller.LATEST;
import static org.dtkd4j.core.engine.Distiller.LOG_FILE;
import static org.dtkd4j.core.engine.Distiller.METRICS_FILE;
import static org.dtkd4j.core.engine.Distiller.SUMMARY_FILE;

/**
 * The files of one run directory, as {@link Distiller} writes them and reads them back on resume. The file names are
 * {@link Distiller}'s public constants:
 * <pre>
 *   config.json               the resolved configuration ({@link Distiller.RunConfig}): method and loss parameters,
 *                             recipe, engine options, student and teacher names, data name and sizes
 *   metrics.csv               a header of {@link EpochMetrics#COLUMNS}, then one row per completed epoch
 *                             ({@link EpochMetrics#toCsv()}), rewritten whole after every epoch
 *   summary.json              the {@link RunSummary} (method, epochs, best/last top-1, last top-5, teacher top-1/top-5,
 *                             training seconds)
 *   train.log                 one line per log message, {@code <ISO-8601 instant>  <message>}, appended by every
 *                             process that worked on the run
 *   checkpoints/latest.zip    after every epoch: the student with its updater state ({@link ModelSerializer})
 *   checkpoints/best.zip      the same bytes as latest.zip of the epoch with the best test top-1 (the first on ties)
 *   checkpoints/epoch-NNN.zip every {@link TrainingRecipe#checkpointEvery()} epochs
 * </pre>
 * Every file but {@code train.log} is written atomically ({@link AtomicFiles}), so a kill at any moment leaves
 * loadable files. The directory also remembers the metric rows written so far and the best epoch among them, which
 * is what {@link #loadMetrics(int)} restores on resume.
 */
final class RunDirectory {

    /** The JSON writer of {@code config.json} and {@code summary.json}: indented. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final PrintStream console;
    private final List<String> metricRows = new ArrayList<>();
    private double bestTop1 = Double.NaN;
    private int bestEpoch;

    /**
     * @param dir     the run directory (created when the first file is written)
     * @param console where log lines go besides {@code train.log}
     */
    RunDirectory(Path dir, PrintStream console) {
        this.dir = dir;
        this.console = console;
    }

    /** @return the directory */
    Path path() {
        return dir;
    }

    /** @return {@code config.json} */
    Path configFile() {
        return dir.resolve(CONFIG_FILE);
    }

    /** @return {@code checkpoints/latest.zip} */
    Path latestCheckpoint() {
        return dir.resolve(CHECKPOINT_DIR).resolve(LATEST);
    }

    /** @throws IllegalArgumentException if the directory holds a checkpoint already (a new run needs a fresh one) */
    void requireNoCheckpoint() {
        if (Files.exists(latestCheckpoint())) {
            throw new IllegalArgumentException("run directory " + dir + " already holds " + CHECKPOINT_DIR + "/"
                    + LATEST + ": resume it, or choose a new directory");
        }
    }

    /** @throws IllegalArgumentException unless the directory holds {@code config.json} and the latest checkpoint */
    void requireResumable() {
        if (!Files.isRegularFile(latestCheckpoint()) || !Files.isRegularFile(configFile())) {
            throw new IllegalArgumentException("run directory " + dir + " has no " + CONFIG_FILE + " and "
                    + CHECKPOINT_DIR + "/" + LATEST + " to resume from");
        }
    }

    /**
     * @return the student of the latest checkpoint, with its updater state
     * @throws IllegalArgumentException if the checkpoint cannot be restored
     */
    ComputationGraph restoreLatest() {
        Path latest = latestCheckpoint();
        try {
            return ModelSerializer.restoreComputationGraph(latest.toFile(), true);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("checkpoint " + latest + " cannot be restored: " + e.getMessage(), e);
        }
    }

    /**
     * Reads back the rows of {@code metrics.csv} for the first {@code done} epochs (rows of later epochs, written
     * after the latest checkpoint by a process that was killed between the two files, are dropped) and the best
     * epoch among them.
     *
     * @param done the epochs completed by the latest checkpoint
     * @throws IllegalArgumentException if the file does not hold exactly one row per completed epoch
     */
    void loadMetrics(int done) {
        List<String> rows = new ArrayList<>();
        Path metrics = dir.resolve(METRICS_FILE);
        if (Files.isRegularFile(metrics)) {
            try {
                for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
                    if (!line.isEmpty() && Character.isDigit(line.charAt(0))
                            && Integer.parseInt(line.substring(0, line.indexOf(','))) <= done) {
                        rows.add(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
            }
        }
        if (rows.size() != done) {
            throw new IllegalArgumentException(metrics + " has " + rows.size() + " rows for the " + done
                    + " epochs of checkpoint " + latestCheckpoint());
        }
        metricRows.clear();
        metricRows.addAll(rows);
        bestTop1 = Double.NaN;
        bestEpoch = 0;
        for (String row : rows) {
            String[] cells = row.split(",", -1);
            double top1 = Double.parseDouble(cells[EpochMetrics.COLUMNS.indexOf("test_top1")]);
            if (Double.isNaN(bestTop1) || top1 > bestTop1) {
                bestTop1 = top1;
                bestEpoch = Integer.parseInt(cells[0]);
            }
        }
    }

    /**
     * Records a completed epoch: its row in {@code metrics.csv}, then the student in {@code latest.zip}, in
     * {@code best.zip} if its test top-1 beats every earlier epoch's, and in {@code epoch-NNN.zip} every
     * {@code checkpointEvery} epochs.
     *
     * @param m               the epoch's metrics
     * @param student         the student after the epoch
     * @param checkpointEvery the period of the numbered checkpoints, 0 for none
     * @return whether the epoch is the best so far
     */
    boolean recordEpoch(EpochMetrics m, ComputationGraph student, int checkpointEvery) {
        metricRows.add(m.toCsv());
        AtomicFiles.writeString(dir.resolve(METRICS_FILE),
                String.join(",", EpochMetrics.COLUMNS) + "\n" + String.join("\n", metricRows) + "\n");
        byte[] checkpoint = serialize(student);
        Path checkpoints = dir.resolve(CHECKPOINT_DIR);
        AtomicFiles.write(checkpoints.resolve(LATEST), out -> out.write(checkpoint));
        boolean best = Double.isNaN(bestTop1) || m.testTop1() > bestTop1;
        if (best) {
            bestTop1 = m.testTop1();
            bestEpoch = m.epoch();
            AtomicFiles.write(checkpoints.resolve(BEST), out -> out.write(checkpoint));
        }
        if (checkpointEvery > 0 && m.epoch() % checkpointEvery == 0) {
            AtomicFiles.write(checkpoints.resolve(String.format(Locale.ROOT, "epoch-%03d.zip", m.epoch())),
                    out -> out.write(checkpoint));
        }
        return best;
    }

    /** @return the best test top-1 of the recorded epochs, NaN before the first */
    double bestTop1() {
        return bestTop1;
    }

    /** @return the epoch (from 1) of {@link #bestTop1()}, 0 before the first */
    int bestEpoch() {
        return bestEpoch;
    }

    /**
     * @return {test top-1, test top-5} of the last recorded epoch
     * @throws IllegalStateException if no epoch is recorded
     */
    double[] lastTestAccuracy() {
        if (metricRows.isEmpty()) {
            throw new IllegalStateException("run " + dir + " has no completed epoch");
        }
        String[] lastRow = metricRows.get(metricRows.size() - 1).split(",", -1);
        return new double[]{Double.parseDouble(lastRow[EpochMetrics.COLUMNS.indexOf("test_top1")]),
                Double.parseDouble(lastRow[EpochMetrics.COLUMNS.indexOf("test_top5")])};
    }

    /** Writes {@code summary.json}. */
    void writeSummary(RunSummary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("method", s.method().name());
        o.put("epochs", s.epochs());
        o.put("best_top1", s.bestTop1());
        o.put("best_epoch", s.bestEpoch());
        o.put("last_top1", s.lastTop1());
        o.put("last_top5", s.lastTop5());
        o.put("teacher_top1", s.teacherTop1());
        o.put("teacher_top5", s.teacherTop5());
        o.put("train_seconds", s.trainSeconds());
        try {
            AtomicFiles.writeString(dir.resolve(SUMMARY_FILE), JSON.writeValueAsString(o));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Prints a line on the console and appends it, time-stamped, to {@code train.log}. */
    void log(String line) {
        String stamped = Instant.now().toString() + "  " + line;
        console.println(line);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(LOG_FILE), stamped + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(LOG_FILE) + ": " + e.getMessage(), e);
        }
    }

    private static byte[] serialize(ComputationGraph graph) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(graph, bytes, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the student: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }
}
