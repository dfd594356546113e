package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad inputs are rejected with messages naming the input and what was found. */
class LossInputsTest {

    private static final double[][] S = {{1, 2, 3}, {0, -1, 4}};
    private static final double[][] T = {{3, 2, 1}, {2, 2, 0}};
    private static final int[] Y = {0, 2};

    private static void rejects(double[][] s, double[][] t, int[] y, String... fragments) {
        assertThatThrownBy(() -> DistillationLosses.evaluate(DtkdConfig.defaults(), s, t, y, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll(fragments);
    }

    @Test
    void nonFiniteLogits() {
        rejects(new double[][]{{1, Double.NaN, 3}, {0, -1, 4}}, T, Y, "student logits", "NaN", "[0, 1]");
        rejects(S, new double[][]{{3, 2, 1}, {2, Double.NEGATIVE_INFINITY, 0}}, Y, "teacher logits", "-Infinity",
                "[1, 1]");
    }

    @Test
    void shapes() {
        rejects(new double[][]{{1}, {2}}, new double[][]{{1}, {2}}, Y, "at least 2 classes", "found 1");
        rejects(S, new double[][]{{3, 2, 1}}, Y, "teacher logits shape [1, 3]", "student logits shape [2, 3]");
        rejects(S, new double[][]{{3, 2}, {2, 2}}, Y, "teacher logits shape [2, 2]");
        rejects(new double[][]{{1, 2, 3}, {0, -1}}, T, Y, "student logits row 1 has 2 columns, expected 3");
        rejects(new double[0][], T, Y, "student logits must have at least one row, found 0");
        rejects(null, T, Y, "student logits must not be null");
        rejects(S, null, Y, "teacher logits must not be null");
    }

    @Test
    void labels() {
        rejects(S, T, new int[]{0, 3}, "labels[1] = 3 is out of range [0, 3)");
        rejects(S, T, new int[]{-1, 0}, "labels[0] = -1");
        rejects(S, T, new int[]{0}, "labels has 1 entries, expected 2");
    }

    @Test
    void nullConfig() {
        assertThatThrownBy(() -> DistillationLosses.evaluate(null, S, T, Y, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config");
    }

    @Test
    void crossEntropyNeedsNoTeacher() {
        assertThat(DistillationLosses.evaluate(CeConfig.defaults(), S, null, Y, 0).total()).isPositive();
    }

    @Test
    void oneHotLabels() {
        assertThat(LossInputs.targetsFromOneHot(new double[][]{{0, 1, 0}, {1, 0, 0}})).containsExactly(1, 0);
        assertThatThrownBy(() -> LossInputs.targetsFromOneHot(new double[][]{{0, 1, 1}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels row 0 is not one-hot: found 1.0 at column 2");
        assertThatThrownBy(() -> LossInputs.targetsFromOneHot(new double[][]{{0, 0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found no 1");
        assertThatThrownBy(() -> LossInputs.targetsFromOneHot(new double[][]{{0.5, 0.5, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 0.5 at column 0");
        assertThatThrownBy(() -> LossInputs.targetsFromIndices(new long[]{1, 7}, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels[1] = 7");
    }
}
