package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.golden.GoldenCase;
import org.dtkd4j.core.loss.golden.GoldenImplementation;
import org.dtkd4j.core.loss.golden.GoldenSuite;
import org.dtkd4j.core.loss.golden.Outcome;
import org.dtkd4j.core.loss.golden.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DL4J adapter against every case of {@code losses.json}, through its {@code ILossFunction} surface: packed
 * labels, {@code computeScore}, {@code computeScoreArray}, {@code computeGradient} (the gradient of the summed
 * score, i.e. {@code N ×} the reference's gradient of the mean), in float64 and float32 networks.
 */
class DistillationLossFunctionGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseInFloat64() {
        return GoldenSuite.tests(adapter(DataType.DOUBLE), Precision.FLOAT64);
    }

    @TestFactory
    Stream<DynamicTest> everyNonHazardCaseInFloat32() {
        return GoldenSuite.tests(adapter(DataType.FLOAT), Precision.FLOAT32);
    }

    static GoldenImplementation adapter(DataType dtype) {
        return (GoldenCase c, DistillationConfig config, int epoch) -> {
            INDArray preOutput = Nd4j.createFromArray(c.student()).castTo(dtype);
            INDArray oneHot = Nd4j.zeros(dtype, c.n(), c.c());
            for (int i = 0; i < c.n(); i++) {
                oneHot.putScalar(i, c.targets()[i], 1.0);
            }
            INDArray labels = TeacherLabels.pack(oneHot, Nd4j.createFromArray(c.teacher()).castTo(dtype));
            DistillationLossFunction loss = DistillationLossFunction.of(config);
            loss.setEpoch(epoch);
            ActivationIdentity identity = new ActivationIdentity();

            LossResult terms = loss.evaluate(labels, preOutput, identity, null).orElseThrow();
            double total = loss.computeScore(labels, preOutput, identity, null, true);
            INDArray scores = loss.computeScoreArray(labels, preOutput, identity, null);
            INDArray gradient = loss.computeGradient(labels, preOutput, identity, null);
            assertThat(scores.shape()).containsExactly(c.n(), 1);
            assertThat(scores.dataType()).isEqualTo(dtype);
            assertThat(gradient.dataType()).isEqualTo(dtype);
            assertThat(gradient.shape()).containsExactly(c.n(), c.c());
            double[][] g = gradient.castTo(DataType.DOUBLE).div(c.n()).toDoubleMatrix();
            Outcome o = Outcome.of(terms);
            return new Outcome(total, g, o.values(), o.perSample(), o.gradients(), o.studentTemperatures(),
                    o.teacherTemperatures(), o.studentMax(), o.teacherMax(), o.warmupFactor(), o.guardedRows());
        };
    }
}
