package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.golden.GoldenCase;
import org.dtkd4j.core.loss.golden.GoldenLosses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * The decided behaviour of each {@code hazard_*} case under each policy (the golden suites check the numbers):
 * <ul>
 *   <li>GUARDED: how many DTKD rows are guarded; every loss value and gradient is finite.</li>
 *   <li>STRICT: the row DTKD (and DKD) rejects, or -1 when it computes like GUARDED.</li>
 *   <li>OFFICIAL: whether the DTKD loss and its gradient are finite, and whether DKD's loss is.</li>
 * </ul>
 */
class HazardPolicyTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // case,                                   guarded, strict DTKD, strict DKD, official: DTKD loss, DTKD grad, DKD loss
        "hazard_negative_max_both_n2_c10,          0,       -1,          -1,         finite,   finite,   finite",
        "hazard_mixed_sign_max_n2_c10,             2,        0,          -1,         finite,   finite,   finite",
        "hazard_sum_of_max_zero_n1_c10,            1,        0,          -1,         nonfinite, nonfinite, finite",
        "hazard_sum_of_max_near_zero_n2_c10,       1,        0,          -1,         finite,   finite,   finite",
        "hazard_zero_max_both_n1_c10,              1,        0,          -1,         nonfinite, nonfinite, finite",
        "hazard_student_row_all_zero_n2_c10,       1,        1,          -1,         nonfinite, nonfinite, finite",
        "hazard_one_bad_row_epoch0_n8_c10,         1,        3,          -1,         nonfinite, nonfinite, finite",
        "hazard_teacher_softmax_underflow_n2_c10,  0,       -1,          -1,         finite,   nonfinite, finite",
        "hazard_dkd_mask_leak_n1_c10,              0,       -1,          -1,         finite,   finite,   finite",
        "hazard_dkd_log_zero_n1_c10,               0,       -1,           0,         finite,   nonfinite, nonfinite",
    })
    void decidedBehaviour(String name, int guardedRows, int strictDtkdRow, int strictDkdRow, String officialDtkd,
                          String officialDtkdGradient, String officialDkd) {
        GoldenCase c = GoldenLosses.byName(name);
        assertThat(c.hazard()).isTrue();

        LossResult guarded = evaluate(c, Method.DTKD, HazardPolicy.GUARDED);
        assertThat(guarded.guardedRows()).isEqualTo(guardedRows);
        assertAllFinite(guarded);
        assertAllFinite(evaluate(c, Method.DKD, HazardPolicy.GUARDED));
        for (int i = 0; i < c.n(); i++) {
            if (guarded.guarded()[i]) {
                assertThat(guarded.studentTemperatures()[i]).isEqualTo(c.param("dtkd", "T"));
                assertThat(guarded.teacherTemperatures()[i]).isEqualTo(c.param("dtkd", "T"));
                assertThat(guarded.term(Term.DTKD).perSample()[i]).isEqualTo(guarded.term(Term.KD).perSample()[i]);
                assertThat(guarded.term(Term.DTKD).gradient()[i]).containsExactly(guarded.term(Term.KD).gradient()[i]);
            }
        }

        strict(c, Method.DTKD, strictDtkdRow);
        strict(c, Method.DKD, strictDkdRow);

        LossResult official = evaluate(c, Method.DTKD, HazardPolicy.OFFICIAL);
        assertThat(official.guardedRows()).isZero();
        assertThat(Double.isFinite(official.total())).isEqualTo(officialDtkd.equals("finite"));
        assertThat(allFinite(official.gradient())).isEqualTo(officialDtkdGradient.equals("finite"));
        assertThat(Double.isFinite(evaluate(c, Method.DKD, HazardPolicy.OFFICIAL).total()))
                .isEqualTo(officialDkd.equals("finite"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hazard_teacher_softmax_underflow_n2_c10, 0, 6", "hazard_dkd_log_zero_n1_c10, 0, 9"})
    void officialGradientIsNaNOnlyAtTheStudentArgMax(String name, int row, int column) {
        GoldenCase c = GoldenLosses.byName(name);
        double[][] g = evaluate(c, Method.DTKD, HazardPolicy.OFFICIAL).term(Term.DTKD).gradient();
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < g[i].length; j++) {
                assertThat(Double.isNaN(g[i][j])).as("[%d][%d]", i, j).isEqualTo(i == row && j == column);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"hazard_mixed_sign_max_n2_c10, 0, 3.0, -1.0", "hazard_student_row_all_zero_n2_c10, 1, 0.0, 4.927205"})
    void strictNamesTheRowAndTheMaxima(String name, int row, double ms, double mt) {
        GoldenCase c = GoldenLosses.byName(name);
        assertThatThrownBy(() -> evaluate(c, Method.DTKD, HazardPolicy.STRICT))
                .isInstanceOf(HazardException.class)
                .hasMessageContainingAll("row " + row, "ms=" + ms, "mt=" + mt, "T_stu=", "T_tea=");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource("hazard_dkd_mask_leak_n1_c10")
    void maskLeakIsReproducedUnderEveryPolicy(String name) {
        GoldenCase c = GoldenLosses.byName(name);
        double temperature = c.param("dkd", "T");
        for (HazardPolicy policy : HazardPolicy.values()) {
            double nckd = evaluate(c, Method.DKD, policy).term(Term.NCKD).value();
            assertThat(nckd).isCloseTo(c.output("dkd", "nckd"), offset(1e-9 * nckd));
            assertThat(nckd / (temperature * temperature)).isGreaterThan(900);
        }
    }

    @org.junit.jupiter.api.Test
    void neverASilentNaNOutsideOfficial() {
        double[][] s = {{1e10, -1e10, 0}, {1, 2, 3}};
        double[][] t = {{1, 2, 3}, {3, 2, 1}};
        int[] y = {0, 1};
        assertThatThrownBy(() -> DistillationLosses.evaluate(new KdConfig(1e-300, 0.1, 0.9), s, t, y, 1))
                .isInstanceOf(HazardException.class).hasMessageStartingWith("row 0:")
                .hasMessageContaining("exceed the double range");
    }

    private static LossResult evaluate(GoldenCase c, Method method, HazardPolicy policy) {
        return DistillationLosses.evaluate(c.config(method, policy), c.student(), c.teacher(), c.targets(),
                c.epoch(method));
    }

    private static void strict(GoldenCase c, Method method, int row) {
        if (row < 0) {
            assertAllFinite(evaluate(c, method, HazardPolicy.STRICT));
        } else {
            assertThatThrownBy(() -> evaluate(c, method, HazardPolicy.STRICT))
                    .isInstanceOf(HazardException.class)
                    .hasMessageStartingWith("row " + row + ":")
                    .satisfies(e -> assertThat(((HazardException) e).row()).isEqualTo(row));
        }
    }

    private static void assertAllFinite(LossResult r) {
        assertThat(r.total()).isFinite();
        assertThat(allFinite(r.gradient())).as(r.method() + " gradient finite").isTrue();
        for (TermResult t : r.terms().values()) {
            assertThat(t.value()).as(r.method() + " " + t.term()).isFinite();
            assertThat(allFinite(t.gradient())).as(r.method() + " " + t.term() + " gradient finite").isTrue();
        }
    }

    private static boolean allFinite(double[][] g) {
        for (double[] row : g) {
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }
}
