package org.dtkd4j.core.samediff;

import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.MethodsSuite;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

/**
 * The SameDiff graphs against every case of the {@code methods/} golden files (logit-standardised KD and DKD, NormKD
 * and NormKD+DKD), with SameDiff's autodiff gradients: float64 with integer labels under the default policy on every
 * case and every policy on the hazard cases, float32 with one-hot labels on the non-hazard cases.
 */
@ExtendWith(SingleThreadedNd4j.class)
class MethodsSameDiffGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return MethodsSuite.tests((c, config, epoch) -> SameDiffHarness.of(config, DataType.DOUBLE, false, c.c())
                .inputs(c.student(), c.teacher(), c.targets(), epoch).outcome(), Precision.FLOAT64,
                GoldenSuite.Policies.DEFAULT_AND_HAZARDS).stream();
    }

    @TestFactory
    Stream<DynamicTest> everyNonHazardCaseInFloat32() {
        return MethodsSuite.tests((c, config, epoch) -> SameDiffHarness.of(config, DataType.FLOAT, true, c.c())
                .inputs(c.student(), c.teacher(), c.targets(), epoch).outcome(), Precision.FLOAT32,
                GoldenSuite.Policies.DEFAULT_AND_HAZARDS).stream();
    }
}
