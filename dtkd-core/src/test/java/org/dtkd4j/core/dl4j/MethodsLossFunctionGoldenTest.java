package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.MethodsSuite;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.stream.Stream;

/**
 * The DL4J adapter against every case of the {@code methods/} golden files (logit-standardised KD and DKD, NormKD and
 * NormKD+DKD), through its {@code ILossFunction} surface, in float64 (every policy) and float32 (non-hazard cases)
 * networks.
 */
class MethodsLossFunctionGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return MethodsSuite.tests(DistillationLossFunctionGoldenTest.adapter(DataType.DOUBLE), Precision.FLOAT64,
                GoldenSuite.Policies.ALL).stream();
    }

    @TestFactory
    Stream<DynamicTest> everyNonHazardCaseInFloat32() {
        return MethodsSuite.tests(DistillationLossFunctionGoldenTest.adapter(DataType.FLOAT), Precision.FLOAT32,
                GoldenSuite.Policies.ALL).stream();
    }
}
