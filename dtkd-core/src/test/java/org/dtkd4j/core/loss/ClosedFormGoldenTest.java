package org.dtkd4j.core.loss;

import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.Outcome;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/** The closed-form losses against every case of {@code losses.json}, for every method and hazard policy. */
class ClosedFormGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return GoldenSuite.tests((c, config, epoch) -> Outcome.of(
                DistillationLosses.evaluate(config, c.student(), c.teacher(), c.targets(), epoch)), Precision.FLOAT64);
    }
}
