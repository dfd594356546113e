package org.dtkd4j.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** One training step per family: every kind of parameter moves, BatchNorm statistics update, outputs stay finite. */
class FitStepTest {

    @ParameterizedTest(name = "{0} at {1}x{1}")
    @CsvSource({
            "resnet8, 16, conv1, fc",
            "ResNet18, 16, conv1, linear",
            "wrn_16_1, 16, conv1, fc",
            "vgg8, 16, block0.0, classifier",
            "MobileNetV2, 16, conv1.0, classifier.0",
            "ShuffleV1, 16, conv1, linear",
            "ShuffleV2, 16, conv1, linear"})
    void oneFitStepChangesTheParametersAndKeepsTheOutputFinite(String name, int size, String first, String last) {
        ZooSpec spec = ZooSpec.builder().numClasses(10).input(3, size, size).seed(1).build();
        ComputationGraph graph = CifarZoo.build(name, spec);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, 3 * i, 1f);
        }
        String bn = graph.getConfiguration().getTopologicalOrderStr().stream()
                .filter(v -> graph.getLayer(v) != null && graph.getLayer(v).paramTable().containsKey("mean"))
                .findFirst().orElseThrow();
        INDArray firstW = graph.getLayer(first).getParam("W").dup();
        INDArray lastW = graph.getLayer(last).getParam("W").dup();
        INDArray bnMean = graph.getLayer(bn).getParam("mean").dup();

        graph.fit(new DataSet(x, y));

        assertThat(Double.isFinite(graph.score())).isTrue();
        assertThat(graph.getLayer(first).getParam("W")).isNotEqualTo(firstW);
        assertThat(graph.getLayer(last).getParam("W")).isNotEqualTo(lastW);
        assertThat(graph.getLayer(bn).getParam("mean")).as("running mean of " + bn).isNotEqualTo(bnMean);
        INDArray out = graph.outputSingle(false, x);
        assertThat(out.shape()).containsExactly(4, 10);
        assertThat(out.isNaN().any() || out.isInfinite().any()).isFalse();
    }
}
