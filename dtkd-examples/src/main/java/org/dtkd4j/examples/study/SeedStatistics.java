package org.dtkd4j.examples.study;

import java.util.Arrays;

/**
 * The statistics of a seeded study: mean and sample standard deviation over seeds, and the 95% Student-t interval of
 * a paired difference.
 *
 * <p>Paired difference of methods {@code A} and {@code B} over {@code n} seeds: {@code d_s = a_s - b_s} per seed
 * (same seed: same initial weights and data order, so the pairing removes the seed's own effect), mean
 * {@code d̄ = Σ d_s / n}, sample standard deviation {@code s_d = sqrt(Σ (d_s - d̄)² / (n - 1))}, and the interval
 * <pre>
 *   d̄ ± t(0.975, n - 1) · s_d / √n
 * </pre>
 * which covers the true mean difference in 95% of studies if the per-seed differences are independent and normal
 * (Student 1908; e.g. Montgomery &amp; Runger, <i>Applied Statistics and Probability for Engineers</i>, §10-4, paired
 * t). With 3 seeds {@code t(0.975, 2) = 4.303}: the interval is wide, and an interval that holds 0 means the study
 * cannot tell the methods apart.
 *
 * <p>The quantile is computed exactly from the closed form of the Student-t distribution for integer degrees of
 * freedom ν (Abramowitz &amp; Stegun 26.7.3–26.7.4): with {@code θ = atan(t / √ν)},
 * {@code P(|T| ≤ t) = (2/π)(θ + sin θ cos θ (1 + (2/3) cos²θ + ... + (2·4···(ν-3))/(1·3···(ν-2)) cos^(ν-3) θ))}
 * for odd ν ({@code 2θ/π} for ν = 1), and {@code sin θ (1 + (1/2) cos²θ + ... + (1·3···(ν-3))/(2·4···(ν-2))
 * cos^(ν-2) θ)} for even ν, inverted by bisection to double precision.
 */
public final class SeedStatistics {

    private SeedStatistics() {
    }

    /**
     * A paired difference and its interval.
     *
     * @param mean the mean difference {@code d̄}
     * @param low  the lower end of the 95% interval, NaN with fewer than 2 pairs
     * @param high the upper end of the 95% interval, NaN with fewer than 2 pairs
     * @param n    the number of pairs
     */
    public record Interval(double mean, double low, double high, int n) {
        /** @return whether the interval exists (2 pairs or more) */
        public boolean hasInterval() {
            return n >= 2;
        }
    }

    /**
     * @param values at least one value
     * @return their arithmetic mean
     * @throws IllegalArgumentException for an empty array
     */
    public static double mean(double[] values) {
        requireValues(values, 1);
        return Arrays.stream(values).sum() / values.length;
    }

    /**
     * @param values the values
     * @return their sample standard deviation {@code sqrt(Σ (x - x̄)² / (n - 1))}, NaN for fewer than 2 values
     */
    public static double sampleStd(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    /**
     * The paired difference {@code a - b} with its 95% t-interval (see the class comment).
     *
     * @param a one value per seed
     * @param b one value per seed, same seeds in the same order
     * @return the mean difference and its interval (no interval for one pair)
     * @throws IllegalArgumentException if the arrays are empty or differ in length
     */
    public static Interval pairedDifference(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values need one value per seed on each side, found " + a.length
                    + " and " + b.length);
        }
        requireValues(a, 1);
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        double mean = mean(d);
        if (d.length < 2) {
            return new Interval(mean, Double.NaN, Double.NaN, d.length);
        }
        double half = tQuantile975(d.length - 1) * sampleStd(d) / Math.sqrt(d.length);
        return new Interval(mean, mean - half, mean + half, d.length);
    }

    /**
     * The 97.5% quantile of Student's t distribution, the half-width factor of a two-sided 95% interval.
     *
     * @param degreesOfFreedom ν, at least 1
     * @return {@code t} with {@code P(T ≤ t) = 0.975}, e.g. 12.706 for ν = 1, 4.303 for ν = 2, 1.960 in the limit
     * @throws IllegalArgumentException if {@code degreesOfFreedom < 1}
     */
    public static double tQuantile975(int degreesOfFreedom) {
        if (degreesOfFreedom < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, found " + degreesOfFreedom);
        }
        double low = 0;
        double high = 64;
        while (centralProbability(high, degreesOfFreedom) < 0.95) {
            high *= 2;
        }
        for (int i = 0; i < 200 && high - low > 1e-15 * high; i++) {
            double mid = 0.5 * (low + high);
            if (centralProbability(mid, degreesOfFreedom) < 0.95) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return 0.5 * (low + high);
    }

    /** {@code P(|T| ≤ t)} for Student's t with integer ν, Abramowitz &amp; Stegun 26.7.3–26.7.4. */
    static double centralProbability(double t, int nu) {
        double theta = Math.atan(t / Math.sqrt(nu));
        double sin = Math.sin(theta);
        double cos2 = Math.cos(theta) * Math.cos(theta);
        if (nu % 2 == 1) {
            double sum = 0;
            double term = 1;
            for (int k = 1; k <= nu - 2; k += 2) {
                sum += term;
                term *= cos2 * (k + 1) / (k + 2);
            }
            return 2 / Math.PI * (theta + sin * Math.cos(theta) * sum);
        }
        double sum = 0;
        double term = 1;
        for (int k = 1; k <= nu - 1; k += 2) {
            sum += term;
            term *= cos2 * k / (k + 1);
        }
        return sin * sum;
    }

    private static void requireValues(double[] values, int min) {
        if (values.length < min) {
            throw new IllegalArgumentException("need at least " + min + " value(s), found " + values.length);
        }
    }
}
