package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GraphTeacherTest {

    static final int CLASSES = 5;
    static INDArray x;

    @BeforeAll
    static void input() {
        Nd4j.getRandom().setSeed(7);
        x = Nd4j.rand(DataType.DOUBLE, 3, 3, 8, 8).subi(0.5);
    }

    /** input [N,3,8,8] -> conv -> BN (random statistics) -> relu -> dropout'ed global average pool -> output. */
    static ComputationGraph graph(Activation outputActivation, CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(format).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().useLogStd(false).dataFormat(format).build(), "conv")
                .addLayer("relu", new ActivationLayer(Activation.RELU), "bn")
                .addLayer("pool", new GlobalPoolingLayer(PoolingType.AVG), "relu")
                .addLayer("out", new OutputLayer.Builder(loss(outputActivation)).nOut(CLASSES)
                        .activation(outputActivation).dropOut(0.5).build(), "pool")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(8, 8, 3, format))
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        g.getLayer("bn").getParam("mean").assign(Nd4j.rand(DataType.DOUBLE, 4).subi(0.5).reshape(g.getLayer("bn")
                .getParam("mean").shape()));
        g.getLayer("bn").getParam("var").assign(Nd4j.rand(DataType.DOUBLE, 4).addi(0.5).reshape(g.getLayer("bn")
                .getParam("var").shape()));
        return g;
    }

    static LossFunctions.LossFunction loss(Activation outputActivation) {
        return outputActivation == Activation.SOFTMAX ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE;
    }

    static MultiLayerNetwork network(Activation outputActivation) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss(outputActivation)).nIn(8).nOut(CLASSES)
                        .activation(outputActivation).build())
                .build());
        n.init();
        return n;
    }

    @Test
    void identityOutputIsReturnedAsIs() {
        ComputationGraph g = graph(Activation.IDENTITY, CNN2DFormat.NCHW);
        GraphTeacher t = GraphTeacher.of(g);
        INDArray logits = t.logits(x);
        assertThat(t.softmaxRemoved()).isFalse();
        assertThat(t.numClasses()).isEqualTo(CLASSES);
        assertThat(t.describe()).isEqualTo("DL4J ComputationGraph teacher (5 classes)");
        assertThat(logits).isEqualTo(g.output(false, x)[0]);
        assertThat(logits.data().asDouble()).as("bit for bit (the copy runs the inference kernels)")
                .containsExactly(g.output(false, x)[0].data().asDouble());
    }

    @Test
    void softmaxOutputGivesThePreSoftmaxActivations() {
        ComputationGraph g = graph(Activation.SOFTMAX, CNN2DFormat.NCHW);
        GraphTeacher t = GraphTeacher.of(g);
        INDArray logits = t.logits(x);
        assertThat(t.softmaxRemoved()).isTrue();
        assertThat(t.describe()).contains("pre-softmax output of layer 'out'");

        // W·pool + b, from the original graph's own activations and parameters
        INDArray pooled = g.feedForward(x, false).get("pool");
        INDArray expected = pooled.mmul(g.getLayer("out").getParam("W")).addiRowVector(g.getLayer("out").getParam("b"));
        assertThat(maxAbsDiff(logits, expected)).isLessThan(1e-14);
        // the softmax of the teacher's logits is the original graph's output, which still ends in its softmax
        INDArray probabilities = g.output(false, x)[0];
        assertThat(probabilities.sum(1).sub(1.0).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(maxAbsDiff(Transforms.softmax(logits, true), probabilities)).isLessThan(1e-14);
    }

    @Test
    void multiLayerNetworkWithIdentityAndSoftmaxOutputs() {
        INDArray v = Nd4j.rand(DataType.DOUBLE, 4, 6);
        MultiLayerNetwork identity = network(Activation.IDENTITY);
        GraphTeacher ti = GraphTeacher.of(identity);
        assertThat(ti.softmaxRemoved()).isFalse();
        assertThat(ti.logits(v)).isEqualTo(identity.output(v, false));

        MultiLayerNetwork softmax = network(Activation.SOFTMAX);
        GraphTeacher ts = GraphTeacher.of(softmax);
        assertThat(ts.softmaxRemoved()).isTrue();
        assertThat(ts.describe()).isEqualTo("DL4J MultiLayerNetwork teacher (5 classes, pre-softmax output of layer "
                + "'layer1')");
        INDArray hidden = Transforms.tanh(v.mmul(softmax.getLayer(0).getParam("W"))
                .addiRowVector(softmax.getLayer(0).getParam("b")));
        INDArray expected = hidden.mmul(softmax.getLayer(1).getParam("W"))
                .addiRowVector(softmax.getLayer(1).getParam("b"));
        assertThat(maxAbsDiff(ts.logits(v), expected)).isLessThan(1e-14);
        assertThat(maxAbsDiff(Transforms.softmax(ts.logits(v), true), softmax.output(v, false))).isLessThan(1e-14);
    }

    @Test
    void softmaxInAFinalActivationLayerIsRemovedAndClassesComeFromTheLayerBefore() {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).list()
                .layer(new DenseLayer.Builder().nIn(6).nOut(CLASSES).activation(Activation.IDENTITY).build())
                .layer(new ActivationLayer(Activation.SOFTMAX))
                .build());
        n.init();
        INDArray v = Nd4j.rand(DataType.DOUBLE, 4, 6);
        GraphTeacher t = GraphTeacher.of(n);
        assertThat(t.softmaxRemoved()).isTrue();
        assertThat(t.numClasses()).isEqualTo(CLASSES);
        INDArray expected = v.mmul(n.getLayer(0).getParam("W")).addiRowVector(n.getLayer(0).getParam("b"));
        assertThat(maxAbsDiff(t.logits(v), expected)).isLessThan(1e-14);
    }

    @Test
    void inferenceModeIsDeterministicAndTheTeacherIsAFrozenCopy() {
        ComputationGraph g = graph(Activation.SOFTMAX, CNN2DFormat.NCHW);
        INDArray paramsBefore = g.params().dup();
        GraphTeacher t = GraphTeacher.of(g);
        INDArray first = t.logits(x);
        for (int i = 0; i < 5; i++) {
            assertThat(t.logits(x)).isEqualTo(first); // dropout off, BatchNorm on running statistics
        }
        assertThat(g.params()).isEqualTo(paramsBefore); // the original is untouched
        g.params().muli(0.5); // training or changing the original afterwards does not reach the teacher
        assertThat(t.logits(x)).isEqualTo(first);
    }

    @Test
    void nhwcGraphsReceivePermutedFeatures() {
        ComputationGraph g = graph(Activation.IDENTITY, CNN2DFormat.NHWC);
        GraphTeacher t = GraphTeacher.of(g);
        INDArray nhwc = x.permute(0, 2, 3, 1).dup('c');
        assertThat(t.logits(x).data().asDouble()).containsExactly(g.output(false, nhwc)[0].data().asDouble());
        assertThatThrownBy(() -> t.logits(nhwc)) // NHWC features given to the teacher: 8 "channels" instead of 3
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[3, 8, 8, 3]").hasMessageContaining("[-1, 3, -1, -1]");
    }

    @Test
    void wrongInputShapesNameBothShapes() {
        GraphTeacher cnn = GraphTeacher.of(graph(Activation.IDENTITY, CNN2DFormat.NCHW));
        assertThatThrownBy(() -> cnn.logits(Nd4j.rand(DataType.DOUBLE, 2, 1, 8, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DL4J ComputationGraph teacher: input of shape [2, 1, 8, 8] does not fit the model's input "
                        + "[-1, 3, -1, -1] (DL4J layout, -1 = any size)");
        GraphTeacher dense = GraphTeacher.of(network(Activation.IDENTITY));
        assertThatThrownBy(() -> dense.logits(Nd4j.rand(DataType.DOUBLE, 2, 7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 7]").hasMessageContaining("[-1, 6]");
    }

    @Test
    void inputsTheModelStillRejectsAreReportedWithTheirShape() {
        // Dense after a flattening preprocessor: the 8x8 size is fixed, which the first layer cannot tell
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(2).build(), "in")
                .addLayer("out", new OutputLayer.Builder().nOut(CLASSES).activation(Activation.SOFTMAX).build(), "conv")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build());
        g.init();
        GraphTeacher t = GraphTeacher.of(g);
        assertThat(t.logits(x).shape()).containsExactly(3, CLASSES);
        assertThatThrownBy(() -> t.logits(Nd4j.rand(DataType.DOUBLE, 2, 3, 10, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DL4J ComputationGraph teacher: the model failed on input of shape "
                        + "[2, 3, 10, 10] (model input [-1, 3, -1, -1]): ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void resultsAreDetachedAndNotOverwrittenByLaterCalls() {
        GraphTeacher t = GraphTeacher.of(graph(Activation.SOFTMAX, CNN2DFormat.NCHW));
        INDArray first = t.logits(x);
        INDArray copy = first.dup();
        assertThat(first.isAttached()).isFalse();
        assertThat(t.logits(x.mul(2))).isNotEqualTo(copy);
        assertThat(first).isEqualTo(copy);
    }

    @Test
    void dl4jNetworksRefuseToRunInsideAnOpenWorkspace() {
        GraphTeacher t = GraphTeacher.of(graph(Activation.SOFTMAX, CNN2DFormat.NCHW));
        WorkspaceConfiguration wsConf = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(wsConf, "CALLER_WS")) {
            assertThatThrownBy(() -> t.logits(x)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("CALLER_WS");
        }
        assertThat(t.logits(x).shape()).containsExactly(3, CLASSES);
    }

    @Test
    void loadsGraphsAndNetworksFromModelSerializerZips(@TempDir Path dir) throws Exception {
        ComputationGraph g = graph(Activation.SOFTMAX, CNN2DFormat.NCHW);
        Path gz = dir.resolve("graph.zip");
        ModelSerializer.writeModel(g, gz.toFile(), true);
        GraphTeacher tg = GraphTeacher.load(gz);
        assertThat(tg.describe()).isEqualTo("DL4J teacher graph.zip (5 classes, pre-softmax output of layer 'out')");
        assertThat(tg.logits(x)).isEqualTo(GraphTeacher.of(g).logits(x));

        MultiLayerNetwork n = network(Activation.SOFTMAX);
        Path nz = dir.resolve("network.zip");
        n.save(nz.toFile());
        INDArray v = Nd4j.rand(DataType.DOUBLE, 4, 6);
        GraphTeacher tn = GraphTeacher.load(nz);
        assertThat(tn.logits(v)).isEqualTo(GraphTeacher.of(n).logits(v));
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        assertBadFile(dir.resolve("missing.zip"), "not found");

        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "this is not a model\n");
        assertBadFile(text, "not a zip file");

        Path model = dir.resolve("model.zip");
        ModelSerializer.writeModel(graph(Activation.IDENTITY, CNN2DFormat.NCHW), model.toFile(), false);
        byte[] whole = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertBadFile(truncated, "not a zip file");

        Path otherZip = dir.resolve("other.zip");
        try (OutputStream out = Files.newOutputStream(otherZip); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("hello".getBytes());
        }
        assertBadFile(otherZip, "no configuration.json");

        Path brokenConfig = dir.resolve("broken.zip");
        try (OutputStream out = Files.newOutputStream(brokenConfig); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("configuration.json"));
            zip.write("{\"vertices\": {}, \"networkInputs\": 3}".getBytes());
        }
        assertBadFile(brokenConfig, "cannot be restored as a DL4J ComputationGraph");
    }

    @Test
    void graphsNeedOneInputOneOutputAndInitialisedParameters() {
        ComputationGraph two = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("a", "b")
                .addLayer("out", new OutputLayer.Builder().nIn(2).nOut(CLASSES).build(), "a")
                .addLayer("out2", new OutputLayer.Builder().nIn(2).nOut(CLASSES).build(), "b")
                .setOutputs("out", "out2").build());
        two.init();
        assertThatThrownBy(() -> GraphTeacher.of(two)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found inputs [a, b] and outputs [out, out2]");
        ComputationGraph uninitialised = new ComputationGraph(graph(Activation.IDENTITY, CNN2DFormat.NCHW)
                .getConfiguration());
        assertThatThrownBy(() -> GraphTeacher.of(uninitialised)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not initialised");
    }

    @Test
    void aClosedTeacherCannotBeUsed() {
        GraphTeacher t = GraphTeacher.of(graph(Activation.IDENTITY, CNN2DFormat.NCHW));
        t.close();
        assertThatThrownBy(() -> t.logits(x)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static void assertBadFile(Path file, String what) {
        assertThatThrownBy(() -> GraphTeacher.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("DL4J model file " + file + ": ")
                .hasMessageContaining(what)
                .hasMessageNotContaining("\n");
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }
}
