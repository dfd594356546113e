package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.dtkd4j.core.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link FusedBatchNorm} computes what DL4J's BatchNorm layer computes: outputs, gradients (parameters, input, and
 * the running-statistics updates DL4J carries as gradients) and parameters after training steps agree with DL4J's
 * built-in path in float64 to float32 rounding, in training and inference mode, for image (NCHW) and dense
 * activations; it is deterministic, and declines what it does not compute.
 */
class FusedBatchNormTest {

    private static final int BATCH = 6;
    private static final int CHANNELS = 3;
    private static final int SIZE = 8;
    private static final int CLASSES = 5;

    /**
     * Float32 against the float64 reference, relative to the largest magnitude of the compared tensor (at least 1).
     * Every float32 path (this class, DL4J's built-in float path, its oneDNN helper) rounds each of the network's
     * values to 2^-24 relative, and a batch-statistics gradient subtracts nearly equal sums, so float32 paths sit
     * 1e-7..1e-6 from float64 here. 1e-5 is far below any real defect: a wrong statistic, a missing term of the
     * backward formula or a biased/unbiased mix-up moves values by 1e-2 or more.
     */
    private static final double FLOAT_TOLERANCE = 1e-5;

    @BeforeAll
    static void requireCpuBackend() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "the fused BatchNorm serves ND4J's CPU backend");
        FastKernels.enable();
    }

    @Test
    void installReplacesTheHelperOfEveryNchwBatchNormLayerAndNoOther() {
        ComputationGraph net = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        assertThat(net.getLayer("bn_conv").getHelper()).isInstanceOf(MKLDNNBatchNormHelper.class);
        assertThat(FusedBatchNorm.installedIn(net)).isZero();

        assertThat(FusedBatchNorm.install(net)).isEqualTo(2);

        assertThat(net.getLayer("bn_conv").getHelper()).isInstanceOf(FusedBatchNorm.class);
        assertThat(net.getLayer("bn_dense").getHelper()).isInstanceOf(FusedBatchNorm.class);
        assertThat(FusedBatchNorm.installedIn(net)).isEqualTo(2);

        ComputationGraph nhwc = graph(DataType.FLOAT, CNN2DFormat.NHWC);
        assertThat(FusedBatchNorm.install(nhwc)).as("only the dense BatchNorm of an NHWC graph").isEqualTo(1);
        assertThat(nhwc.getLayer("bn_conv").getHelper()).isInstanceOf(MKLDNNBatchNormHelper.class);
        assertThat(nhwc.getLayer("bn_dense").getHelper()).isInstanceOf(FusedBatchNorm.class);
    }

    @Test
    void outputsAndGradientsMatchDl4jInFloat64() {
        ComputationGraph fused = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        FusedBatchNorm.install(fused);
        ComputationGraph reference = float64Copy(fused);
        DataSet batch = batch(7, 0);
        DataSet batch64 = new DataSet(batch.getFeatures().castTo(DataType.DOUBLE),
                batch.getLabels().castTo(DataType.DOUBLE));

        assertClose(fused.outputSingle(true, batch.getFeatures()),
                reference.outputSingle(true, batch64.getFeatures()), "training output");
        assertClose(fused.outputSingle(false, batch.getFeatures()),
                reference.outputSingle(false, batch64.getFeatures()), "inference output");

        fused.setInputs(batch.getFeatures());
        fused.setLabels(batch.getLabels());
        fused.computeGradientAndScore();
        reference.setInputs(batch64.getFeatures());
        reference.setLabels(batch64.getLabels());
        reference.computeGradientAndScore();
        assertThat(Math.abs(fused.score() - reference.score())).as("score")
                .isLessThanOrEqualTo(FLOAT_TOLERANCE * Math.max(1, reference.score()));
        Map<String, INDArray> expected = reference.gradient().gradientForVariable();
        assertThat(fused.gradient().gradientForVariable().keySet()).isEqualTo(expected.keySet())
                .contains("bn_conv_gamma", "bn_conv_beta", "bn_conv_mean", "bn_dense_gamma");
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose(fused.gradient().getGradientFor(e.getKey()), e.getValue(), "gradient of " + e.getKey());
        }
    }

    @Test
    void parametersAndRunningStatisticsAfterStepsMatchDl4jInFloat64() {
        ComputationGraph fused = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        FusedBatchNorm.install(fused);
        ComputationGraph reference = float64Copy(fused);
        for (int step = 0; step < 3; step++) {
            DataSet batch = batch(100 + step, 0);
            fused.fit(batch);
            reference.fit(new DataSet(batch.getFeatures().castTo(DataType.DOUBLE),
                    batch.getLabels().castTo(DataType.DOUBLE)));
        }
        for (String name : reference.paramTable().keySet()) {
            assertClose(fused.getParam(name), reference.getParam(name), "parameter " + name);
        }
        assertThat(FusedBatchNorm.installedIn(fused)).as("still installed after fit").isEqualTo(2);
    }

    @Test
    void stepsAreBitwiseRepeatable() {
        INDArray[] params = new INDArray[2];
        for (int run = 0; run < 2; run++) {
            ComputationGraph net = graph(DataType.FLOAT, CNN2DFormat.NCHW);
            FusedBatchNorm.install(net);
            for (int step = 0; step < 3; step++) {
                net.fit(batch(200 + step, 0));
            }
            params[run] = net.params().dup();
        }
        assertThat(params[0].equals(params[1])).isTrue();
    }

    /** A large common mean over a unit spread, which a one-pass {@code E[x²] − E[x]²} float variance gets wrong. */
    @Test
    void batchStatisticsAreTwoPassAccurateUnderALargeMean() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 2, 4, 4).subi(0.5).muli(4).addi(1000);
        INDArray gamma = Nd4j.createFromArray(1f, 2f);
        INDArray beta = Nd4j.createFromArray(0f, -1f);
        FusedBatchNorm helper = new FusedBatchNorm();
        INDArray y = helper.preOutput(x, true, x.shape(), gamma, beta, null, null, 0.9, 1e-5, CNN2DFormat.NCHW,
                LayerWorkspaceMgr.noWorkspaces());

        INDArray x64 = x.castTo(DataType.DOUBLE);
        INDArray mean = x64.mean(0, 2, 3);
        INDArray var = x64.var(false, 0, 2, 3);
        assertClose(helper.getMeanCache(DataType.FLOAT), mean, "batch mean");
        assertThat(helper.getVarCache(DataType.FLOAT).castTo(DataType.DOUBLE).sub(var).amaxNumber().doubleValue())
                .as("biased batch variance").isLessThanOrEqualTo(FLOAT_TOLERANCE * var.amaxNumber().doubleValue());
        INDArray std = Transforms.sqrt(var.add(1e-5), false);
        INDArray expected = x64.sub(mean.reshape(1, 2, 1, 1)).divi(std.reshape(1, 2, 1, 1))
                .muli(gamma.castTo(DataType.DOUBLE).reshape(1, 2, 1, 1))
                .addi(beta.castTo(DataType.DOUBLE).reshape(1, 2, 1, 1));
        assertClose(y, expected, "normalised output");
    }

    /**
     * A BatchNorm layer that applies the ReLU after it computes the bits of the same layer followed by
     * {@link MaskReLU}: training and inference outputs, score, every gradient, and the parameters after steps.
     */
    @Test
    void fusedReluGivesTheBitsOfBatchNormThenMaskReLU() {
        ComputationGraph separate = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        MaskReLU.install(separate);
        FusedBatchNorm.install(separate);
        ComputationGraph fused = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        GraphKernels.training(fused, true);
        assertThat(FusedBatchNorm.fuseRelu(fused)).as("both BatchNorm layers feed a ReLU alone").isEqualTo(2);
        assertThat(floats(fused.params())).isEqualTo(floats(separate.params()));

        DataSet batch = batch(11, 0.5);
        assertThat(floats(fused.outputSingle(true, batch.getFeatures())))
                .isEqualTo(floats(separate.outputSingle(true, batch.getFeatures())));
        assertThat(floats(fused.outputSingle(false, batch.getFeatures())))
                .isEqualTo(floats(separate.outputSingle(false, batch.getFeatures())));
        for (ComputationGraph net : List.of(fused, separate)) {
            net.setInputs(batch.getFeatures());
            net.setLabels(batch.getLabels());
            net.computeGradientAndScore();
        }
        assertThat(fused.score()).isEqualTo(separate.score());
        for (Map.Entry<String, INDArray> e : separate.gradient().gradientForVariable().entrySet()) {
            assertThat(floats(fused.gradient().getGradientFor(e.getKey()))).as("gradient of " + e.getKey())
                    .isEqualTo(floats(e.getValue()));
        }
        for (int step = 0; step < 3; step++) {
            fused.fit(batch(300 + step, 0.5));
            separate.fit(batch(300 + step, 0.5));
        }
        assertThat(floats(fused.params())).isEqualTo(floats(separate.params()));
        assertThat(floats(fused.params())).isNotEqualTo(floats(graph(DataType.FLOAT, CNN2DFormat.NCHW).params()));
    }

    /**
     * A backward pass after an inference pass that applied the ReLU would mask the gradient with the batch statistics
     * instead of the running ones the output used: it throws, naming what it found.
     */
    @Test
    void backwardAfterAnInferencePassWithTheReluThrows() {
        ComputationGraph net = graph(DataType.FLOAT, CNN2DFormat.NCHW);
        GraphKernels.training(net, true);
        net.fit(batch(17, 0));
        DataSet batch = batch(18, 0);
        net.outputSingle(false, batch.getFeatures());
        FusedBatchNorm helper = (FusedBatchNorm) ((org.deeplearning4j.nn.layers.normalization.BatchNormalization)
                net.getLayer("bn_conv")).getHelper();
        assertThat(helper.reluApplied()).isTrue();
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 4, SIZE, SIZE);
        INDArray gamma = Nd4j.ones(DataType.FLOAT, 1, 4);
        assertThatThrownBy(() -> helper.backpropGradient(x, x, x.shape(), gamma, gamma,
                Nd4j.create(DataType.FLOAT, 1, 4), Nd4j.create(DataType.FLOAT, 1, 4), 1e-5, CNN2DFormat.NCHW,
                LayerWorkspaceMgr.noWorkspaces()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("BatchNorm backward pass: the forward pass applied the ReLU after it, which DL4J's own "
                        + "backward pass would leave out; found input FLOAT [6, 4, 8, 8] after an inference pass "
                        + "with 4 channels' statistics");
    }

    /**
     * Only a BatchNorm layer whose output a plain ReLU alone takes applies it: not one whose output also goes
     * elsewhere, nor one followed by another activation; those ReLUs keep computing.
     */
    @Test
    void fuseReluOnlyWhereAReluAloneTakesTheOutput() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, CHANNELS))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn_alone", new BatchNormalization.Builder().build(), "conv")
                .addLayer("relu_alone", new ActivationLayer(Activation.RELU), "bn_alone")
                .addLayer("bn_shared", new BatchNormalization.Builder().build(), "relu_alone")
                .addLayer("relu_shared", new ActivationLayer(Activation.RELU), "bn_shared")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "relu_shared", "bn_shared")
                .addLayer("bn_leaky", new BatchNormalization.Builder().build(), "sum")
                .addLayer("leaky", new ActivationLayer(Activation.LEAKYRELU), "bn_leaky")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "leaky")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        ComputationGraph reference = net.clone();
        GraphKernels.training(net, true);
        assertThat(FusedBatchNorm.installedIn(net)).isEqualTo(3);
        assertThat(FusedBatchNorm.fuseRelu(net)).isEqualTo(1);

        MaskReLU.install(reference);
        FusedBatchNorm.install(reference);
        DataSet batch = batch(13, 0);
        assertThat(floats(net.outputSingle(true, batch.getFeatures())))
                .isEqualTo(floats(reference.outputSingle(true, batch.getFeatures())));
        net.fit(batch);
        reference.fit(batch);
        assertThat(floats(net.params())).isEqualTo(floats(reference.params()));
    }

    /**
     * The channel sums (mean, squared deviations, both gradient sums) are within float32 summation's error bound of
     * the exact sums at every length around and across a row: {@code (k − 1)·2^−24·Σ|term|} for partial sums of
     * {@code k} terms each. A value left out or counted twice misses by about one term's size, far above the bound.
     */
    @Test
    void channelSumsAreWithinFloatSummationErrorOfExactSums() {
        Random r = new Random(29);
        float[] partial = new float[FusedBatchNorm.WIDTH];
        float[] second = new float[FusedBatchNorm.WIDTH];
        double[] sums = new double[2];
        for (int length : ChannelSumBits.LENGTHS) {
            float[] x = ChannelSumBits.values(r, length, 3, 1.5f);
            float[] dy = ChannelSumBits.values(r, length, 1e-3f, 0);
            double perPartial = (length + FusedBatchNorm.WIDTH - 1) / FusedBatchNorm.WIDTH;
            double unit = Math.max(perPartial - 1, 1) * 0x1p-24;
            double sum = 0;
            double sumAbs = 0;
            for (float v : x) {
                sum += v;
                sumAbs += Math.abs(v);
            }
            assertThat(FusedBatchNorm.sum(x, length, partial)).as("sum of %s values", length)
                    .isCloseTo(sum, within(unit * sumAbs));
            float m = (float) (sum / length);
            double squares = 0;
            double sumDy = 0;
            double sumDyAbs = 0;
            double products = 0;
            double productsAbs = 0;
            for (int k = 0; k < length; k++) {
                double d = (double) x[k] - m;
                squares += d * d;
                sumDy += dy[k];
                sumDyAbs += Math.abs(dy[k]);
                products += dy[k] * d;
                productsAbs += Math.abs(dy[k] * d);
            }
            // each float term (x − m), (x − m)² and ∂y·(x − m) carries up to two roundings of its own
            assertThat(FusedBatchNorm.squaredDeviations(x, m, length, partial)).as("squared deviations, %s", length)
                    .isCloseTo(squares, within((unit + 0x1p-22) * squares));
            FusedBatchNorm.gradientSums(dy, x, m, length, partial, second, sums);
            assertThat(sums[0]).as("gradient sum, %s", length).isCloseTo(sumDy, within(unit * sumDyAbs));
            assertThat(sums[1]).as("gradient-deviation sum, %s", length)
                    .isCloseTo(products, within((unit + 0x1p-22) * productsAbs));
        }
    }

    /**
     * The surefire JVM runs the channel sums in vector form; a JVM without the vector module, and one with it
     * switched off, run the scalar form: the same bits.
     */
    @Test
    void channelSumsHaveTheSameBitsWithoutTheVectorModule() throws Exception {
        assertThat(FusedBatchNorm.VECTOR).as("surefire starts the tests with the vector module").isTrue();
        String digest = "digest: " + ChannelSumBits.digest();
        assertThat(ChildJvm.run(List.of(), Map.of(), 0, ChannelSumBits.class))
                .contains("channel sums: scalar").contains(digest);
        assertThat(ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "-D" + VectorApi.PROPERTY + "=false"),
                Map.of(), 0, ChannelSumBits.class)).contains("channel sums: scalar").contains(digest);
    }

    @Test
    void declinesFloat64WhichThenRunsDl4jsBuiltInPathExactly() {
        ComputationGraph declined = graph(DataType.DOUBLE, CNN2DFormat.NCHW);
        assertThat(FusedBatchNorm.install(declined)).isEqualTo(2);
        ComputationGraph builtIn = graph(DataType.DOUBLE, CNN2DFormat.NCHW);
        DataSet batch = batch(9, 0);
        DataSet batch64 = new DataSet(batch.getFeatures().castTo(DataType.DOUBLE),
                batch.getLabels().castTo(DataType.DOUBLE));
        declined.fit(batch64);
        builtIn.fit(batch64);
        assertThat(declined.params().equals(builtIn.params())).isTrue();
    }

    /**
     * Conv(3x3) → BatchNorm → ReLU → MaxPool(2x2) → Dense(7) → BatchNorm → ReLU → softmax, plain SGD; helper fallback
     * off, so a helper that fails throws instead of handing over to DL4J's built-in code.
     */
    private static ComputationGraph graph(DataType type, CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7)
                .dataType(type)
                .updater(new Sgd(0.1))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, CHANNELS, format))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).dataFormat(format).build(), "in")
                .addLayer("bn_conv", new BatchNormalization.Builder().dataFormat(format).helperAllowFallback(false)
                        .build(), "conv")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn_conv")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).dataFormat(format).build(), "relu")
                .addLayer("dense", new DenseLayer.Builder().nOut(7).activation(Activation.IDENTITY).build(), "pool")
                .addLayer("bn_dense", new BatchNormalization.Builder().helperAllowFallback(false).build(), "dense")
                .addLayer("relu_dense", new ActivationLayer(Activation.RELU), "bn_dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "relu_dense")
                .setOutputs("out")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** @return the same network in float64 on DL4J's built-in BatchNorm, with the same parameters */
    private static ComputationGraph float64Copy(ComputationGraph net) {
        ComputationGraph copy = graph(DataType.DOUBLE, CNN2DFormat.NCHW);
        copy.setParams(net.params().castTo(DataType.DOUBLE));
        return copy;
    }

    /** A float batch: uniform values in [offset − 2, offset + 2), one-hot labels. */
    private static DataSet batch(long seed, double offset) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, CHANNELS, SIZE, SIZE).subi(0.5).muli(4).addi(offset);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, (int) ((i + seed) % CLASSES), 1f);
        }
        return new DataSet(x, y);
    }

    /** @return the values of {@code a} in C order, as floats */
    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private static void assertClose(INDArray actual, INDArray expected, String what) {
        assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
        double maxAbsDiff = actual.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue();
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        assertThat(maxAbsDiff).as("%s: max |fused float32 - DL4J float64| (scale %s)", what, scale)
                .isLessThanOrEqualTo(FLOAT_TOLERANCE * scale);
    }
}
