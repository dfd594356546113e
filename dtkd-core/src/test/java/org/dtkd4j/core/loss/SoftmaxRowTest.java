package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * {@link SoftmaxRow}: the softmax and log-softmax of a row, and a masked twin that reuses its unmasked row's
 * exponentials giving exactly the values of a masked row computed alone, so that DKD's two terms evaluated in one
 * pass equal the terms evaluated one by one, bit for bit.
 */
class SoftmaxRowTest {

    private static final double T = 4;

    @Test
    void softmaxAndLogSoftmaxOfTheScaledRow() {
        double[] z = {2.0, -1.5, 0.25, 7.0};
        SoftmaxRow row = new SoftmaxRow(z.length).fill(z, T, 0);
        double norm = Arrays.stream(z).map(v -> Math.exp(v / T)).sum();
        for (int i = 0; i < z.length; i++) {
            assertThat(row.scaled[i]).isEqualTo(z[i] / T);
            assertThat(row.prob[i]).isCloseTo(Math.exp(z[i] / T) / norm, offset(1e-16));
            assertThat(row.logProb(i)).isCloseTo(z[i] / T - Math.log(norm), offset(1e-15));
        }
        assertThat(row.massExcept(3)).isCloseTo(1 - row.prob[3], offset(1e-16));
    }

    @Test
    void aMaskedTwinGivesTheValuesOfAMaskedRowComputedAlone() {
        Random r = new Random(5);
        double[] z = r.doubles(50, -3, 3).toArray();
        int argMax = RowMath.argMaxFirst(z);
        for (int target : new int[]{argMax, (argMax + 7) % z.length}) {
            SoftmaxRow unmasked = new SoftmaxRow(z.length);
            SoftmaxRow twin = unmasked.masked();
            unmasked.fill(z, T, target);
            twin.fill(z, T, target);
            SoftmaxRow alone = new SoftmaxRow(z.length).masked().fill(z, T, target);
            String what = target == argMax ? "target at the maximum" : "target below the maximum";
            assertThat(twin.prob).as(what).containsExactly(alone.prob);
            assertThat(twin.scaled).as(what).containsExactly(alone.scaled);
            for (int i = 0; i < z.length; i++) {
                assertThat(twin.logProb(i)).as(what).isEqualTo(alone.logProb(i));
            }
            assertThat(twin.prob[target]).as("the mask suppresses the target").isLessThan(1e-100);
        }
    }

    @Test
    void aTwinFilledWithAnotherRowComputesItsOwn() {
        double[] z = {1, 2, 3, 4};
        double[] other = {4, 3, 2, 1};
        SoftmaxRow unmasked = new SoftmaxRow(4);
        SoftmaxRow twin = unmasked.masked();
        unmasked.fill(z, T, 0);
        twin.fill(other, T, 0);
        assertThat(twin.prob).containsExactly(new SoftmaxRow(4).masked().fill(other, T, 0).prob);
        unmasked.fill(other, 2 * T, 0);
        twin.fill(other, T, 0);
        assertThat(twin.prob).as("another temperature").containsExactly(
                new SoftmaxRow(4).masked().fill(other, T, 0).prob);
    }

    @Test
    void decoupledTermsInOnePassEqualTheTermsOneByOne() {
        Random r = new Random(9);
        int n = 40;
        int c = 30;
        double[][] s = new double[n][c];
        double[][] t = new double[n][c];
        int[] y = r.ints(n, 0, c).toArray();
        for (int i = 0; i < n; i++) {
            double width = i % 3 == 0 ? 300 : 2;
            for (int j = 0; j < c; j++) {
                s[i][j] = width * r.nextGaussian();
                t[i][j] = width * r.nextGaussian();
            }
            if (i % 4 == 0) {
                s[i][y[i]] = Arrays.stream(s[i]).max().orElseThrow() + 1;
                t[i][y[i]] = Arrays.stream(t[i]).max().orElseThrow() + 5;
            }
        }
        Temperatures temps = Temperatures.dynamic(s, t, T, HazardPolicy.GUARDED, false, RowTasks.SEQUENTIAL);
        Term[] names = {Term.TCKD, Term.NCKD};
        Divergence[] divs = {Divergence.TARGET, Divergence.NON_TARGET};
        for (HazardPolicy policy : HazardPolicy.values()) {
            if (policy == HazardPolicy.STRICT) {
                continue;
            }
            TermResult[] together = TermEvaluator.tempered(names, divs, s, t, y, temps, policy, RowTasks.SEQUENTIAL);
            for (int k = 0; k < 2; k++) {
                TermResult alone = TermEvaluator.tempered(new Term[]{names[k]}, new Divergence[]{divs[k]}, s, t, y,
                        temps, policy, RowTasks.SEQUENTIAL)[0];
                assertThat(together[k].value()).as("%s %s", policy, names[k]).isEqualTo(alone.value());
                assertThat(together[k].perSample()).as("%s %s", policy, names[k]).containsExactly(alone.perSample());
                assertThat(together[k].gradient()).as("%s %s", policy, names[k]).isDeepEqualTo(alone.gradient());
            }
        }
    }
}
