package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The statistics of the bench on fixed inputs: quantiles, the order-statistic interval of a median, paired ratios. */
class StatsTest {

    @Test
    void quantilesInterpolateBetweenOrderStatistics() {
        double[] v = {7, 1, 3, 5, 9};
        Stats.Summary s = Stats.summarize(v);
        assertThat(s.n()).isEqualTo(5);
        assertThat(s.median()).isEqualTo(5);
        assertThat(s.q1()).isEqualTo(3);
        assertThat(s.q3()).isEqualTo(7);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(9);
        assertThat(s.relativeIqr()).isCloseTo(0.8, within(1e-15));
        // R: quantile(c(1,2,3,4), c(.25,.5,.75), type = 7) = 1.75 2.5 3.25
        assertThat(Stats.quantile(new double[]{4, 1, 3, 2}, 0.25)).isEqualTo(1.75);
        assertThat(Stats.median(new double[]{4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Stats.quantile(new double[]{4, 1, 3, 2}, 0.75)).isEqualTo(3.25);
        assertThat(Stats.median(new double[]{42})).isEqualTo(42);
        assertThat(v).containsExactly(7, 1, 3, 5, 9);
    }

    @Test
    void badInputsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> Stats.median(new double[0])).hasMessage("statistics need at least one value, found none");
        assertThatThrownBy(() -> Stats.median(new double[]{1, Double.NaN}))
                .hasMessage("statistics need finite values, found NaN");
        assertThatThrownBy(() -> Stats.quantile(new double[]{1}, 1.5)).hasMessage("a quantile needs p in [0, 1], found 1.5");
        assertThatThrownBy(() -> Stats.pairedRatios(new double[]{1, 2}, new double[]{1}))
                .hasMessage("paired rows need the same rounds, found 2 and 1 values");
        assertThatThrownBy(() -> Stats.pairedRatios(new double[]{1, 2}, new double[]{1, 0}))
                .hasMessage("a ratio needs a positive denominator, found 0.0 in round 2");
    }

    @Test
    void binomialProbabilitiesAreExact() {
        assertThat(Stats.binomialHalf(6, 0)).isCloseTo(1 / 64.0, within(1e-15));
        assertThat(Stats.binomialHalf(6, 3)).isCloseTo(20 / 64.0, within(1e-15));
        double sum = 0;
        for (int k = 0; k <= 200; k++) {
            sum += Stats.binomialHalf(200, k);
        }
        assertThat(sum).isCloseTo(1, within(1e-12));
    }

    /** Tables of the sign-test interval of the median (e.g. Hollander & Wolfe, table A.2): the order statistics k. */
    @Test
    void medianIntervalUsesTheTabulatedOrderStatistics() {
        assertThat(Stats.medianInterval(ascending(5))).as("5 values: coverage 15/16 < 95%").isEmpty();
        assertInterval(6, 1, 1 - 2 / 64.0);
        assertInterval(8, 1, 1 - 2 / 256.0);
        assertInterval(9, 2, 1 - 2 * 10 / 512.0);
        assertInterval(10, 2, 1 - 2 * 11 / 1024.0);
        assertInterval(20, 6, 0.9586105346679688);
        assertInterval(21, 6, 0.9733963012695312);
        // coverage is never below 95%; at 200 values the interval holds 15% of them (normal approximation: 1.96/sqrt(n))
        for (int n = 6; n <= 200; n++) {
            Stats.Interval i = Stats.medianInterval(ascending(n)).orElseThrow();
            assertThat(i.coverage()).as("n=%d", n).isGreaterThanOrEqualTo(Stats.CONFIDENCE);
            if (n == 200) {
                assertThat(new double[]{i.low(), i.high()}).as("n=200: 30 of the 200 values").containsExactly(86, 115);
            }
        }
    }

    private static void assertInterval(int n, int k, double coverage) {
        Stats.Interval i = Stats.medianInterval(shuffled(ascending(n))).orElseThrow();
        assertThat(i.low()).as("n=%d low", n).isEqualTo(k);
        assertThat(i.high()).as("n=%d high", n).isEqualTo(n + 1 - k);
        assertThat(i.coverage()).as("n=%d coverage", n).isCloseTo(coverage, within(1e-12));
    }

    @Test
    void pairedRatiosRemoveWhatARoundShares() {
        // a machine that slows down by 2x in some rounds: both rows slow together, their ratio stays 1.1
        double[] slow = {1, 2, 1, 2, 1, 2, 1, 2};
        double[] a = new double[slow.length];
        double[] b = new double[slow.length];
        for (int r = 0; r < slow.length; r++) {
            a[r] = 110 * slow[r];
            b[r] = 100 * slow[r];
        }
        double[] ratios = Stats.pairedRatios(a, b);
        Optional<Stats.Interval> i = Stats.medianInterval(ratios);
        assertThat(Stats.median(ratios)).isCloseTo(1.1, within(1e-12));
        assertThat(i.orElseThrow().low()).isCloseTo(1.1, within(1e-12));
        assertThat(i.orElseThrow().high()).isCloseTo(1.1, within(1e-12));
        // unpaired, the rows' own spreads overlap completely
        assertThat(Stats.summarize(a).q1()).isLessThan(Stats.summarize(b).q3());
    }

    private static double[] ascending(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }

    private static double[] shuffled(double[] v) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            int j = (int) ((i * 7L + 3) % out.length);
            double t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}
