package org.dtkd4j.core.samediff;

import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

/**
 * The SameDiff losses against every case of {@code losses.json}, with gradients from SameDiff's autodiff: float64
 * graphs with integer labels for every method, under the default policy on every case and under every policy on the
 * hazard cases (on ordinary cases STRICT builds the GUARDED graph, and OFFICIAL differs only in arithmetic the
 * hazard cases exercise; the closed-form and adapter suites run every policy on every case); float32 graphs with
 * one-hot labels for every method under the default policy. OFFICIAL is not a float32 policy: it takes {@code log} of DKD's summed probabilities as
 * the reference does, and with 1000 classes ND4J's float32 sum of those probabilities is off by ~1.5e-6, which
 * {@code T²} turns into ~1.2e-5 on {@code L_tckd} ({@code large_magnitude_n2_c1000}), beyond the float32 tolerance;
 * the default policy's log-odds form meets it.
 *
 * <p>The graphs are tiny and SameDiff runs them op by op, so ND4J runs single-threaded here: on this 2-core
 * machine, shared, its worker threads made the suite several times slower. The setting is restored afterwards.
 */
@ExtendWith(SingleThreadedNd4j.class)
class SameDiffGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return GoldenSuite.tests((c, config, epoch) -> SameDiffHarness.of(config, DataType.DOUBLE, false, c.c())
                .inputs(c.student(), c.teacher(), c.targets(), epoch).outcome(), Precision.FLOAT64,
                GoldenSuite.Policies.DEFAULT_AND_HAZARDS, GoldenSuite.METHODS);
    }

    @TestFactory
    Stream<DynamicTest> everyNonHazardCaseInFloat32() {
        return GoldenSuite.tests((c, config, epoch) -> SameDiffHarness.of(config, DataType.FLOAT, true, c.c())
                .inputs(c.student(), c.teacher(), c.targets(), epoch).outcome(), Precision.FLOAT32,
                GoldenSuite.Policies.DEFAULT_AND_HAZARDS, GoldenSuite.METHODS);
    }
}
