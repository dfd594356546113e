package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.NormKdConfig;
import org.dtkd4j.core.config.NormKdDkdConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * NormKD's constant rows ({@code std = 0}, so {@code T = T_norm·std = 0}) under each hazard policy, against the
 * documented GUARDED values: a constant student row gets {@code T_stu = T_norm} (a uniform softmax) and the term
 * {@code T_tea²·KL(p ‖ uniform)}, a constant teacher row the term 0, both without distillation gradient.
 */
class NormKdConstantRowsTest {

    private static final double[][] S = {{1.5, 1.5, 1.5, 1.5}, {0.3, -1.2, 2.0, 0.4}, {0.9, 0.1, -0.4, 1.1}};
    private static final double[][] T = {{2.0, -1.0, 0.5, 0.0}, {-3.5, -3.5, -3.5, -3.5}, {1.0, 0.2, -2.0, 3.0}};
    private static final int[] Y = {0, 2, 3};

    @Test
    void guardedRowsTakeTheLimitOfAUniformSoftmaxAndHaveNoDistillationGradient() {
        NormKdConfig config = new NormKdConfig(2.0, 0.1, 0.9, HazardPolicy.GUARDED);
        LossResult r = DistillationLosses.evaluate(config, S, T, Y, 1);
        TermResult kd = r.term(Term.KD);
        double tTea = 2.0 * std(T[0]);
        double[] p = softmax(T[0], tTea);
        double kl = 0;
        for (double v : p) {
            kl += v * Math.log(v * p.length);
        }
        assertThat(kd.perSample()[0]).isCloseTo(tTea * tTea * kl, within(1e-12));
        assertThat(kd.perSample()[1]).isZero();
        assertThat(kd.perSample()[2]).isPositive();
        assertThat(kd.gradient()[0]).containsOnly(0.0);
        assertThat(kd.gradient()[1]).containsOnly(0.0);
        assertThat(Arrays.stream(kd.gradient()[2]).map(Math::abs).max().orElseThrow()).isPositive();
        assertThat(r.studentTemperatures()[0]).isEqualTo(2.0);
        assertThat(r.teacherTemperatures()[1]).isEqualTo(2.0);
        assertThat(r.guarded()).containsExactly(true, true, false);
        assertThat(r.guardedRows()).isEqualTo(2);
        assertThat(r.total()).isFinite();
    }

    @Test
    void officialRowsAreNotANumberAndStrictNamesTheRow() {
        LossResult r = DistillationLosses.evaluate(new NormKdDkdConfig(2, 4, 5, 1, 20, HazardPolicy.OFFICIAL), S, T,
                Y, 30);
        assertThat(r.perSampleTotal()[0]).isNaN();
        assertThat(r.perSampleTotal()[1]).isNaN();
        assertThat(r.perSampleTotal()[2]).isFinite();
        assertThat(Arrays.stream(r.gradient()[2]).allMatch(Double::isFinite)).isTrue();
        assertThat(r.total()).isNaN();
        assertThatThrownBy(() -> DistillationLosses.evaluate(new NormKdConfig(2, 0.1, 0.9, HazardPolicy.STRICT),
                new double[][]{S[1], S[0]}, new double[][]{T[2], T[0]}, new int[]{0, 1}, 1))
                .isInstanceOf(HazardException.class)
                .hasMessage("row 1: the student's logits are all equal (1.5), so their std is 0 and NormKD's "
                        + "temperature T_stu = T_norm·std = 0");
    }

    private static double std(double[] z) {
        double mean = Arrays.stream(z).average().orElseThrow();
        return Math.sqrt(Arrays.stream(z).map(v -> (v - mean) * (v - mean)).sum() / (z.length - 1));
    }

    private static double[] softmax(double[] z, double temperature) {
        double[] e = Arrays.stream(z).map(v -> Math.exp(v / temperature)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(v -> v / sum).toArray();
    }
}
