package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GraphTeacher#foldingBatchNorm}: the folded teacher's logits equal the unfolded teacher's (float64 to 1e-12,
 * float32 to 1e-4 relative) on a graph with every kind of pair: a bias-free convolution into a BatchNorm configured
 * with a ReLU (which DL4J ignores), a biased one into a log-std BatchNorm and an activation layer, a locked-γ/β
 * BatchNorm, and a convolution whose output also feeds a residual addition (not foldable); NCHW and NHWC.
 */
class BatchNormFoldingTest {

    private static ComputationGraph graph(DataType type, CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(type)
                .weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3, format))
                .addLayer("c1", conv(3, false, format), "in")
                .addLayer("bn1", new BatchNormalization.Builder().activation(Activation.RELU).useLogStd(false)
                        .dataFormat(format).build(), "c1")
                .addLayer("c2", conv(3, true, format), "bn1")
                .addLayer("bn2", new BatchNormalization.Builder().useLogStd(true).dataFormat(format).build(), "c2")
                .addLayer("act2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn2")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn1", "act2")
                .addLayer("c3", conv(1, false, format), "add1")
                .addLayer("bn3", new BatchNormalization.Builder().dataFormat(format).build(), "c3")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn3", "c3")
                .addLayer("c4", conv(3, false, format), "add2")
                .addLayer("bn4", new BatchNormalization.Builder().lockGammaBeta(true).gamma(1.5).beta(0.2)
                        .activation(Activation.TANH).dataFormat(format).build(), "c4")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn4")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        Nd4j.getRandom().setSeed(11);
        for (String bn : new String[]{"bn1", "bn2", "bn3", "bn4"}) {
            org.deeplearning4j.nn.api.Layer l = g.getLayer(bn);
            for (String key : l.paramTable().keySet()) {
                INDArray p = l.getParam(key);
                INDArray v = switch (key) {
                    case "var" -> Nd4j.rand(type, p.shape()).muli(2).addi(0.2);
                    case "log10stdev" -> Nd4j.rand(type, p.shape()).subi(0.5).muli(0.6);
                    case "gamma" -> Nd4j.rand(type, p.shape()).addi(0.5);
                    default -> Nd4j.randn(type, p.shape()).muli(0.5);
                };
                l.setParam(key, v);
            }
        }
        return g;
    }

    private static ConvolutionLayer conv(int k, boolean bias, CNN2DFormat format) {
        return new ConvolutionLayer.Builder(k, k).nOut(6).padding(k / 2, k / 2).hasBias(bias)
                .activation(Activation.IDENTITY).dataFormat(format).build();
    }

    @ParameterizedTest
    @CsvSource({"DOUBLE, NCHW, 1e-12", "FLOAT, NCHW, 1e-4", "DOUBLE, NHWC, 1e-12", "FLOAT, NHWC, 1e-4"})
    void foldedLogitsEqualTheUnfoldedTeachers(DataType type, CNN2DFormat format, double tolerance) {
        ComputationGraph g = graph(type, format);
        INDArray x = Nd4j.randn(type, 7, 3, 8, 8);
        try (GraphTeacher plain = GraphTeacher.of(g, "plain");
             GraphTeacher folded = GraphTeacher.foldingBatchNorm(g, "folded")) {
            INDArray expected = plain.logits(x);
            INDArray actual = folded.logits(x);
            assertThat(folded.describe()).startsWith("folded (3 BatchNorm layers folded into convolutions) (5 classes");
            assertThat(folded.numClasses()).isEqualTo(5);
            double scale = expected.norm2Number().doubleValue() / Math.sqrt(expected.length());
            assertThat(scale).as("logits are not trivially small").isGreaterThan(0.1);
            double diff = actual.sub(expected).amaxNumber().doubleValue();
            assertThat(diff).as("largest logit difference, %s %s", type, format).isLessThanOrEqualTo(tolerance * scale);
            assertThat(g.getLayer("bn1")).as("the original graph is not changed").isNotNull();
        }
    }

    @Test
    void anOpenGraphTeacherFoldsIntoTheSameTeacherAndStaysUsable() {
        ComputationGraph g = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        INDArray x = Nd4j.randn(DataType.FLOAT, 7, 3, 8, 8);
        try (GraphTeacher plain = GraphTeacher.of(g, "plain");
             GraphTeacher direct = GraphTeacher.foldingBatchNorm(g, "plain")) {
            INDArray before = plain.logits(x);
            assertThat(plain.foldsBatchNorm()).isTrue();
            try (GraphTeacher folded = plain.foldingBatchNorm()) {
                assertThat(folded.logits(x)).isEqualTo(direct.logits(x));
                assertThat(folded.describe()).isEqualTo(direct.describe())
                        .startsWith("plain (3 BatchNorm layers folded into convolutions) (5 classes");
            }
            assertThat(plain.logits(x)).as("the unfolded teacher is still open and unchanged").isEqualTo(before);
            plain.close();
            assertThatThrownBy(plain::foldingBatchNorm).isInstanceOf(IllegalStateException.class)
                    .hasMessage("plain is closed");
        }
        try (GraphTeacher network = GraphTeacher.of(GraphTeacherTest.network(Activation.SOFTMAX), "mln")) {
            assertThat(network.foldsBatchNorm()).isFalse();
            assertThatThrownBy(network::foldingBatchNorm).isInstanceOf(IllegalStateException.class)
                    .hasMessage("mln: only a ComputationGraph teacher folds its BatchNorm, found a MultiLayerNetwork");
        }
    }
}
