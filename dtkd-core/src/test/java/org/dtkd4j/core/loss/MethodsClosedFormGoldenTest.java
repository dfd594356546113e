package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.loss.golden.GoldenCase;
import org.dtkd4j.core.loss.golden.GoldenLosses;
import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.MethodsSuite;
import org.dtkd4j.core.loss.golden.Outcome;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The closed form against every case of the {@code methods/} golden files (logit-standardised KD and DKD, NormKD and
 * NormKD+DKD), under every hazard policy, and its gradients against central finite differences.
 */
class MethodsClosedFormGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return MethodsSuite.tests((c, config, epoch) -> Outcome.of(
                DistillationLosses.evaluate(config, c.student(), c.teacher(), c.targets(), epoch)), Precision.FLOAT64,
                GoldenSuite.Policies.ALL).stream();
    }

    /**
     * Double-precision finite differences of the total on the cases without degenerate rows whose every row has a
     * spread (std) of at least 1e-3, so that the loss is smooth on the scale of the step.
     */
    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : MethodsSuite.FILES) {
            for (GoldenCase c : GoldenLosses.cases(file)) {
                if (c.hazard() || minStd(c.student()) < 1e-3 || minStd(c.teacher()) < 1e-3) {
                    continue;
                }
                for (MethodsSuite.Block b : MethodsSuite.blocks(file)) {
                    DistillationConfig config = MethodsSuite.config(c, b, HazardPolicy.GUARDED);
                    int epoch = MethodsSuite.epoch(c, b);
                    tests.add(DynamicTest.dynamicTest(c.name() + " " + b.method() + " finite differences",
                            () -> checkGradient(config, c, epoch)));
                }
            }
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    private static void checkGradient(DistillationConfig config, GoldenCase c, int epoch) {
        double[][] s = c.student();
        double[][] g = DistillationLosses.evaluate(config, s, c.teacher(), c.targets(), epoch).gradient();
        double scale = Arrays.stream(g).flatMapToDouble(Arrays::stream).map(Math::abs).max().orElseThrow();
        for (int i = 0; i < s.length; i++) {
            double h = 1e-5 * std(s[i]);
            for (int j = 0; j < s[i].length; j++) {
                double keep = s[i][j];
                s[i][j] = keep + h;
                double up = DistillationLosses.evaluate(config, s, c.teacher(), c.targets(), epoch).total();
                s[i][j] = keep - h;
                double down = DistillationLosses.evaluate(config, s, c.teacher(), c.targets(), epoch).total();
                s[i][j] = keep;
                double fd = (up - down) / (2 * h);
                assertThat(Math.abs(fd - g[i][j])).as("%s %s d/ds[%d][%d]: closed form %s, finite differences %s",
                        c.name(), config.method(), i, j, g[i][j], fd).isLessThanOrEqualTo(1e-6 * scale + 1e-9);
            }
        }
    }

    private static double minStd(double[][] rows) {
        return Arrays.stream(rows).mapToDouble(MethodsClosedFormGoldenTest::std).min().orElseThrow();
    }

    private static double std(double[] row) {
        double mean = Arrays.stream(row).average().orElseThrow();
        return Math.sqrt(Arrays.stream(row).map(v -> (v - mean) * (v - mean)).sum() / (row.length - 1));
    }
}
