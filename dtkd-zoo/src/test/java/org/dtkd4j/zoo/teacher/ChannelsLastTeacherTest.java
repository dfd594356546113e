package org.dtkd4j.zoo.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CifarZoo#channelsLast}: a zoo model trained NCHW, rebuilt channels-last with its parameters, is the same
 * teacher: folded or not, its logits equal the NCHW teacher's (float64 to 1e-12, float32 to 1e-5 of the logits'
 * scale) on a non-square, single-channel input too, and every convolution computes NHWC.
 */
class ChannelsLastTeacherTest {

    @ParameterizedTest
    @CsvSource({"resnet8, DOUBLE, 1e-12, 3, 32", "resnet8, FLOAT, 1e-5, 3, 32", "resnet20, FLOAT, 1e-5, 1, 28"})
    void theLogitsAreTheNchwTeachers(String name, DataType type, double tolerance, int channels, int size) {
        ZooSpec spec = ZooSpec.builder().numClasses(10).input(channels, size, size).seed(5).dataType(type).build();
        ComputationGraph g = CifarZoo.build(name, spec);
        Nd4j.getRandom().setSeed(9);
        INDArray labels = Nd4j.zeros(type, 8, 10);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 10, 1.0);
        }
        for (int step = 0; step < 2; step++) {
            g.fit(new DataSet(Nd4j.randn(type, 8, channels, size, size), labels));
        }
        ComputationGraph nhwc = CifarZoo.channelsLast(name, spec, g.params());
        assertThat(nhwc.getConfiguration().getVertices().values()).filteredOn(v -> v instanceof LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof ConvolutionLayer)
                .isNotEmpty()
                .allSatisfy(v -> assertThat(((ConvolutionLayer) ((LayerVertex) v).getLayerConf().getLayer())
                        .getCnn2dDataFormat()).isEqualTo(CNN2DFormat.NHWC));
        INDArray x = Nd4j.randn(type, 4, channels, size, size);
        try (GraphTeacher plain = GraphTeacher.of(g, name);
             GraphTeacher last = GraphTeacher.of(nhwc, name);
             GraphTeacher folded = GraphTeacher.foldingBatchNorm(g, name);
             GraphTeacher foldedLast = GraphTeacher.foldingBatchNorm(nhwc, name)) {
            INDArray expected = plain.logits(x);
            double scale = expected.norm2Number().doubleValue() / Math.sqrt(expected.length());
            assertThat(scale).isGreaterThan(1e-3);
            assertThat(last.logits(x).sub(expected).amaxNumber().doubleValue()).as("unfolded %s %s", name, type)
                    .isLessThanOrEqualTo(tolerance * scale);
            INDArray foldedExpected = folded.logits(x);
            assertThat(foldedLast.logits(x).sub(foldedExpected).amaxNumber().doubleValue())
                    .as("folded %s %s", name, type).isLessThanOrEqualTo(tolerance * scale);
        }
    }

    @Test
    void parametersOfAnotherModelAreRefused() {
        ZooSpec spec = ZooSpec.builder().numClasses(10).build();
        INDArray resnet8 = CifarZoo.build("resnet8", spec).params();
        assertThatThrownBy(() -> CifarZoo.channelsLast("resnet14", spec, resnet8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resnet14 with 10 classes and input 3x32x32 has ")
                .hasMessageEndingWith("parameters, found " + resnet8.length());
    }
}
