package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.KdConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** Identities the formulas imply, checked exactly where the arithmetic is identical. */
class LossInvariantsTest {

    private static final Random RANDOM = new Random(42);

    /** Student logits and a teacher whose row maxima equal the student's, so T_stu = T_tea = T. */
    private static double[][][] sameMaxima(int n, int c) {
        double[][] s = new double[n][c];
        double[][] t = new double[n][c];
        for (int i = 0; i < n; i++) {
            double max = 1 + 4 * RANDOM.nextDouble();
            for (int j = 0; j < c; j++) {
                s[i][j] = max - 6 * RANDOM.nextDouble();
                t[i][j] = max - 6 * RANDOM.nextDouble();
            }
            s[i][RANDOM.nextInt(c)] = max;
            t[i][RANDOM.nextInt(c)] = max;
        }
        return new double[][][]{s, t};
    }

    private static int[] targets(int n, int c) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = RANDOM.nextInt(c);
        }
        return y;
    }

    @Test
    void dtkdEqualsKdWhenMaximaAreEqual() {
        double[][][] st = sameMaxima(6, 9);
        int[] y = targets(6, 9);
        LossResult r = DistillationLosses.evaluate(DtkdConfig.defaults(), st[0], st[1], y, 30);
        assertThat(r.studentTemperatures()).containsOnly(4.0);
        assertThat(r.teacherTemperatures()).containsOnly(4.0);
        assertThat(r.term(Term.DTKD).value()).isEqualTo(r.term(Term.KD).value());
        assertThat(r.term(Term.DTKD).perSample()).containsExactly(r.term(Term.KD).perSample());
        LossResult detached = DistillationLosses.evaluate(DtkdConfig.defaults().withDetachTemperatures(true),
                st[0], st[1], y, 30);
        assertThat(detached.term(Term.DTKD).gradient()).isDeepEqualTo(detached.term(Term.KD).gradient());
    }

    @Test
    void temperatureGradientOnlyTouchesTheFirstArgMax() {
        double[][][] st = sameMaxima(5, 7);
        int[] y = targets(5, 7);
        double[][] attached = DistillationLosses.evaluate(DtkdConfig.defaults(), st[0], st[1], y, 30)
                .term(Term.DTKD).gradient();
        double[][] detached = DistillationLosses.evaluate(DtkdConfig.defaults().withDetachTemperatures(true),
                st[0], st[1], y, 30).term(Term.DTKD).gradient();
        for (int i = 0; i < st[0].length; i++) {
            int argMax = RowMath.argMaxFirst(st[0][i]);
            double rowSum = 0;
            for (int j = 0; j < st[0][i].length; j++) {
                rowSum += detached[i][j];
                if (j != argMax) {
                    assertThat(attached[i][j]).isEqualTo(detached[i][j]);
                }
            }
            assertThat(attached[i][argMax]).isNotEqualTo(detached[i][argMax]);
            assertThat(rowSum).as("softmax shift invariance of the detached gradient").isCloseTo(0, offset(1e-15));
        }
    }

    @Test
    void everyDistillationTermIsZeroWhenStudentEqualsTeacher() {
        double[][] s = sameMaxima(4, 6)[0];
        int[] y = targets(4, 6);
        for (DistillationConfig config : List.of(KdConfig.defaults(), DkdConfig.defaults(), DtkdConfig.defaults(),
                DtkdDkdConfig.defaults())) {
            LossResult r = DistillationLosses.evaluate(config, s, s, y, 30);
            r.terms().values().stream().filter(t -> t.term() != Term.CE).forEach(t -> {
                assertThat(t.value()).as(config.method() + " " + t.term()).isEqualTo(0.0);
                for (double[] row : t.gradient()) {
                    assertThat(row).as(config.method() + " " + t.term() + " gradient").containsOnly(0.0);
                }
            });
            assertThat(r.total()).isEqualTo(config.ceWeight() * r.term(Term.CE).value());
        }
    }

    @Test
    void dtkdDkdEqualsDkdWhenMaximaAreEqual() {
        double[][][] st = sameMaxima(6, 8);
        int[] y = targets(6, 8);
        DtkdDkdConfig combined = DtkdDkdConfig.defaults();
        DkdConfig dkd = DkdConfig.defaults();
        LossResult a = DistillationLosses.evaluate(combined, st[0], st[1], y, 12);
        LossResult b = DistillationLosses.evaluate(dkd, st[0], st[1], y, 12);
        assertThat(a.total()).isEqualTo(b.total());
        assertThat(a.term(Term.TCKD).perSample()).containsExactly(b.term(Term.TCKD).perSample());
        assertThat(a.term(Term.NCKD).perSample()).containsExactly(b.term(Term.NCKD).perSample());
        LossResult detached = DistillationLosses.evaluate(combined.withDetachTemperatures(true), st[0], st[1], y,
                12);
        assertThat(detached.gradient()).isDeepEqualTo(b.gradient());
    }

    @Test
    void withTwoClassesNckdVanishesAndTckdEqualsKd() {
        double[][] s = {{1.0, 2.5}, {0.5, -1.0}, {3.0, 2.0}};
        double[][] t = {{2.0, 0.1}, {1.5, 1.0}, {-0.5, 0.5}};
        int[] y = {1, 0, 1};
        LossResult dkd = DistillationLosses.evaluate(DkdConfig.defaults(), s, t, y, 30);
        LossResult kd = DistillationLosses.evaluate(new KdConfig(4, 0, 1), s, t, y, 30);
        assertThat(dkd.term(Term.NCKD).value()).isCloseTo(0.0, offset(1e-12));
        assertThat(dkd.term(Term.TCKD).value()).isCloseTo(kd.term(Term.KD).value(), offset(1e-12));
    }

    @Test
    void warmupScalesOnlyTheDistillationTerms() {
        double[][][] st = sameMaxima(3, 5);
        int[] y = targets(3, 5);
        DtkdConfig config = DtkdConfig.defaults();
        LossResult atZero = DistillationLosses.evaluate(config, st[0], st[1], y, 0);
        LossResult atFive = DistillationLosses.evaluate(config, st[0], st[1], y, 5);
        assertThat(atZero.warmupFactor()).isEqualTo(0.0);
        assertThat(atZero.total()).isEqualTo(atZero.term(Term.CE).value());
        assertThat(atFive.warmupFactor()).isEqualTo(0.25);
        assertThat(atFive.total()).isCloseTo(0.25 * (3 * atFive.term(Term.DTKD).value()
                + atFive.term(Term.KD).value()) + atFive.term(Term.CE).value(), offset(1e-12));
        assertThat(DistillationLosses.evaluate(config, st[0], st[1], y, 400).warmupFactor()).isEqualTo(1.0);
    }

    @Test
    void perSampleTotalsAverageToTheTotal() {
        double[][][] st = sameMaxima(7, 4);
        int[] y = targets(7, 4);
        for (DistillationConfig config : List.of(CeConfig.defaults(), KdConfig.defaults(), DkdConfig.defaults(),
                DtkdConfig.defaults(), DtkdDkdConfig.defaults())) {
            LossResult r = DistillationLosses.evaluate(config, st[0], st[1], y, 9);
            double mean = 0;
            for (double v : r.perSampleTotal()) {
                mean += v / r.perSampleTotal().length;
            }
            assertThat(mean).as(config.method().toString()).isCloseTo(r.total(), offset(1e-12));
        }
    }
}
