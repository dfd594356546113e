package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.LsKdConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Rows with all-equal logits, the one hazard logit standardisation and NormKD share. */
class ConstantRowsTest {

    private static final double[][] S = {{1, 2, 3}, {-0.5, -0.5, -0.5}, {4, 4, 4}};
    private static final double[][] T = {{2, 2, 2}, {0, 1, 0}, {7, 7, 7}};

    @Test
    void flagsEachSideOfEachRowUnlessStrict() {
        for (HazardPolicy policy : new HazardPolicy[]{HazardPolicy.OFFICIAL, HazardPolicy.GUARDED}) {
            ConstantRows rows = ConstantRows.of(S, T, policy, side -> "unused");
            assertThat(rows.student()).containsExactly(false, true, true);
            assertThat(rows.teacher()).containsExactly(true, false, true);
        }
        ConstantRows none = ConstantRows.of(new double[][]{{0, 1}}, new double[][]{{1, 0}}, HazardPolicy.STRICT,
                side -> "unused");
        assertThat(none.student()).containsExactly(false);
        assertThat(none.teacher()).containsExactly(false);
    }

    @Test
    void strictNamesTheFirstRowAndItsSideWithTheConsequence() {
        assertThatThrownBy(() -> ConstantRows.of(S, T, HazardPolicy.STRICT, side -> side + " consequence"))
                .isInstanceOf(HazardException.class)
                .hasMessage("row 0: the teacher's logits are all equal (2.0), so their std is 0 and teacher consequence")
                .satisfies(e -> assertThat(((HazardException) e).row()).isZero());
        assertThatThrownBy(() -> ConstantRows.of(new double[][]{S[2]}, new double[][]{T[2]}, HazardPolicy.STRICT,
                side -> side + " consequence"))
                .as("both sides constant: the student is named")
                .hasMessage("row 0: the student's logits are all equal (4.0), so their std is 0 and student consequence");
    }

    @Test
    void logitStandardisationRejectsAConstantRowUnderStrict() {
        assertThatThrownBy(() -> DistillationLosses.evaluate(new LsKdConfig(4, 0.1, 9, HazardPolicy.STRICT),
                new double[][]{S[0], S[0]}, new double[][]{T[1], T[0]}, new int[]{0, 1}, 1))
                .isInstanceOf(HazardException.class)
                .hasMessage("row 1: the teacher's logits are all equal (2.0), so their std is 0 and logit "
                        + "standardisation divides by its epsilon 1e-7 alone");
    }
}
