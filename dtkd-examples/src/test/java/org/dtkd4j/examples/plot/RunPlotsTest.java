package org.dtkd4j.examples.plot;

import org.dtkd4j.core.engine.EpochMetrics;
import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.loss.Term;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunPlotsTest {

    private static final String HEADER = String.join(",", EpochMetrics.COLUMNS);

    /**
     * Writes a plausible metrics.csv with the engine's own row format: accuracy rising, losses falling, and (with
     * {@code temperatures}) DTKD terms and temperatures whose band narrows as the student catches up.
     */
    static void writeRun(Path dir, int epochs, boolean temperatures, double finalTop1) throws IOException {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        for (int e = 1; e <= epochs; e++) {
            double p = (double) e / epochs;
            Map<Term, Double> terms = new EnumMap<>(Term.class);
            terms.put(Term.CE, 3.5 * Math.exp(-3 * p) + 0.3);
            if (temperatures) {
                terms.put(Term.DTKD, 2.0 * Math.exp(-2 * p) + 0.4);
                terms.put(Term.KD, 1.5 * Math.exp(-2 * p) + 0.3);
            } else {
                terms.put(Term.TCKD, 0.4 * Math.exp(-2 * p) + 0.05);
                terms.put(Term.NCKD, 1.2 * Math.exp(-2 * p) + 0.2);
            }
            TemperatureStats t = temperatures
                    ? new TemperatureStats(1000, 3.2 + 0.6 * p, 1.5 + p, 5.0 - 0.5 * p, 4.8 - 0.6 * p, 3.0 + 0.5 * p,
                    6.5 - p, 0)
                    : TemperatureStats.EMPTY;
            double warmup = Math.min(e / 20.0, 1);
            double total = terms.values().stream().mapToDouble(Double::doubleValue).sum();
            EpochMetrics row = new EpochMetrics(e, 0.05, warmup, total, terms, finalTop1 * (1 - Math.exp(-4 * p)) + 0.05,
                    finalTop1 * (1 - Math.exp(-5 * p)), Math.min(1, finalTop1 * (1 - Math.exp(-5 * p)) + 0.2), t,
                    12.5, 4000);
            lines.add(row.toCsv());
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("metrics.csv"), lines);
    }

    /** Asserts a readable PNG of the standard size with a real drawing on it: many colours, many coloured pixels. */
    static void assertDrawn(Path png) throws IOException {
        assertThat(png).isRegularFile();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as(png.toString()).isNotNull();
        assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
        Set<Integer> colours = new HashSet<>();
        int saturated = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                colours.add(rgb & 0xFFFFFF);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) {
                    saturated++;
                }
            }
        }
        assertThat(colours.size()).as(png + " distinct colours").isGreaterThan(20);
        assertThat(saturated).as(png + " pixels of coloured series").isGreaterThan(500);
    }

    @Test
    void writesAccuracyLossAndTemperaturePlotsOfADtkdRun(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("dtkd,res56,res20");
        writeRun(run, 40, true, 0.71);
        RunPlots.Output out = RunPlots.write(run);
        assertThat(out.written()).containsExactly(run.resolve(RunPlots.ACCURACY), run.resolve(RunPlots.LOSSES),
                run.resolve(RunPlots.TEMPERATURES));
        assertThat(out.skipped()).isEmpty();
        for (Path png : out.written()) {
            assertDrawn(png);
        }
        // written again over the old files
        assertThat(RunPlots.write(run).written()).hasSize(3);
    }

    @Test
    void skipsTheTemperaturePlotOfARunWithoutTemperatures(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("dkd");
        writeRun(run, 12, false, 0.7);
        RunPlots.Output out = RunPlots.write(run);
        assertThat(out.written()).containsExactly(run.resolve(RunPlots.ACCURACY), run.resolve(RunPlots.LOSSES));
        assertThat(out.skipped()).containsExactly("temperatures.png not written: " + run.resolve("metrics.csv")
                + " has no temperatures (t_stu_mean and t_tea_mean are empty; only DTKD and DTKD_DKD runs record "
                + "them)");
        assertThat(run.resolve(RunPlots.TEMPERATURES)).doesNotExist();
        assertDrawn(run.resolve(RunPlots.LOSSES));
    }

    @Test
    void badMetricsFilesAreRejectedNamingTheFileAndWhatWasFound(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Path csv = run.resolve("metrics.csv");
        assertThatThrownBy(() -> RunPlots.write(run)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(csv + ": no such file (is " + run + " a run directory?)");

        Files.createDirectories(run);
        Files.writeString(csv, "\n\n");
        assertThatThrownBy(() -> RunPlots.write(run)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(csv + ": empty file, expected the header " + HEADER + " and one row per epoch");

        Files.writeString(csv, HEADER + "\n");
        assertThatThrownBy(() -> RunPlots.write(run)).hasMessageStartingWith(csv + ": no rows after the header [epoch, ");

        Files.writeString(csv, "epoch,acc\n1,0.5\n");
        assertThatThrownBy(() -> RunPlots.write(run)).hasMessageStartingWith(
                csv + ": unknown column 'acc' in header [epoch, acc]; known columns: [epoch, lr,");

        Files.writeString(csv, "epoch,loss_total,train_top1,test_top1\n1,2,0.1,0.1\n");
        assertThatThrownBy(() -> RunPlots.write(run)).hasMessage(csv
                + ": missing column 'test_top5' in header [epoch, loss_total, train_top1, test_top1]");

        Files.writeString(csv, "epoch,epoch\n1,1\n");
        assertThatThrownBy(() -> RunPlots.write(run)).hasMessage(csv + ": column 'epoch' appears twice in header "
                + "[epoch, epoch]");

        String h = "epoch,loss_total,train_top1,test_top1,test_top5";
        Files.writeString(csv, h + "\n1,2,0.1,0.1,0.3\n2,1.5,0.2,x,0.4\n");
        assertThatThrownBy(() -> RunPlots.write(run))
                .hasMessage(csv + ": line 3, column test_top1: not a number, found 'x'");

        Files.writeString(csv, h + "\n1,2,0.1,0.1\n");
        assertThatThrownBy(() -> RunPlots.write(run)).hasMessage(csv + ": line 2 has 4 cells, expected 5 as the header");

        Files.writeString(csv, h + "\n1,2,0.1,,0.3\n");
        assertThatThrownBy(() -> RunPlots.write(run))
                .hasMessage(csv + ": line 2, column test_top1: empty, expected a number");

        // the minimal header (no optional column) is enough
        Files.writeString(csv, h + "\n1,2,0.1,0.1,0.3\n2,1.5,0.2,0.25,0.5\n\n");
        assertThat(RunPlots.write(run).written()).hasSize(2);
    }
}
