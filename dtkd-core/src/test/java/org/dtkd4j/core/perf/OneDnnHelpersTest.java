package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Supplier;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
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
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The default CPU backend really runs DL4J's oneDNN helpers once {@link FastKernels#enable()} ran, and they compute
 * what DL4J's built-in layers compute.
 */
class OneDnnHelpersTest {

    private static final int BATCH = 4;
    private static final int CHANNELS = 3;
    private static final int SIZE = 8;
    private static final int CLASSES = 5;

    /**
     * Float32 agreement, relative to the largest magnitude of the compared tensor (at least 1): both paths sum the
     * same 27..216 products in a different order (oneDNN may also use FMA), which moves results by a few float32
     * ulps (2^-23 = 1.2e-7) of the largest terms; measured differences are 1e-7..4e-7 relative. 1e-5 (~80 ulps) is
     * far below any real defect (a wrong kernel, layout, bias or batch statistic changes values by O(1e-2) or more).
     */
    private static final double FLOAT_TOLERANCE = 1e-5;

    @BeforeAll
    static void requireCpuBackendAndEnable() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "oneDNN helpers exist on ND4J's CPU backend only");
        FastKernels.enable();
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void convolutionPoolingAndBatchNormRunOnOneDnnHelpers(CNN2DFormat format) {
        ComputationGraph net = new ComputationGraph(config(format));
        net.init();

        assertThat(net.getLayer("conv").getHelper()).isInstanceOf(MKLDNNConvHelper.class);
        assertThat(net.getLayer("bn").getHelper()).isInstanceOf(MKLDNNBatchNormHelper.class);
        assertThat(net.getLayer("pool").getHelper()).isInstanceOf(MKLDNNSubsamplingHelper.class);
        assertThat(FastKernels.status()).contains("oneDNN built in and in use")
                .contains("DL4J layer helpers ON, BLAS threads ");
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void helpersMatchBuiltInLayersForwardAndBackward(CNN2DFormat format) {
        ComputationGraph withHelpers = new ComputationGraph(config(format));
        withHelpers.init();
        assertThat(withHelpers.getLayer("conv").getHelper()).isInstanceOf(MKLDNNConvHelper.class);
        ComputationGraph builtIn = withProperty(FastKernels.HELPERS_DISABLE_PROPERTY, "true", () -> {
            ComputationGraph net = new ComputationGraph(config(format));
            net.init(withHelpers.params().dup(), true);
            return net;
        });
        for (Layer layer : builtIn.getLayers()) {
            assertThat(layer.getHelper()).as("helper of %s", layer.getConfig().getLayerName()).isNull();
        }

        long[] shape = format == CNN2DFormat.NCHW
                ? new long[] {BATCH, CHANNELS, SIZE, SIZE} : new long[] {BATCH, SIZE, SIZE, CHANNELS};
        Nd4j.getRandom().setSeed(42);
        INDArray input = Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(4);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, i % CLASSES, 1f);
        }

        assertClose(withHelpers.outputSingle(false, input), builtIn.outputSingle(false, input), "inference output");
        assertClose(withHelpers.outputSingle(true, input), builtIn.outputSingle(true, input), "training output");

        withHelpers.setInputs(input);
        withHelpers.setLabels(labels);
        withHelpers.computeGradientAndScore();
        builtIn.setInputs(input);
        builtIn.setLabels(labels);
        builtIn.computeGradientAndScore();
        assertThat(withHelpers.score())
                .isCloseTo(builtIn.score(), within(FLOAT_TOLERANCE * Math.max(1.0, builtIn.score())));
        for (String param : builtIn.paramTable().keySet()) {
            assertClose(withHelpers.gradient().getGradientFor(param), builtIn.gradient().getGradientFor(param),
                    "gradient of " + param);
        }
    }

    /**
     * Conv(3x3, bias) -> BatchNorm -> ReLU -> MaxPool(2x2) -> softmax. Helper fallback is off, so a helper that
     * fails throws instead of silently handing over to the built-in code.
     */
    private static ComputationGraphConfiguration config(CNN2DFormat format) {
        return new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, CHANNELS, format))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).dataFormat(format).helperAllowFallback(false).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().dataFormat(format).helperAllowFallback(false).build(),
                        "conv")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).dataFormat(format).helperAllowFallback(false).build(), "relu")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
    }

    private static void assertClose(INDArray actual, INDArray expected, String what) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        double maxAbsDiff = actual.sub(expected).amaxNumber().doubleValue();
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        assertThat(maxAbsDiff).as("%s: max |helpers - built-in| (scale %s)", what, scale)
                .isLessThanOrEqualTo(FLOAT_TOLERANCE * scale);
    }

    private static <T> T withProperty(String key, String value, Supplier<T> action) {
        String previous = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return action.get();
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }
}
