package org.dtkd4j.core.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunDirectoryTest {

    /** @return a metrics.csv row of an epoch with the given test top-1 and top-5, zero elsewhere */
    private static String row(int epoch, double top1, double top5) {
        List<String> cells = new ArrayList<>(Collections.nCopies(EpochMetrics.COLUMNS.size(), "0"));
        cells.set(0, Integer.toString(epoch));
        cells.set(EpochMetrics.COLUMNS.indexOf("test_top1"), Double.toString(top1));
        cells.set(EpochMetrics.COLUMNS.indexOf("test_top5"), Double.toString(top5));
        return String.join(",", cells);
    }

    private static RunDirectory withMetrics(Path dir, String... rows) throws IOException {
        Files.writeString(dir.resolve(Distiller.METRICS_FILE),
                String.join(",", EpochMetrics.COLUMNS) + "\n" + String.join("\n", rows) + "\n");
        return new RunDirectory(dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void resumeKeepsTheRowsOfTheCheckpointsEpochsAndTheirFirstBestEpoch(@TempDir Path dir) throws IOException {
        RunDirectory run = withMetrics(dir, row(1, 0.25, 0.5), row(2, 0.5, 0.75), row(3, 0.5, 0.875),
                row(4, 0.875, 1.0));
        run.loadMetrics(3);
        assertThat(run.bestTop1()).isEqualTo(0.5);
        assertThat(run.bestEpoch()).isEqualTo(2);
        assertThat(run.lastTestAccuracy()).containsExactly(0.5, 0.875);
    }

    @Test
    void resumeRefusesMetricsWithoutARowPerCompletedEpoch(@TempDir Path dir) throws IOException {
        RunDirectory run = withMetrics(dir, row(1, 0.25, 0.5));
        assertThatThrownBy(() -> run.loadMetrics(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Distiller.METRICS_FILE).hasMessageContaining("has 1 rows for the 2 epochs");
    }

    @Test
    void aRunWithoutACompletedEpochHasNoLastAccuracyAndCannotBeResumed(@TempDir Path dir) {
        RunDirectory run = new RunDirectory(dir, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        assertThat(run.bestTop1()).isNaN();
        assertThatThrownBy(run::lastTestAccuracy).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no completed epoch");
        assertThatThrownBy(run::requireResumable).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Distiller.CONFIG_FILE).hasMessageContaining("to resume from");
    }

    @Test
    void logLinesGoToTheConsoleAndAreAppendedTimeStampedToTheLog(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        RunDirectory run = new RunDirectory(dir.resolve("new"), new PrintStream(console, true, StandardCharsets.UTF_8));
        run.log("first");
        run.log("second");
        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("first" + System.lineSeparator() + "second"
                + System.lineSeparator());
        List<String> lines = Files.readAllLines(dir.resolve("new").resolve(Distiller.LOG_FILE));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z  first");
        assertThat(lines.get(1)).endsWith("  second");
    }
}
