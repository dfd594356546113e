package org.dtkd4j.examples.plot;

import org.dtkd4j.core.engine.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The common look of the plots and PNG writing. Loading this class sets {@code java.awt.headless=true} unless the
 * property is already set, so the plot classes reach AWT only through it.
 */
final class Charts {

    /** Width of every PNG, in pixels. */
    static final int WIDTH = 960;
    /** Height of every PNG, in pixels. */
    static final int HEIGHT = 600;

    // Before any colour below: java.awt.Color's initialiser asks GraphicsEnvironment, which fixes headlessness.
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The series colours, in order of use. */
    private static final Color[] PALETTE = {new Color(0, 114, 189), new Color(217, 83, 25), new Color(119, 172, 48),
        new Color(126, 47, 142), new Color(77, 190, 238), new Color(162, 20, 47), new Color(237, 177, 32)};

    private Charts() {
    }

    /**
     * @param i a series index, from 0
     * @return its colour: blue, orange, green, purple, cyan, red, yellow, then again
     */
    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /**
     * @param title  the chart title
     * @param yTitle the y axis title (x is the epoch)
     * @param legend where the legend goes
     * @return an empty chart of {@link #WIDTH} x {@link #HEIGHT}
     */
    static XYChart chart(String title, String yTitle, Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(yTitle).theme(Styler.ChartTheme.Matlab).build();
        chart.getStyler().setLegendPosition(legend);
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    /**
     * Adds a line of the points whose x and y are both finite; nothing if there are none.
     *
     * @param chart  the chart
     * @param name   the legend entry
     * @param x      the epochs
     * @param y      the values, NaN where absent
     * @param scale  factor applied to {@code y} (100 for accuracies in [0, 1])
     * @param color  the line colour
     * @param dashed whether the line is dashed
     */
    static void line(XYChart chart, String name, double[] x, double[] y, double scale, Color color, boolean dashed) {
        int[] rows = IntStream.range(0, x.length).filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i])).toArray();
        if (rows.length == 0) {
            return;
        }
        XYSeries s = chart.addSeries(name, Arrays.stream(rows).mapToDouble(i -> x[i]).toArray(),
                Arrays.stream(rows).mapToDouble(i -> y[i] * scale).toArray());
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(2f);
        if (dashed) {
            s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {8f, 5f}, 0f));
        }
    }

    /**
     * Adds a translucent band between {@code low} and {@code high} over the rows where all three are finite;
     * nothing if there are none.
     *
     * @param chart the chart
     * @param name  the legend entry
     * @param x     the epochs
     * @param low   the lower edge
     * @param high  the upper edge
     * @param color the band's colour (drawn with alpha)
     */
    static void band(XYChart chart, String name, double[] x, double[] low, double[] high, Color color) {
        int[] rows = IntStream.range(0, x.length)
                .filter(i -> Double.isFinite(x[i]) && Double.isFinite(low[i]) && Double.isFinite(high[i])).toArray();
        if (rows.length == 0) {
            return;
        }
        int n = rows.length;
        double[] px = new double[2 * n];
        double[] py = new double[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = x[rows[i]];
            py[i] = high[rows[i]];
            px[2 * n - 1 - i] = x[rows[i]];
            py[2 * n - 1 - i] = low[rows[i]];
        }
        XYSeries s = chart.addSeries(name, px, py);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        s.setMarker(SeriesMarkers.NONE);
        Color translucent = new Color(color.getRed(), color.getGreen(), color.getBlue(), 60);
        s.setFillColor(translucent);
        s.setLineColor(translucent);
        s.setLineWidth(0.5f);
    }

    /**
     * Writes the chart as a PNG, atomically, creating parent directories.
     *
     * @param chart the chart
     * @param png   the file
     * @throws java.io.UncheckedIOException naming the file if writing fails
     */
    static void save(XYChart chart, Path png) {
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
