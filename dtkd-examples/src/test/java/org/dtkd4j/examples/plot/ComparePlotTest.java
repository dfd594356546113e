package org.dtkd4j.examples.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ComparePlotTest {

    @Test
    void overlaysTheTestAccuracyOfSeveralRuns(@TempDir Path tmp) throws IOException {
        Path kd = tmp.resolve("kd,res56,res20");
        Path dkd = tmp.resolve("dkd,res56,res20");
        Path dtkd = tmp.resolve("a").resolve("dtkd,res56,res20");
        Path dtkdAgain = tmp.resolve("b").resolve("dtkd,res56,res20");
        RunPlotsTest.writeRun(kd, 40, false, 0.66);
        RunPlotsTest.writeRun(dkd, 40, false, 0.69);
        RunPlotsTest.writeRun(dtkd, 40, true, 0.71);
        RunPlotsTest.writeRun(dtkdAgain, 30, true, 0.70);
        Files.writeString(dtkd.resolve("summary.json"), "{\"runDirectory\":\"x\",\"method\":\"DTKD\",\"epochs\":40}");
        Files.writeString(dkd.resolve("config.json"), "{\"loss\":{\"method\":\"DKD\",\"beta\":2.0}}");

        assertThat(ComparePlot.label(dtkd)).isEqualTo("dtkd,res56,res20 (DTKD)");
        assertThat(ComparePlot.label(dkd)).isEqualTo("dkd,res56,res20 (DKD)");
        assertThat(ComparePlot.label(kd)).isEqualTo("kd,res56,res20");

        Path png = tmp.resolve("plots").resolve("compare.png");
        ComparePlot.write(List.of(kd, dkd, dtkd, dtkdAgain), png);
        RunPlotsTest.assertDrawn(png);
    }

    @Test
    void rejectsNoRunsAndBadRunFiles(@TempDir Path tmp) throws IOException {
        Path png = tmp.resolve("compare.png");
        assertThatThrownBy(() -> ComparePlot.write(List.of(), png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no run directories to compare, found an empty list");

        Path run = tmp.resolve("run");
        assertThatThrownBy(() -> ComparePlot.write(List.of(run), png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(run.resolve("metrics.csv") + ": no such file");

        RunPlotsTest.writeRun(run, 5, false, 0.5);
        Files.writeString(run.resolve("summary.json"), "{\"method\": ");
        assertThatThrownBy(() -> ComparePlot.write(List.of(run), png)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(run.resolve("summary.json") + ": not valid JSON: ");
        assertThat(png).doesNotExist();
    }
}
