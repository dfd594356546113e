package org.dtkd4j.core.optim;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PyTorch's BatchNorm running statistics after one training step: {@code running_mean = d·rm + (1−d)·μ} and
 * {@code running_var = d·rv + (1−d)·σ²·n/(n−1)} with the biased batch variance {@code σ²} over the {@code n}
 * values per channel, computed here independently from the layer's input.
 */
class TorchBatchNormTest {

    private static final int N = 5;
    private static final int C = 3;
    private static final int H = 4;
    private static final int W = 2;

    /**
     * In FLOAT the layer may run on DL4J's oneDNN helper (when the layer helpers are on), whose batch variance is
     * biased too; the listener corrects either path.
     */
    @ParameterizedTest(name = "useLogStd {0}, decay {1}, listener {2}, {3}")
    @CsvSource({"false, 0.9, true, DOUBLE", "true, 0.9, true, DOUBLE", "false, 0.81, true, DOUBLE",
            "false, 0.9, false, DOUBLE", "false, 0.9, true, FLOAT"})
    void oneTrainingStepUpdatesTheRunningStatisticsAsPyTorch(boolean logStd, double decay, boolean listener,
                                                             DataType type) {
        double tolerance = type == DataType.DOUBLE ? 1e-13 : 1e-5;
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(type).updater(new Sgd(0.1)).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(H, W, C, CNN2DFormat.NCHW))
                .addLayer("bn", new BatchNormalization.Builder().decay(decay).eps(1e-5).useLogStd(logStd).build(),
                        "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out").build());
        graph.init();
        if (listener) {
            graph.setListeners(new TorchBatchNorm());
        }
        INDArray rm = Nd4j.createFromArray(0.5, -1.0, 2.0).castTo(type);
        INDArray rv = Nd4j.createFromArray(2.0, 0.25, 3.0).castTo(type);
        graph.getLayer("bn").setParam("mean", rm.reshape(1, C));
        if (logStd) {
            graph.getLayer("bn").setParam("log10stdev", Transforms.log(rv, 10, true).muli(0.5).reshape(1, C));
        } else {
            graph.getLayer("bn").setParam("var", rv.reshape(1, C));
        }
        INDArray x = Nd4j.rand(type, N, C, H, W).muli(3).subi(1);

        graph.fit(new DataSet(x, Nd4j.rand(type, N, 2)));
        x = x.castTo(DataType.DOUBLE);
        rm = rm.castTo(DataType.DOUBLE);
        rv = rv.castTo(DataType.DOUBLE);

        long n = (long) N * H * W;
        INDArray mu = x.mean(0, 2, 3);
        INDArray biased = x.var(false, 0, 2, 3);
        INDArray batchVar = listener ? biased.mul((double) n / (n - 1)) : biased;
        INDArray wantMean = rm.mul(decay).addi(mu.mul(1 - decay));
        INDArray wantVar = rv.mul(decay).addi(batchVar.mul(1 - decay));
        INDArray gotVar = logStd ? Transforms.pow(Nd4j.valueArrayOf(new long[] {C}, 10.0, DataType.DOUBLE),
                graph.getLayer("bn").getParam("log10stdev").castTo(DataType.DOUBLE).reshape(C).mul(2))
                : graph.getLayer("bn").getParam("var").castTo(DataType.DOUBLE);
        INDArray gotMean = graph.getLayer("bn").getParam("mean").castTo(DataType.DOUBLE).reshape(C);
        assertThat(gotMean.sub(wantMean).amaxNumber().doubleValue()).isLessThan(tolerance);
        assertThat(gotVar.reshape(C).sub(wantVar).amaxNumber().doubleValue()).isLessThan(tolerance);
    }

    @ParameterizedTest(name = "MultiLayerNetwork, listener {0}")
    @ValueSource(booleans = {true, false})
    void worksOnDenseBatchNormInAMultiLayerNetwork(boolean listener) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(C).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(false).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(C).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        if (listener) {
            net.setListeners(List.of(new TorchBatchNorm()));
        }
        INDArray x = Nd4j.rand(DataType.DOUBLE, N, 4);
        INDArray h = net.feedForwardToLayer(0, x, true).get(1);
        INDArray rv = net.getLayer(1).getParam("var").reshape(C).dup();

        net.fit(new DataSet(x, Nd4j.rand(DataType.DOUBLE, N, 2)));

        INDArray biased = h.var(false, 0);
        INDArray batchVar = listener ? biased.mul((double) N / (N - 1)) : biased;
        INDArray want = rv.mul(0.9).addi(batchVar.mul(0.1));
        assertThat(net.getLayer(1).getParam("var").reshape(C).sub(want).amaxNumber().doubleValue())
                .isLessThan(1e-13);
    }
}
