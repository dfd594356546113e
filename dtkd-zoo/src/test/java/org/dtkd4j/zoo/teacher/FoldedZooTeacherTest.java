package org.dtkd4j.zoo.teacher;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zoo teachers with their BatchNorm folded ({@link GraphTeacher#foldingBatchNorm}): every BatchNorm of the CIFAR
 * ResNets follows a convolution and folds, and the logits equal the unfolded teacher's after a few training steps
 * have moved the BatchNorm statistics away from their initial values (float64 to 1e-12, float32 to 1e-4 of the
 * logits' scale).
 */
class FoldedZooTeacherTest {

    @ParameterizedTest
    @CsvSource({"resnet8, DOUBLE, 1e-12", "resnet8, FLOAT, 1e-4", "resnet8x4, FLOAT, 1e-4"})
    void everyBatchNormFoldsAndTheLogitsStay(String name, DataType type, double tolerance) {
        ComputationGraph g = CifarZoo.build(name, ZooSpec.builder().numClasses(10).seed(5).dataType(type).build());
        Nd4j.getRandom().setSeed(9);
        INDArray labels = Nd4j.zeros(type, 8, 10);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 10, 1.0);
        }
        for (int step = 0; step < 3; step++) {
            g.fit(new org.nd4j.linalg.dataset.DataSet(Nd4j.randn(type, 8, 3, 32, 32), labels));
        }
        long batchNorms = g.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization)
                .count();
        INDArray x = Nd4j.randn(type, 4, 3, 32, 32);
        try (GraphTeacher plain = GraphTeacher.of(g, name); GraphTeacher folded = GraphTeacher.foldingBatchNorm(g, name)) {
            assertThat(batchNorms).isPositive();
            assertThat(folded.describe()).contains("(" + batchNorms + " BatchNorm layers folded into convolutions)");
            INDArray expected = plain.logits(x);
            INDArray actual = folded.logits(x);
            double scale = expected.norm2Number().doubleValue() / Math.sqrt(expected.length());
            assertThat(scale).isGreaterThan(1e-3);
            assertThat(actual.sub(expected).amaxNumber().doubleValue()).as("%s %s", name, type)
                    .isLessThanOrEqualTo(tolerance * scale);
        }
    }
}
