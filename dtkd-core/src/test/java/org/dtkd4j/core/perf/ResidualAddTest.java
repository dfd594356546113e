package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link ResidualAdd} computes DL4J's element-wise sum vertex: it replaces the two-input sums and a three-input one
 * (which it hands to DL4J's code), leaves a difference alone, gives the same inference outputs and, after training
 * steps, bit-identical parameters, in NCHW and NHWC networks (whose activations reach the sum as strided views); the
 * configuration and clones keep DL4J's vertex.
 */
class ResidualAddTest {

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void sumsAndStepsAreBitIdenticalAndTheConfigurationKeepsDl4jsVertex(CNN2DFormat format) {
        ComputationGraph plain = graph(format);
        ComputationGraph fused = graph(format);
        String json = fused.getConfiguration().toJson();
        assertThat(ResidualAdd.install(fused)).isEqualTo(3);
        assertThat(ResidualAdd.installedIn(fused)).isEqualTo(3);
        assertThat(ResidualAdd.installedIn(plain)).isZero();
        for (String sum : new String[] {"add1", "add2", "add3"}) {
            assertThat(fused.getVertex(sum)).as(sum).isInstanceOf(ResidualAdd.class);
            assertThat(fused.getVertices()[fused.getVertex(sum).getVertexIndex()]).isSameAs(fused.getVertex(sum));
        }
        assertThat(fused.getVertex("diff")).as("a difference").isNotInstanceOf(ResidualAdd.class);
        assertThat(fused.getConfiguration().toJson()).as("the graph's configuration").isEqualTo(json)
                .doesNotContain("ResidualAdd");
        assertThat(ResidualAdd.installedIn(fused.clone())).as("a clone has DL4J's vertices").isZero();

        INDArray probe = features(format, 99);
        assertThat(values(fused.outputSingle(false, probe.dup()))).as("inference")
                .containsExactly(values(plain.outputSingle(false, probe.dup())));
        for (int step = 0; step < 3; step++) {
            DataSet batch = new DataSet(features(format, 10 + step), labels(step));
            plain.fit(batch);
            fused.fit(batch);
        }
        assertThat(values(fused.params())).as("parameters after 3 steps").containsExactly(values(plain.params()));
        assertThat(values(fused.params())).isNotEqualTo(values(graph(format).params()));
        assertThat(values(fused.outputSingle(false, probe.dup()))).as("inference after training")
                .containsExactly(values(plain.outputSingle(false, probe.dup())));
    }

    /**
     * in → c0 → [c1 → bn1 → relu1 → c2] + c0 = add1 → relu2 → [c3] + relu2 = add2 → (add2 + c3 + relu2) = add3
     * → (add3 − c3) = diff → global average pool → softmax.
     */
    private static ComputationGraph graph(CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.1, 0.9)).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3, format))
                .addLayer("c0", conv(format), "in")
                .addLayer("c1", conv(format), "c0")
                .addLayer("bn1", new BatchNormalization.Builder().dataFormat(format).build(), "c1")
                .addLayer("relu1", new ActivationLayer(Activation.RELU), "bn1")
                .addLayer("c2", conv(format), "relu1")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c2", "c0")
                .addLayer("relu2", new ActivationLayer(Activation.RELU), "add1")
                .addLayer("c3", conv(format), "relu2")
                .addVertex("add2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c3", "relu2")
                .addVertex("add3", new ElementWiseVertex(ElementWiseVertex.Op.Add), "add2", "c3", "relu2")
                .addVertex("diff", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "add3", "c3")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "diff")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static ConvolutionLayer conv(CNN2DFormat format) {
        return new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).dataFormat(format)
                .activation(Activation.IDENTITY).build();
    }

    private static INDArray features(CNN2DFormat format, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray nchw = Nd4j.rand(DataType.FLOAT, 8, 3, 8, 8).subi(0.5);
        return format == CNN2DFormat.NCHW ? nchw : nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static INDArray labels(int step) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 8, 4);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, (i + step) % 4, 1f);
        }
        return labels;
    }

    private static float[] values(INDArray a) {
        return a.dup().data().asFloat();
    }
}
