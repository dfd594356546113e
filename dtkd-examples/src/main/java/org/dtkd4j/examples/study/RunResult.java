package org.dtkd4j.examples.study;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.examples.plot.MetricsTable;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.DoubleStream;

/**
 * What one run of a study scored, read from its {@code metrics.csv}.
 *
 * @param method   the run's method
 * @param seed     the run's seed
 * @param testTop1 test top-1 after each epoch, in [0, 1], epoch 1 first
 * @param tStuMean the student temperature averaged over the epochs' {@code t_stu_mean} (each the mean over the
 *                 epoch's training samples, so this is the mean over every training sample of the run), NaN for a
 *                 method without temperatures
 * @param tTeaMean the teacher temperature, averaged as {@code tStuMean}
 */
public record RunResult(Method method, long seed, double[] testTop1, double tStuMean, double tTeaMean) {

    /**
     * Copies the accuracies.
     *
     * @throws IllegalArgumentException if there are none
     */
    public RunResult {
        if (testTop1.length == 0) {
            throw new IllegalArgumentException(method + " seed " + seed + ": no epoch, found 0 accuracies");
        }
        testTop1 = testTop1.clone();
    }

    /**
     * Reads a run directory's {@code metrics.csv}.
     *
     * @param runDir the run directory
     * @param method the run's method
     * @param seed   the run's seed
     * @return its result
     * @throws IllegalArgumentException naming the file, for a missing or malformed {@code metrics.csv}
     */
    public static RunResult read(Path runDir, Method method, long seed) {
        MetricsTable table = MetricsTable.read(runDir);
        return new RunResult(method, seed, table.column("test_top1"), meanOf(table, "t_stu_mean"),
                meanOf(table, "t_tea_mean"));
    }

    private static double meanOf(MetricsTable table, String column) {
        return table.has(column) ? DoubleStream.of(table.column(column)).average().orElseThrow() : Double.NaN;
    }

    /** @return the best test top-1 over the epochs (what the reference reports) */
    public double bestTop1() {
        return Arrays.stream(testTop1).max().orElseThrow();
    }

    /** @return the epoch of {@link #bestTop1()}, the first one if tied (from 1) */
    public int bestEpoch() {
        double best = bestTop1();
        for (int i = 0; ; i++) {
            if (testTop1[i] == best) {
                return i + 1;
            }
        }
    }

    /** @return the test top-1 after the last epoch */
    public double lastTop1() {
        return testTop1[testTop1.length - 1];
    }

    /** @return the accuracies per epoch (a copy) */
    @Override
    public double[] testTop1() {
        return testTop1.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunResult r && method == r.method && seed == r.seed && Arrays.equals(testTop1, r.testTop1)
                && Double.compare(tStuMean, r.tStuMean) == 0 && Double.compare(tTeaMean, r.tTeaMean) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * method.hashCode() + Long.hashCode(seed)) + Arrays.hashCode(testTop1);
    }

    @Override
    public String toString() {
        return "RunResult[" + method + " seed " + seed + ", test top-1 " + Arrays.toString(testTop1) + ", T_stu "
                + tStuMean + ", T_tea " + tTeaMean + "]";
    }
}
