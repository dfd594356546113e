package org.dtkd4j.examples.plot;

import org.dtkd4j.core.loss.Term;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The plots of one training run, written next to its {@code metrics.csv} (one row per epoch, header
 * {@link org.dtkd4j.core.engine.EpochMetrics#COLUMNS}):
 * <ul>
 *   <li>{@value #ACCURACY}: train and test top-1 and test top-5 accuracy (%) per epoch;</li>
 *   <li>{@value #LOSSES}: the weighted total loss and each unweighted loss term the run recorded
 *   ({@code L_dtkd}, {@code L_kd}, {@code L_tckd}, {@code L_nckd}, {@code L_ce}) per epoch;</li>
 *   <li>{@value #TEMPERATURES}: the mean student and teacher temperatures per epoch, each in its min–max band over
 *   the epoch's samples, as Figure 3 of Wei &amp; Bai (2024, arXiv:2404.12711); skipped, with a message in
 *   {@link Output#skipped()}, for runs without temperatures (every method but DTKD and DTKD_DKD).</li>
 * </ul>
 * <pre>{@code
 * RunPlots.Output out = RunPlots.write(Path.of("output/DTKD_Final/dtkd,res56,res20"));
 * out.written();   // [.../accuracy.png, .../losses.png, .../temperatures.png]
 * }</pre>
 * PNGs are {@code 960 x 600}, rendered headless ({@code java.awt.headless=true} unless set otherwise).
 */
public final class RunPlots {

    /** File name of the accuracy plot. */
    public static final String ACCURACY = "accuracy.png";
    /** File name of the loss plot. */
    public static final String LOSSES = "losses.png";
    /** File name of the temperature plot. */
    public static final String TEMPERATURES = "temperatures.png";

    private RunPlots() {
    }

    /**
     * What {@link #write} did.
     *
     * @param written the PNG files written
     * @param skipped one message per plot not written, saying why
     */
    public record Output(List<Path> written, List<String> skipped) {
        /** Copies the lists. */
        public Output {
            written = List.copyOf(written);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Writes {@value #ACCURACY}, {@value #LOSSES} and, if the run has temperatures, {@value #TEMPERATURES} into the
     * run directory, replacing older ones.
     *
     * @param runDir a run directory holding {@code metrics.csv}
     * @return the files written and the plots skipped
     * @throws IllegalArgumentException     naming the file and what was found, for a missing or empty
     *                                      {@code metrics.csv}, an unknown header or a malformed row
     * @throws java.io.UncheckedIOException if a PNG cannot be written
     */
    public static Output write(Path runDir) {
        MetricsTable table = MetricsTable.read(runDir);
        String run = runDir.toAbsolutePath().normalize().getFileName().toString();
        double[] epochs = table.column("epoch");
        List<Path> written = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        XYChart accuracy = Charts.chart(run + ": accuracy", "accuracy (%)", Styler.LegendPosition.InsideSE);
        Color blue = Charts.color(0);
        Color orange = Charts.color(1);
        Charts.line(accuracy, "train top-1", epochs, table.column("train_top1"), 100, orange, false);
        Charts.line(accuracy, "test top-1", epochs, table.column("test_top1"), 100, blue, false);
        Charts.line(accuracy, "test top-5", epochs, table.column("test_top5"), 100, blue, true);
        written.add(save(accuracy, runDir.resolve(ACCURACY)));

        XYChart losses = Charts.chart(run + ": training loss (epoch mean)", "loss", Styler.LegendPosition.InsideNE);
        Charts.line(losses, "total (weighted)", epochs, table.column("loss_total"), 1, Color.BLACK, false);
        for (Term term : Term.values()) {
            if (table.has(term.outputName())) {
                Charts.line(losses, term.outputName() + " (unweighted)", epochs, table.column(term.outputName()), 1,
                        Charts.color(term.ordinal()), true);
            }
        }
        written.add(save(losses, runDir.resolve(LOSSES)));

        if (table.has("t_stu_mean") || table.has("t_tea_mean")) {
            XYChart temps = Charts.chart(run + ": dynamic temperatures (mean, min-max band over samples)",
                    "temperature", Styler.LegendPosition.InsideNE);
            Charts.band(temps, "T_stu min-max", epochs, table.column("t_stu_min"), table.column("t_stu_max"), blue);
            Charts.band(temps, "T_tea min-max", epochs, table.column("t_tea_min"), table.column("t_tea_max"), orange);
            Charts.line(temps, "T_stu mean", epochs, table.column("t_stu_mean"), 1, blue, false);
            Charts.line(temps, "T_tea mean", epochs, table.column("t_tea_mean"), 1, orange, false);
            written.add(save(temps, runDir.resolve(TEMPERATURES)));
        } else {
            skipped.add(TEMPERATURES + " not written: " + table.file() + " has no temperatures (t_stu_mean and "
                    + "t_tea_mean are empty; only DTKD and DTKD_DKD runs record them)");
        }
        return new Output(written, skipped);
    }

    private static Path save(XYChart chart, Path png) {
        Charts.save(chart, png);
        return png;
    }
}
