/**
 * PNG plots of training runs, drawn with XChart from a run directory's {@code metrics.csv} (header
 * {@link org.dtkd4j.core.engine.EpochMetrics#COLUMNS}).
 *
 * <p>{@link org.dtkd4j.examples.plot.RunPlots} writes one run's accuracy, loss and dynamic-temperature plots (the
 * last is Figure 3 of Wei &amp; Bai 2024: the student's and teacher's mean temperatures with their min–max band per
 * epoch); {@link org.dtkd4j.examples.plot.ComparePlot} overlays the test top-1 accuracy of several runs. Rendering
 * is headless. A missing, empty or malformed {@code metrics.csv} gives an {@link java.lang.IllegalArgumentException}
 * naming the file and what was found.
 */
package org.dtkd4j.examples.plot;
