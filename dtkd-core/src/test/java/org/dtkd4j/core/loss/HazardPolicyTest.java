package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.golden.Expectation;
import org.dtkd4j.core.loss.golden.GoldenCase;
import org.dtkd4j.core.loss.golden.GoldenLosses;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * The decided behaviour of each hazard policy (the golden suites check the numbers):
 * <ul>
 *   <li>GUARDED: exactly the DTKD rows whose temperatures are not both finite and positive are guarded (both
 *   temperatures {@code T}, the row's DTKD value and gradient equal its KD ones); every loss value and gradient is
 *   finite.</li>
 *   <li>STRICT: throws on the first such row (DKD: on a non-finite target-class KL), naming the row and the maxima;
 *   else it computes like GUARDED.</li>
 *   <li>OFFICIAL: non-finite exactly where the reference is, down to the gradient entries.</li>
 * </ul>
 * On every golden case flagged {@code "hazard": true}, with what to expect read from the reference's recorded
 * numbers, and on inputs built here with one row of each kind.
 */
class HazardPolicyTest {

    @TestFactory
    Stream<DynamicTest> guardedIsFiniteAndGuardsExactlyTheRowsWithoutPositiveTemperatures() {
        return perHazardCase(c -> {
            double[] refStu = c.outputVector("dtkd", "T_stu");
            double[] refTea = c.outputVector("dtkd", "T_tea");
            boolean[] expected = new boolean[c.n()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = !(refStu[i] > 0 && refTea[i] > 0 && Double.isFinite(refStu[i])
                        && Double.isFinite(refTea[i]));
            }
            LossResult guarded = evaluate(c, Method.DTKD, HazardPolicy.GUARDED);
            assertThat(guarded.guarded()).containsExactly(expected);
            assertGuardedRows(guarded, c.param("dtkd", "T"));
            assertAllFinite(guarded);
            assertAllFinite(evaluate(c, Method.DKD, HazardPolicy.GUARDED));
        });
    }

    @TestFactory
    Stream<DynamicTest> strictThrowsOnTheFirstHazardousRowElseComputesLikeGuarded() {
        return perHazardCase(c -> {
            for (Method method : List.of(Method.DTKD, Method.DKD)) {
                int row = Expectation.strictRow(c, method);
                if (row < 0) {
                    assertAllFinite(evaluate(c, method, HazardPolicy.STRICT));
                    continue;
                }
                var thrown = assertThatThrownBy(() -> evaluate(c, method, HazardPolicy.STRICT))
                        .isInstanceOf(HazardException.class)
                        .hasMessageStartingWith("row " + row + ":")
                        .satisfies(e -> assertThat(((HazardException) e).row()).isEqualTo(row));
                if (method == Method.DTKD) {
                    thrown.hasMessageContainingAll("ms=" + c.studentMax()[row], "mt=" + c.teacherMax()[row],
                            "T_stu=", "T_tea=");
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> officialIsNonFiniteExactlyWhereTheReferenceIs() {
        return perHazardCase(c -> {
            LossResult official = evaluate(c, Method.DTKD, HazardPolicy.OFFICIAL);
            assertThat(official.guardedRows()).isZero();
            assertThat(Double.isFinite(official.total())).as("DTKD total finite")
                    .isEqualTo(Double.isFinite(c.output("dtkd", "loss_total")));
            assertThat(Double.isFinite(official.term(Term.DTKD).value())).as("DTKD term finite")
                    .isEqualTo(Double.isFinite(c.output("dtkd", "loss_ourskd")));
            assertSameNonFiniteEntries("gradient of the DTKD term", official.term(Term.DTKD).gradient(),
                    c.gradient("dtkd", "loss_ourskd"));
            assertSameNonFiniteEntries("gradient of the DTKD total", official.gradient(),
                    c.gradient("dtkd", "loss_total"));
            LossResult dkd = evaluate(c, Method.DKD, HazardPolicy.OFFICIAL);
            assertThat(Double.isFinite(dkd.total())).as("DKD total finite")
                    .isEqualTo(Double.isFinite(c.output("dkd", "loss_total")));
            assertSameNonFiniteEntries("gradient of the DKD total", dkd.gradient(), c.gradient("dkd", "loss_total"));
        });
    }

    /**
     * One row of each kind: ordinary, both maxima negative (positive temperatures: not hazardous), mixed signs (a
     * negative temperature), {@code ms + mt = 0} (infinite temperatures), {@code ms = mt = 0} (0/0), an all-zero
     * student row ({@code T_stu = 0}), and {@code ms + mt ≈ 1e-4} (a tiny negative {@code T_tea}).
     */
    @Test
    void everyKindOfHazardousRowUnderEveryPolicy() {
        double[][] s = {{1.0, 2.5, -0.5}, {-2.0, -3.0, -2.5}, {3.0, 0.5, 1.0}, {2.5, 1.0, -1.0}, {0.0, -1.0, -2.0},
            {0.0, 0.0, 0.0}, {2.5, 0.5, 1.0}};
        double[][] t = {{0.5, 3.0, 1.0}, {-4.0, -3.5, -5.0}, {-1.0, -2.0, -1.5}, {-2.5, -3.0, -4.0},
            {-1.0, 0.0, -0.5}, {1.0, 4.0, 2.0}, {-2.4999, -3.0, -2.6}};
        int[] y = {1, 0, 2, 0, 1, 2, 0};
        boolean[] hazardous = {false, false, true, true, true, true, true};
        DtkdConfig guardedConfig = DtkdConfig.defaults();

        LossResult guarded = DistillationLosses.evaluate(guardedConfig, s, t, y, 30);
        assertThat(guarded.guarded()).containsExactly(hazardous);
        assertThat(guarded.guardedRows()).isEqualTo(5);
        assertGuardedRows(guarded, guardedConfig.temperature());
        assertAllFinite(guarded);

        DtkdConfig strict = withPolicy(guardedConfig, HazardPolicy.STRICT);
        assertThatThrownBy(() -> DistillationLosses.evaluate(strict, s, t, y, 30))
                .isInstanceOf(HazardException.class)
                .hasMessageStartingWith("row 2:").hasMessageContainingAll("ms=3.0", "mt=-1.0");

        LossResult official = DistillationLosses.evaluate(withPolicy(guardedConfig, HazardPolicy.OFFICIAL), s, t, y,
                30);
        double[] perSample = official.term(Term.DTKD).perSample();
        boolean[] finite = {true, true, true, false, false, false, true};
        for (int i = 0; i < s.length; i++) {
            assertThat(Double.isFinite(perSample[i])).as("OFFICIAL row %d finite", i).isEqualTo(finite[i]);
        }
        assertThat(official.total()).isNaN();
        // the rows GUARDED leaves alone compute as the reference does (GUARDED works in log space: last bits differ)
        for (int i : new int[]{0, 1}) {
            assertThat(guarded.term(Term.DTKD).perSample()[i]).isCloseTo(perSample[i], offset(1e-12 * perSample[i]));
        }
    }

    /**
     * DKD's mask leak: a teacher target logit more than {@code 1000·T} above the rest survives the reference's
     * "subtract 1000" suppression, so {@code nckd ≈ 1000·T²}. Every policy reproduces it, as the formula gives it.
     */
    @Test
    void maskLeakIsReproducedUnderEveryPolicy() {
        double[][] s = {{1.0, 0.5, -0.3, 2.0}};
        double[][] t = {{5000.0, 1.0, 2.0, 0.5}};
        int[] y = {0};
        double temperature = DkdConfig.defaults().temperature();
        double expected = temperature * temperature * maskedKl(s[0], t[0], y[0], temperature);
        assertThat(expected / (temperature * temperature)).isGreaterThan(900);
        for (HazardPolicy policy : HazardPolicy.values()) {
            DkdConfig d = DkdConfig.defaults();
            DkdConfig config = new DkdConfig(d.alpha(), d.beta(), d.temperature(), d.ceWeight(), d.warmup(), policy);
            double nckd = DistillationLosses.evaluate(config, s, t, y, 30).term(Term.NCKD).value();
            assertThat(nckd).as(policy.name()).isCloseTo(expected, offset(1e-9 * expected));
        }
    }

    @Test
    void neverASilentNaNOutsideOfficial() {
        double[][] s = {{1e10, -1e10, 0}, {1, 2, 3}};
        double[][] t = {{1, 2, 3}, {3, 2, 1}};
        int[] y = {0, 1};
        assertThatThrownBy(() -> DistillationLosses.evaluate(new KdConfig(1e-300, 0.1, 0.9), s, t, y, 1))
                .isInstanceOf(HazardException.class).hasMessageStartingWith("row 0:")
                .hasMessageContaining("exceed the double range");
    }

    /** @return one test per golden case flagged as a hazard; fails when the fixtures hold none */
    private static Stream<DynamicTest> perHazardCase(Consumer<GoldenCase> check) {
        List<GoldenCase> cases = GoldenLosses.cases().stream().filter(GoldenCase::hazard).toList();
        assertThat(cases).as("cases with \"hazard\": true in %s", GoldenLosses.DIR.resolve("losses.json"))
                .isNotEmpty();
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check.accept(c)));
    }

    /** {@code KL(softmax(t/T − 1000·e_y) ‖ softmax(s/T − 1000·e_y))} in log space, as the reference's nckd. */
    private static double maskedKl(double[] s, double[] t, int y, double temperature) {
        double[] logP = logSoftmaxMasked(t, y, temperature);
        double[] logQ = logSoftmaxMasked(s, y, temperature);
        double kl = 0;
        for (int j = 0; j < s.length; j++) {
            kl += Math.exp(logP[j]) * (logP[j] - logQ[j]);
        }
        return kl;
    }

    private static double[] logSoftmaxMasked(double[] z, int y, double temperature) {
        double[] a = new double[z.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < z.length; j++) {
            a[j] = z[j] / temperature - (j == y ? 1000 : 0);
            max = Math.max(max, a[j]);
        }
        double sum = 0;
        for (double v : a) {
            sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        for (int j = 0; j < a.length; j++) {
            a[j] -= logSum;
        }
        return a;
    }

    private static DtkdConfig withPolicy(DtkdConfig c, HazardPolicy policy) {
        return new DtkdConfig(c.alpha(), c.beta(), c.temperature(), c.ceWeight(), c.warmup(),
                c.detachTemperatures(), policy);
    }

    private static LossResult evaluate(GoldenCase c, Method method, HazardPolicy policy) {
        return DistillationLosses.evaluate(c.config(method, policy), c.student(), c.teacher(), c.targets(),
                c.epoch(method));
    }

    /** A guarded row uses {@code T} for both temperatures, and its DTKD value and gradient are its KD ones. */
    private static void assertGuardedRows(LossResult r, double temperature) {
        for (int i = 0; i < r.guarded().length; i++) {
            if (r.guarded()[i]) {
                assertThat(r.studentTemperatures()[i]).isEqualTo(temperature);
                assertThat(r.teacherTemperatures()[i]).isEqualTo(temperature);
                assertThat(r.term(Term.DTKD).perSample()[i]).isEqualTo(r.term(Term.KD).perSample()[i]);
                assertThat(r.term(Term.DTKD).gradient()[i]).containsExactly(r.term(Term.KD).gradient()[i]);
            }
        }
    }

    private static void assertSameNonFiniteEntries(String what, double[][] got, double[][] reference) {
        for (int i = 0; i < reference.length; i++) {
            for (int j = 0; j < reference[i].length; j++) {
                assertThat(Double.isFinite(got[i][j])).as("%s [%d][%d] finite", what, i, j)
                        .isEqualTo(Double.isFinite(reference[i][j]));
            }
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
