package org.dtkd4j.core.loss.golden;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.HazardException;
import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Builds one dynamic test per golden case, method and hazard policy for an implementation. Hazard cases are
 * compared in float64 only, as the golden README prescribes; a float32 suite covers every non-hazard case.
 */
public final class GoldenSuite {

    /** The methods the reference has numbers for. */
    public static final List<Method> METHODS = List.of(Method.NONE, Method.KD, Method.DKD, Method.DTKD);

    private GoldenSuite() {
    }

    /** Which hazard policies a suite runs. */
    public enum Policies {
        /** Every policy on every case. */
        ALL,
        /** The default (GUARDED) on every case, and every policy on the hazard cases. */
        DEFAULT_AND_HAZARDS
    }

    /**
     * @param impl       the implementation
     * @param precision  its precision; {@link Precision#FLOAT32} restricts the suite to non-hazard cases
     * @return the tests of every policy; the cases are read eagerly, so a missing golden file fails the factory
     */
    public static Stream<DynamicTest> tests(GoldenImplementation impl, Precision precision) {
        return tests(impl, precision, Policies.ALL, METHODS);
    }

    /**
     * @param impl       the implementation
     * @param precision  its precision; {@link Precision#FLOAT32} restricts the suite to non-hazard cases
     * @param policies   which policies to run (every case runs at least the default one)
     * @param methods    which methods to run, a subset of {@link #METHODS}
     * @return the tests; the cases are read eagerly, so a missing golden file fails the factory
     */
    public static Stream<DynamicTest> tests(GoldenImplementation impl, Precision precision, Policies policies,
                                            List<Method> methods) {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : GoldenLosses.cases()) {
            if (precision == Precision.FLOAT32 && c.hazard()) {
                continue;
            }
            for (Method method : methods) {
                boolean all = (method == Method.DKD || method == Method.DTKD)
                        && (policies == Policies.ALL || c.hazard());
                for (HazardPolicy policy : all ? List.of(HazardPolicy.values()) : List.of(HazardPolicy.GUARDED)) {
                    tests.add(DynamicTest.dynamicTest(c.name() + " " + method + " " + policy,
                            () -> check(impl, c, method, policy, precision)));
                }
            }
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /** Checks one case, method and policy against its expectation. */
    public static void check(GoldenImplementation impl, GoldenCase c, Method method, HazardPolicy policy,
                             Precision precision) {
        DistillationConfig config = c.config(method, policy);
        int epoch = c.epoch(method);
        int strictRow = policy == HazardPolicy.STRICT ? Expectation.strictRow(c, method) : -1;
        if (strictRow >= 0) {
            assertThatThrownBy(() -> impl.evaluate(c, config, epoch))
                    .isInstanceOf(HazardException.class)
                    .hasMessageContaining("row " + strictRow)
                    .satisfies(e -> assertThat(((HazardException) e).row()).isEqualTo(strictRow));
            return;
        }
        Expectation.of(c, method, policy).check(impl.evaluate(c, config, epoch), precision);
    }
}
