package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link MaskReLU} computes DL4J's ReLU layer: the same forward values (training and not) and, for finite gradients,
 * the same backward values (zeros compared by value); training steps give bit-identical parameters; the configuration
 * and clones keep DL4J's ReLU layer.
 */
class MaskReLUTest {

    @Test
    void forwardAndBackwardEqualDl4jsReluLayer() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 5, 5);
        x.putScalar(0, 0.0f);
        x.putScalar(1, -0.0f);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 4, 3, 5, 5);
        float[] input = values(x);
        Layer relu = graph().getLayer("relu1");
        ComputationGraph masked = graph();
        MaskReLU.install(masked);
        Layer mask = masked.getLayer("relu1");
        assertThat(mask).isInstanceOf(MaskReLU.class);

        for (boolean training : new boolean[] {true, false}) {
            assertThat(values(activate(mask, x, training))).as("forward, training " + training)
                    .containsExactly(values(activate(relu, x, training)));
        }
        activate(relu, x, true);
        activate(mask, x, true);
        float[] want = values(relu.backpropGradient(eps.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond());
        float[] got = values(mask.backpropGradient(eps.dup(), LayerWorkspaceMgr.noWorkspaces()).getSecond());
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i] == want[i]).as("element %d: %s vs %s", i, got[i], want[i]).isTrue();
        }
        assertThat(want[0]).as("the gradient at x = 0 is masked").isZero();
        for (boolean training : new boolean[] {true, false}) {
            INDArray in = x.dup();
            mask.activate(in, training, LayerWorkspaceMgr.noWorkspaces());
            assertThat(values(in)).as("the input is left alone, training " + training).containsExactly(input);
        }
    }

    @Test
    void aNanGradientIsNotMaskedAway() {
        ComputationGraph masked = graph();
        MaskReLU.install(masked);
        Layer mask = masked.getLayer("relu1");
        activate(mask, Nd4j.createFromArray(-1f, 2f).reshape(1, 2, 1, 1), true);
        INDArray eps = Nd4j.createFromArray(Float.NaN, 3f).reshape(1, 2, 1, 1);
        float[] got = values(mask.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond());
        assertThat(got[0]).isNaN();
        assertThat(got[1]).isEqualTo(3f);
    }

    @Test
    void aGradientOfAnotherShapeIsRefused() {
        ComputationGraph masked = graph();
        MaskReLU.install(masked);
        Layer mask = masked.getLayer("relu1");
        activate(mask, Nd4j.ones(DataType.FLOAT, 1, 2, 1, 1), true);
        assertThatThrownBy(() -> mask.backpropGradient(Nd4j.ones(DataType.FLOAT, 1, 3, 1, 1),
                LayerWorkspaceMgr.noWorkspaces()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input's [1, 2, 1, 1], found [1, 3, 1, 1]");
    }

    @Test
    void stepsAreBitIdenticalAndTheSavedConfigurationKeepsDl4jsRelu() {
        ComputationGraph plain = graph();
        ComputationGraph masked = graph();
        String json = masked.getConfiguration().toJson();
        assertThat(MaskReLU.install(masked)).isEqualTo(2);
        assertThat(MaskReLU.installedIn(masked)).isEqualTo(2);
        assertThat(MaskReLU.installedIn(plain)).isZero();
        assertThat(masked.getConfiguration().toJson()).as("the graph's configuration").isEqualTo(json)
                .doesNotContain("MaskReLU");
        assertThat(masked.getLayer("relu1")).as("the vertex's layer").isInstanceOf(MaskReLU.class);
        assertThat(masked.getLayers()).filteredOn(l -> l instanceof MaskReLU).hasSize(2);
        assertThat(masked.getLayer("leaky")).as("not plain ReLU").isNotInstanceOf(MaskReLU.class);
        assertThat(masked.getLayer("relu1").conf().getLayer()).isInstanceOfSatisfying(ActivationLayer.class,
                a -> assertThat(a.getActivationFn()).isInstanceOf(ActivationReLU.class));
        assertThat(MaskReLU.installedIn(masked.clone())).as("a clone has DL4J's layers").isZero();

        for (int step = 0; step < 3; step++) {
            Nd4j.getRandom().setSeed(10 + step);
            INDArray features = Nd4j.rand(DataType.FLOAT, 8, 3, 8, 8).subi(0.5);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, 8, 4);
            for (int i = 0; i < 8; i++) {
                labels.putScalar(i, (i + step) % 4, 1f);
            }
            plain.fit(new DataSet(features, labels));
            masked.fit(new DataSet(features, labels));
        }
        assertThat(values(masked.params())).containsExactly(values(plain.params()));
        assertThat(values(masked.params())).isNotEqualTo(values(graph().params()));
    }

    /** Conv → BatchNorm → ReLU layer → Conv → ReLU layer → max pool → softmax, Nesterov momentum. */
    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.1, 0.9)).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("relu1", new ActivationLayer(Activation.RELU), "bn1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "relu1")
                .addLayer("relu2", new ActivationLayer(Activation.RELU), "c2")
                .addLayer("leaky", new ActivationLayer(Activation.LEAKYRELU), "relu2")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "leaky")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static INDArray activate(Layer layer, INDArray x, boolean training) {
        return layer.activate(x.dup(), training, LayerWorkspaceMgr.noWorkspaces());
    }

    private static float[] values(INDArray a) {
        return a.dup().data().asFloat();
    }
}
