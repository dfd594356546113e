package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.loss.golden.GoldenCase;
import org.dtkd4j.core.loss.golden.GoldenLosses;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Central finite differences of the closed-form losses, for every method, on the golden inputs: this checks the
 * gradients the reference has no numbers for (DTKD+DKD, and the entries where the reference gradient is NaN but
 * the guarded closed form is finite, e.g. where a teacher probability underflows). Cases where DTKD is not
 * differentiable (see {@link #differentiable(GoldenCase)}) are left out.
 */
class ClosedFormGradientTest {

    private static final int EPOCH = 7;
    /** Larger cases cost seconds each here and are covered by the golden gradients. */
    private static final int MAX_ENTRIES = 200;

    @TestFactory
    Stream<DynamicTest> finiteDifferencesOnGoldenInputs() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenLosses.cases()) {
            if (!differentiable(c) || c.n() * c.c() > MAX_ENTRIES) {
                continue;
            }
            for (DistillationConfig config : configs()) {
                tests.add(DynamicTest.dynamicTest(c.name() + " " + config.method(),
                        () -> checkAgainstFiniteDifferences(config, c.student(), c.teacher(), c.targets())));
            }
        }
        assertThat(tests).as("differentiable golden cases of at most %d entries", MAX_ENTRIES).isNotEmpty();
        return tests.stream();
    }

    /**
     * @return false where DTKD is not differentiable in the student logits: ties at a student row's maximum
     *         (all-equal and all-zero rows included), or a student maximum of exactly 0 beside a non-zero teacher
     *         maximum ({@code T_stu = 0}, the boundary of the guard)
     */
    private static boolean differentiable(GoldenCase c) {
        double[] ms = c.studentMax();
        double[] mt = c.teacherMax();
        for (int i = 0; i < ms.length; i++) {
            if (ms[i] == 0 && mt[i] != 0) {
                return false;
            }
        }
        return !c.studentTiesAtMax();
    }

    @Test
    void dtkdDkdWithOddTemperatureAndWeights() {
        double[][] s = {{1.5, -0.25, 3.0, 0.75}, {-2.0, 4.5, 0.5, 1.0}, {0.3, 0.2, -0.1, 2.2}};
        double[][] t = {{0.5, 2.0, 1.25, -1.0}, {3.0, 1.0, -0.5, 0.25}, {1.7, -0.4, 0.9, 0.1}};
        int[] y = {2, 0, 3};
        checkAgainstFiniteDifferences(new DtkdDkdConfig(0.7, 3.0, 2.5, 0.3, 10, false, HazardPolicy.GUARDED), s, t,
                y);
        checkAgainstFiniteDifferences(new DtkdConfig(1.5, 0.5, 3.0, 0.2, 10, false, HazardPolicy.GUARDED), s, t, y);
    }

    private static List<DistillationConfig> configs() {
        return List.of(CeConfig.defaults(), KdConfig.defaults(), DkdConfig.defaults(), DtkdConfig.defaults(),
                DtkdDkdConfig.defaults());
    }

    /** Compares every term's gradient and the total's with central differences of the corresponding value. */
    static void checkAgainstFiniteDifferences(DistillationConfig config, double[][] s, double[][] t, int[] y) {
        LossResult r = DistillationLosses.evaluate(config, s, t, y, EPOCH);
        double minTemperature = 1;
        for (double a : r.studentTemperatures()) {
            minTemperature = Math.min(minTemperature, Math.abs(a));
        }
        double h = 1e-5 * minTemperature;
        List<Term> terms = new ArrayList<>(r.terms().keySet());
        double[][][] numeric = new double[terms.size() + 1][s.length][s[0].length];
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s[i].length; j++) {
                double keep = s[i][j];
                s[i][j] = keep + h;
                LossResult plus = DistillationLosses.evaluate(config, s, t, y, EPOCH);
                s[i][j] = keep - h;
                LossResult minus = DistillationLosses.evaluate(config, s, t, y, EPOCH);
                s[i][j] = keep;
                numeric[0][i][j] = (plus.total() - minus.total()) / (2 * h);
                for (int k = 0; k < terms.size(); k++) {
                    Term term = terms.get(k);
                    numeric[k + 1][i][j] = (plus.term(term).value() - minus.term(term).value()) / (2 * h);
                }
            }
        }
        compare(config + " total", r.gradient(), numeric[0]);
        for (int k = 0; k < terms.size(); k++) {
            compare(config + " " + terms.get(k), r.term(terms.get(k)).gradient(), numeric[k + 1]);
        }
    }

    private static void compare(String what, double[][] analytic, double[][] numeric) {
        double scale = 0;
        for (double[] row : analytic) {
            for (double v : row) {
                assertThat(v).as(what + ": analytic gradient must be finite").isFinite();
                scale = Math.max(scale, Math.abs(v));
            }
        }
        double tol = 1e-9 + 1e-5 * scale;
        for (int i = 0; i < analytic.length; i++) {
            for (int j = 0; j < analytic[i].length; j++) {
                assertThat(analytic[i][j]).as("%s [%d][%d]", what, i, j).isCloseTo(numeric[i][j], offset(tol));
            }
        }
    }
}
