package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.GoldenFixtures;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PyTorchWeightsTest {

    private static Map<String, INDArray> stateDict(Path onnx) {
        return OnnxFiles.initializers(OnnxFiles.read(onnx), DataType.FLOAT);
    }

    /**
     * @return a state dict that fits {@code graph}, in the graph's data type: every expected tensor, holding
     *         consecutive integers (distinct across the whole dict, exact in float32), variances positive
     */
    private static Map<String, INDArray> distinctStateDict(ComputationGraph graph) {
        Map<String, INDArray> dict = new LinkedHashMap<>();
        double[] next = {0};
        DataType dataType = graph.params().dataType();
        PyTorchWeights.expectedShapes(graph).forEach((key, shape) -> {
            INDArray a = Nd4j.linspace(dataType, next[0], 1, Arrays.stream(shape).reduce(1, (x, y) -> x * y))
                    .reshape(shape);
            next[0] += a.length();
            dict.put(key, key.endsWith("running_var") ? a.add(1) : a);
        });
        return dict;
    }

    @TestFactory
    Stream<DynamicTest> expectedTensorsAreExactlyTheExportsInitializers() {
        return GoldenFixtures.onnxFiles().stream().map(file -> DynamicTest.dynamicTest(
                GoldenFixtures.modelName(file), () -> {
                    ComputationGraph graph = CifarZoo.build(GoldenFixtures.modelName(file), ZooSpec.defaults());
                    Map<String, long[]> expected = PyTorchWeights.expectedShapes(graph);
                    Map<String, INDArray> exported = stateDict(file);
                    assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(exported.keySet());
                    expected.forEach((key, shape) -> assertThat(shape).as(key)
                            .containsExactly(exported.get(key).shape()));
                }));
    }

    @Test
    void reportsEveryProblemAtOnceAndLoadsNothing() {
        ComputationGraph graph = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).build());
        INDArray before = graph.params().dup();
        Map<String, INDArray> dict = distinctStateDict(CifarZoo.build("resnet8", ZooSpec.defaults())); // 100 classes
        dict.remove("layer1.0.conv1.weight");
        dict.put("layer9.0.conv1.weight", Nd4j.zeros(DataType.FLOAT, 4));
        dict.put("bn1.num_batches_tracked", Nd4j.scalar(7L));

        assertThatThrownBy(() -> PyTorchWeights.load(graph, dict))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 problem(s), nothing was loaded")
                .hasMessageContaining("missing from the state dict (1): layer1.0.conv1.weight [16, 16, 3, 3]")
                .hasMessageContaining("unexpected (no layer of the graph takes them) (1): layer9.0.conv1.weight [4]")
                .hasMessageContaining("fc.weight: graph needs [10, 64], state dict has FLOAT [100, 64]")
                .hasMessageContaining("fc.bias: graph needs [10], state dict has FLOAT [100]")
                .hasMessageNotContaining("num_batches_tracked");
        assertThat(graph.params()).isEqualTo(before);
    }

    @Test
    void integerTensorsAreShapeMismatches() {
        ComputationGraph graph = CifarZoo.build("resnet8", ZooSpec.defaults());
        Map<String, INDArray> dict = new LinkedHashMap<>(distinctStateDict(graph));
        dict.put("bn1.running_mean", Nd4j.zeros(DataType.INT64, 16));
        assertThatThrownBy(() -> PyTorchWeights.load(graph, dict))
                .hasMessageContaining("bn1.running_mean: graph needs [16], state dict has " + DataType.INT64 + " [16]");
    }

    @Test
    void layersWithoutAMappingAreNamed() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addLayer("fc", new DenseLayer.Builder().nIn(4).nOut(3).build(), "in")
                .addLayer("act", new PReLULayer.Builder().inputShape(3).build(), "fc")
                .addLayer("out", new OutputLayer.Builder().nIn(3).nOut(2).build(), "act")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        assertThatThrownBy(() -> PyTorchWeights.load(graph, Map.of()))
                .hasMessageContaining("graph layers without a PyTorch mapping (1): act (PReLULayer)")
                .hasMessageContaining("missing from the state dict (4): fc.weight [3, 4], fc.bias [3], out.weight [2, 3]");
        assertThatThrownBy(() -> PyTorchWeights.expectedShapes(graph)).hasMessageContaining("act (PReLULayer)");
    }

    @Test
    void tensorsGoWhereTheMappingSays() {
        ComputationGraph graph = CifarZoo.build("ShuffleV1", ZooSpec.builder().dataType(DataType.DOUBLE).build());
        Map<String, INDArray> dict = distinctStateDict(graph);
        PyTorchWeights.load(graph, dict);
        // grouped 1x1 convolution, 3 groups of 80 -> 20 channels: group 1 holds output rows 20..39
        INDArray grouped = dict.get("layer1.1.conv1.weight");
        assertThat(grouped.shape()).containsExactly(60, 80, 1, 1);
        assertThat(graph.getLayer("layer1.1.conv1#g1").getParam("W").getDouble(3, 5, 0, 0))
                .isEqualTo(grouped.getDouble(23, 5, 0, 0));
        // depthwise 3x3: PyTorch [C, 1, kH, kW] -> DL4J [kH, kW, C, 1]
        INDArray dw = dict.get("layer1.1.conv2.weight");
        assertThat(graph.getLayer("layer1.1.conv2").getParam("W").getDouble(2, 0, 17, 0))
                .isEqualTo(dw.getDouble(17, 0, 2, 0));
        // linear: PyTorch [out, in] -> DL4J [in, out]
        assertThat(graph.getLayer("linear").getParam("W").getDouble(900, 42))
                .isEqualTo(dict.get("linear.weight").getDouble(42, 900));
        assertThat(graph.getLayer("layer3.3.bn3").getParam("var").ravel().getDouble(7))
                .isEqualTo(dict.get("layer3.3.bn3.running_var").getDouble(7));
    }

    @Test
    void initializersSharedThroughIdentityNodesResolve(@TempDir Path dir) throws Exception {
        Path export = GoldenFixtures.smallestExport();
        String name = GoldenFixtures.modelName(export);
        Onnx.ModelProto model = OnnxFiles.read(export);
        Map<String, INDArray> original = stateDict(export);
        // two BatchNorm variances of the same shape: the second becomes an Identity of the first
        List<String> variances = original.keySet().stream().filter(k -> k.endsWith(".running_var")).toList();
        String source = null;
        String target = null;
        for (int i = 0; i < variances.size() && target == null; i++) {
            for (int j = i + 1; j < variances.size() && target == null; j++) {
                if (Arrays.equals(original.get(variances.get(i)).shape(), original.get(variances.get(j)).shape())) {
                    source = variances.get(i);
                    target = variances.get(j);
                }
            }
        }
        assertThat(target).as("two BatchNorm variances of the same shape in " + export).isNotNull();
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(target)) {
                g.removeInitializer(i);
                break;
            }
        }
        g.addNode(0, Onnx.NodeProto.newBuilder().setOpType("Identity").addInput(source).addOutput(target));
        Path shared = dir.resolve("shared.onnx");
        Files.write(shared, model.toBuilder().setGraph(g).build().toByteArray());

        ComputationGraph graph = CifarZoo.build(name, ZooSpec.defaults());
        PyTorchWeights.load(graph, shared);
        Map<String, INDArray> resolved = new LinkedHashMap<>(original);
        resolved.put(target, original.get(source));
        ComputationGraph expected = CifarZoo.build(name, ZooSpec.defaults());
        PyTorchWeights.load(expected, resolved);
        assertThat(original.get(target)).isNotEqualTo(original.get(source));
        assertThat(graph.params()).isEqualTo(expected.params());
    }

    @Test
    void batchNormEpsilonOfTheExportIsAdoptedAndSaved(@TempDir Path dir) throws Exception {
        Path export = GoldenFixtures.smallestExport();
        String name = GoldenFixtures.modelName(export);
        Onnx.ModelProto model = OnnxFiles.read(export);
        Onnx.GraphProto.Builder g = model.getGraph().toBuilder();
        for (Onnx.NodeProto.Builder node : g.getNodeBuilderList()) {
            if (node.getOpType().equals("BatchNormalization")) {
                for (Onnx.AttributeProto.Builder a : node.getAttributeBuilderList()) {
                    if (a.getName().equals("epsilon")) {
                        a.setF(1e-3f);
                    }
                }
            }
        }
        Path eps = dir.resolve("eps.onnx");
        Files.write(eps, model.toBuilder().setGraph(g).build().toByteArray());
        ComputationGraph standard = CifarZoo.build(name, ZooSpec.defaults());
        PyTorchWeights.load(standard, export);
        ComputationGraph adopted = CifarZoo.build(name, ZooSpec.defaults());
        PyTorchWeights.load(adopted, eps);

        assertThat(bnEps(standard)).isNotEmpty().containsOnly(1e-5);
        assertThat(bnEps(adopted)).containsOnly((double) 1e-3f);
        assertThat(adopted.params()).isEqualTo(standard.params());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        assertThat(adopted.outputSingle(false, x)).isNotEqualTo(standard.outputSingle(false, x));

        File saved = dir.resolve("adopted.zip").toFile();
        ModelSerializer.writeModel(adopted, saved, false);
        assertThat(bnEps(ModelSerializer.restoreComputationGraph(saved, false))).containsOnly((double) 1e-3f);
    }

    /** @return the epsilon of every BatchNormalization layer of the graph */
    private static List<Double> bnEps(ComputationGraph graph) {
        return Arrays.stream(graph.getLayers()).map(l -> l.conf().getLayer())
                .filter(BatchNormalization.class::isInstance)
                .map(l -> ((BatchNormalization) l).getEps()).toList();
    }

    @TestFactory
    Stream<DynamicTest> loadedGraphSurvivesModelSerializerExactly(@TempDir Path dir) {
        return GoldenFixtures.onnxFiles().stream()
                .flatMap(onnx -> Stream.of(CNN2DFormat.NCHW, CNN2DFormat.NHWC).map(format -> DynamicTest.dynamicTest(
                        GoldenFixtures.modelName(onnx) + " " + format, () -> {
                            String name = GoldenFixtures.modelName(onnx);
                            ComputationGraph graph = CifarZoo.build(name, ZooSpec.builder().dataFormat(format)
                                    .build());
                            PyTorchWeights.load(graph, onnx);
                            File file = dir.resolve(name + "-" + format + ".zip").toFile();
                            ModelSerializer.writeModel(graph, file, true);
                            ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

                            assertThat(restored.getConfiguration()).isEqualTo(graph.getConfiguration());
                            assertThat(restored.params()).isEqualTo(graph.params());
                            INDArray input = GoldenFixtures.array(GoldenFixtures.io(onnx).get("input"),
                                    DataType.FLOAT);
                            assertThat(restored.outputSingle(false, input))
                                    .isEqualTo(graph.outputSingle(false, input));
                        })));
    }
}
