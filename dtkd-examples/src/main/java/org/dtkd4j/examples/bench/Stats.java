package org.dtkd4j.examples.bench;

import java.util.Arrays;
import java.util.Optional;

/**
 * The statistics of {@code dtkd bench}, on plain arrays, without randomness (the same timings give the same verdicts).
 *
 * <ul>
 *   <li>{@link #summarize}: median, quartiles (linear interpolation between order statistics, R's type 7), minimum
 *   and maximum.</li>
 *   <li>{@link #medianInterval}: the distribution-free 95% confidence interval of a median from order statistics:
 *   for {@code n} values sorted {@code x(1) <= ... <= x(n)}, the interval {@code [x(k), x(n+1-k)]} with the largest
 *   {@code k} such that {@code P(Binomial(n, 1/2) <= k-1) <= 2.5%}; it covers the true median with probability
 *   {@code 1 - 2·P(Binomial(n, 1/2) <= k-1) >= 95%} whatever the distribution, for independent values (Hollander &amp;
 *   Wolfe, <i>Nonparametric Statistical Methods</i>, §3.6). Fewer than 6 values give no 95% interval.</li>
 *   <li>{@link #pairedRatios}: the ratio of two rows measured in the same rounds, round by round; the ratio of the
 *   rows is the median of these, its interval {@link #medianInterval} of them. Pairing removes what a round shares
 *   (a slow phase of the machine hits both rows of the round).</li>
 * </ul>
 */
public final class Stats {

    /** The confidence of {@link #medianInterval}, at least. */
    public static final double CONFIDENCE = 0.95;
    /** The fewest values with a {@link #CONFIDENCE} interval of their median. */
    public static final int MIN_VALUES_FOR_INTERVAL = 6;

    private Stats() {
    }

    /**
     * Median, quartiles and range of values.
     *
     * @param n      how many values
     * @param median the median
     * @param q1     the first quartile
     * @param q3     the third quartile
     * @param min    the smallest value
     * @param max    the largest value
     */
    public record Summary(int n, double median, double q1, double q3, double min, double max) {
        /** @return the interquartile range relative to the median, e.g. 0.04 for quartiles 4% of the median apart */
        public double relativeIqr() {
            return (q3 - q1) / median;
        }
    }

    /**
     * An interval of a median.
     *
     * @param low      lower end
     * @param high     upper end
     * @param coverage the probability that it covers the true median (at least {@link #CONFIDENCE})
     */
    public record Interval(double low, double high, double coverage) {
    }

    /**
     * @param values at least one finite value
     * @return median, quartiles, minimum and maximum
     * @throws IllegalArgumentException if there is no value or a value is not finite
     */
    public static Summary summarize(double[] values) {
        double[] v = sorted(values);
        return new Summary(v.length, quantileOfSorted(v, 0.5), quantileOfSorted(v, 0.25), quantileOfSorted(v, 0.75),
                v[0], v[v.length - 1]);
    }

    /**
     * @param values at least one finite value
     * @param p      probability in [0, 1]
     * @return the {@code p}-quantile, interpolating linearly between order statistics (R's type 7: position
     *     {@code 1 + p·(n-1)})
     */
    public static double quantile(double[] values, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a quantile needs p in [0, 1], found " + p);
        }
        return quantileOfSorted(sorted(values), p);
    }

    /**
     * @param values at least one finite value
     * @return the median (the mean of the middle two for an even count)
     */
    public static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /**
     * The distribution-free interval of the median (see the class documentation).
     *
     * @param values finite values
     * @return the interval, or empty for fewer than {@link #MIN_VALUES_FOR_INTERVAL} values
     */
    public static Optional<Interval> medianInterval(double[] values) {
        double[] v = sorted(values);
        int n = v.length;
        // k: the largest with P(B <= k-1) <= (1 - CONFIDENCE) / 2, B ~ Binomial(n, 1/2)
        int k = 0;
        double below = 0;
        while (k < n) {
            double next = below + binomialHalf(n, k);
            if (next > (1 - CONFIDENCE) / 2) {
                break;
            }
            below = next;
            k++;
        }
        if (k == 0) {
            return Optional.empty();
        }
        return Optional.of(new Interval(v[k - 1], v[n - k], 1 - 2 * below));
    }

    /**
     * @param numerator   per-round values of one row
     * @param denominator per-round values of the other row, measured in the same rounds
     * @return {@code numerator[r] / denominator[r]} for every round {@code r}
     */
    public static double[] pairedRatios(double[] numerator, double[] denominator) {
        if (numerator.length != denominator.length) {
            throw new IllegalArgumentException("paired rows need the same rounds, found " + numerator.length + " and "
                    + denominator.length + " values");
        }
        double[] r = new double[numerator.length];
        for (int i = 0; i < r.length; i++) {
            if (!(denominator[i] > 0)) {
                throw new IllegalArgumentException("a ratio needs a positive denominator, found " + denominator[i]
                        + " in round " + (i + 1));
            }
            r[i] = numerator[i] / denominator[i];
        }
        return r;
    }

    /** @return {@code P(B = k)} for {@code B ~ Binomial(n, 1/2)}, through logarithms (no overflow for large n) */
    static double binomialHalf(int n, int k) {
        double logChoose = 0;
        for (int i = 1; i <= k; i++) {
            logChoose += Math.log(n - k + i) - Math.log(i);
        }
        return Math.exp(logChoose - n * Math.log(2));
    }

    private static double quantileOfSorted(double[] v, double p) {
        double pos = p * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    private static double[] sorted(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("statistics need at least one value, found none");
        }
        for (double x : values) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("statistics need finite values, found " + x);
            }
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v;
    }
}
