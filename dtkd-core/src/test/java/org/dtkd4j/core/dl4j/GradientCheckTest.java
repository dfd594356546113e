package org.dtkd4j.core.dl4j;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.loss.LossResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DL4J's double-precision gradient check ({@link GradientCheckUtil}, NoOp updater) of every loss inside a small
 * ComputationGraph, with one row whose teacher maximum is so negative that DTKD guards it.
 */
class GradientCheckTest {

    private static DataType savedDtype;
    private static DataType savedFloatDtype;

    @BeforeAll
    static void doublePrecision() {
        savedDtype = Nd4j.dataType();
        savedFloatDtype = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(savedDtype, savedFloatDtype);
    }

    static List<DistillationConfig> configs() {
        return List.of(CeConfig.defaults(), KdConfig.defaults(), DkdConfig.defaults(), DtkdConfig.defaults(),
                DtkdDkdConfig.defaults(), new DtkdConfig(1.5, 0.5, 2.0, 0.7, 4, false, HazardPolicy.GUARDED));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void gradientsMatchFiniteDifferences(DistillationConfig config) {
        DistillationLossFunction loss = DistillationLossFunction.of(config);
        loss.setEpoch(10);
        ComputationGraph graph = Fixtures.graph(loss, new NoOp(), DataType.DOUBLE, 12345);
        DataSet data = Fixtures.data(6, DataType.DOUBLE, 7);
        INDArray teacher = new Fixtures.LinearTeacher(DataType.DOUBLE, 3).logits(data.getFeatures());
        teacher.getRow(2).subi(30.0);
        INDArray labels = TeacherLabels.pack(data.getLabels(), teacher);

        if (config instanceof DtkdConfig) {
            INDArray logits = graph.outputSingle(data.getFeatures());
            LossResult r = loss.evaluate(labels, logits, new ActivationIdentity(), null).orElseThrow();
            assertThat(r.guarded()[2]).as("row 2 has mixed-sign maxima, guarded").isTrue();
            assertThat(r.guarded()).as("some rows are not guarded").contains(false);
        }
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[]{data.getFeatures()}).labels(new INDArray[]{labels})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertThat(ok).as("gradient check of " + config).isTrue();
    }

    @ParameterizedTest
    @MethodSource("detachedConfigs")
    void detachedTemperaturesAreNotTheTrueGradient(DistillationConfig config) {
        DistillationLossFunction loss = DistillationLossFunction.of(config);
        loss.setEpoch(30);
        ComputationGraph graph = Fixtures.graph(loss, new NoOp(), DataType.DOUBLE, 12345);
        DataSet data = Fixtures.data(6, DataType.DOUBLE, 7);
        INDArray labels = TeacherLabels.pack(data.getLabels(),
                new Fixtures.LinearTeacher(DataType.DOUBLE, 3).logits(data.getFeatures()));
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                .inputs(new INDArray[]{data.getFeatures()}).labels(new INDArray[]{labels})
                .print(GradientCheckUtil.PrintMode.ZEROS).exitOnFirstError(true));
        assertThat(ok).as("the check must notice the missing temperature path of " + config).isFalse();
    }

    static List<DistillationConfig> detachedConfigs() {
        return List.of(DtkdConfig.defaults().withDetachTemperatures(true),
                DtkdDkdConfig.defaults().withDetachTemperatures(true));
    }
}
