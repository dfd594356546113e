package org.dtkd4j.core.loss;

import java.io.Serializable;

/**
 * Summary of the per-sample temperatures of one batch (or of several merged batches), for logs and plots.
 * Temperatures are the ones actually used: on a guarded row both equal the reference temperature.
 *
 * @param rows        number of rows summarised; 0 only for {@link #EMPTY}
 * @param studentMean mean of {@code T_stu}
 * @param studentMin  minimum of {@code T_stu}
 * @param studentMax  maximum of {@code T_stu}
 * @param teacherMean mean of {@code T_tea}
 * @param teacherMin  minimum of {@code T_tea}
 * @param teacherMax  maximum of {@code T_tea}
 * @param guardedRows rows whose temperatures were hazardous and replaced by the reference temperature
 */
public record TemperatureStats(long rows, double studentMean, double studentMin, double studentMax,
                               double teacherMean, double teacherMin, double teacherMax, long guardedRows)
        implements Serializable {

    /** No rows (a loss without temperatures, e.g. cross-entropy only); every statistic is NaN. */
    public static final TemperatureStats EMPTY =
            new TemperatureStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);

    /**
     * @param studentTemperatures {@code [N]} values of {@code T_stu}
     * @param teacherTemperatures {@code [N]} values of {@code T_tea}
     * @param guardedRows         number of guarded rows among them
     * @return the statistics, or {@link #EMPTY} when {@code N = 0}
     */
    public static TemperatureStats of(double[] studentTemperatures, double[] teacherTemperatures, long guardedRows) {
        if (studentTemperatures.length != teacherTemperatures.length) {
            throw new IllegalArgumentException("temperature arrays differ in length: T_stu has "
                    + studentTemperatures.length + ", T_tea has " + teacherTemperatures.length);
        }
        if (studentTemperatures.length == 0) {
            return EMPTY;
        }
        double[] s = summary(studentTemperatures);
        double[] t = summary(teacherTemperatures);
        return new TemperatureStats(studentTemperatures.length, s[0], s[1], s[2], t[0], t[1], t[2], guardedRows);
    }

    /**
     * @param other statistics of other rows
     * @return statistics of the rows of both, means weighted by row counts
     */
    public TemperatureStats merge(TemperatureStats other) {
        if (other.rows == 0) {
            return this;
        }
        if (rows == 0) {
            return other;
        }
        long n = rows + other.rows;
        return new TemperatureStats(n,
                (studentMean * rows + other.studentMean * other.rows) / n,
                Math.min(studentMin, other.studentMin), Math.max(studentMax, other.studentMax),
                (teacherMean * rows + other.teacherMean * other.rows) / n,
                Math.min(teacherMin, other.teacherMin), Math.max(teacherMax, other.teacherMax),
                guardedRows + other.guardedRows);
    }

    /** @return whether no rows are summarised */
    public boolean isEmpty() {
        return rows == 0;
    }

    private static double[] summary(double[] x) {
        double sum = 0;
        double min = x[0];
        double max = x[0];
        for (double v : x) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new double[]{sum / x.length, min, max};
    }
}
