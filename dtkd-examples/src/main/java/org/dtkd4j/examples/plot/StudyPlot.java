package org.dtkd4j.examples.plot;

import org.dtkd4j.examples.study.SeedStatistics;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The plot of a seeded study: test top-1 accuracy per epoch of each method, the mean over its runs (one per seed)
 * as a line in a band of ± one sample standard deviation (no band for a single run):
 * <pre>{@code
 * StudyPlot.write(Map.of("KD", List.of(kdSeed0, kdSeed1), "DTKD", List.of(dtkdSeed0, dtkdSeed1)),
 *         Path.of("study/accuracy.png"));
 * }</pre>
 * The runs of a method are read from their {@code metrics.csv}; epochs that not every run has reached are left out.
 * The PNG is {@code 960 x 600}, rendered headless.
 */
public final class StudyPlot {

    private StudyPlot() {
    }

    /**
     * @param runsByMethod legend label to run directories (each with a {@code metrics.csv}), in legend order; each
     *                     label with at least one run
     * @param png          the PNG to write (parent directories are created)
     * @throws IllegalArgumentException for no labels, a label without runs, or naming the file for a missing or
     *                                  malformed {@code metrics.csv}
     * @throws java.io.UncheckedIOException if the PNG cannot be written
     */
    public static void write(Map<String, List<Path>> runsByMethod, Path png) {
        if (runsByMethod.isEmpty()) {
            throw new IllegalArgumentException("no methods to plot, found an empty map");
        }
        XYChart chart = Charts.chart("test top-1 accuracy, mean ± 1 sd over seeds", "test top-1 (%)",
                Styler.LegendPosition.InsideSE);
        int i = 0;
        for (Map.Entry<String, List<Path>> e : runsByMethod.entrySet()) {
            List<Path> runs = e.getValue();
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("method " + e.getKey() + " has no runs to plot");
            }
            double[][] top1 = runs.stream().map(r -> MetricsTable.read(r).column("test_top1")).toArray(double[][]::new);
            int epochs = IntStream.range(0, top1.length).map(r -> top1[r].length).min().orElseThrow();
            double[] x = new double[epochs];
            double[] mean = new double[epochs];
            double[] low = new double[epochs];
            double[] high = new double[epochs];
            for (int epoch = 0; epoch < epochs; epoch++) {
                int at = epoch;
                double[] values = IntStream.range(0, top1.length).mapToDouble(r -> top1[r][at]).toArray();
                double m = SeedStatistics.mean(values);
                double sd = SeedStatistics.sampleStd(values);
                x[epoch] = epoch + 1;
                mean[epoch] = m;
                low[epoch] = m - sd;
                high[epoch] = m + sd;
            }
            String label = e.getKey() + " (" + runs.size() + (runs.size() == 1 ? " run)" : " runs)");
            if (runs.size() > 1) {
                Charts.band(chart, label + " ± 1 sd", x, scale(low), scale(high), Charts.color(i));
            }
            Charts.line(chart, label, x, mean, 100, Charts.color(i), false);
            i++;
        }
        Charts.save(chart, png);
    }

    private static double[] scale(double[] values) {
        return IntStream.range(0, values.length).mapToDouble(k -> 100 * values[k]).toArray();
    }
}
