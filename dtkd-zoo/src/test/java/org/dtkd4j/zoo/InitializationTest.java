package org.dtkd4j.zoo;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.optim.TorchBatchNorm;
import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.zoo.onnx.NumpyArchives;
import org.dtkd4j.zoo.onnx.PyTorchWeights;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zoo's initial distributions against the reference's.
 *
 * <p>Samples: each trajectory scenario's {@code student_init.npz} is a reference student as its constructor
 * initialised it, so each of its weight and bias tensors is a sample of the reference's initial distribution for
 * that tensor; the zoo's tensor of the same {@code state_dict} key must have the same standard deviation within
 * sampling error (five standard errors of the difference of two sample deviations, {@code 5·σ/√n}), and constant
 * tensors (BatchNorm γ and β, zeroed biases) the same constant.
 *
 * <p>Formulas: for one model of every family, every tensor against the reference's initialisation code (its model
 * files' {@code __init__} / {@code _initialize_weights}, PyTorch's defaults elsewhere), with PyTorch's fan-in
 * {@code k²·in/groups} and fan-out {@code k²·out} of the tensor's PyTorch shape: standard deviation within
 * {@code 5·σ/√(2n)}, uniform tensors within their bound, constants exact.
 */
class InitializationTest {

    private static final double SIGMAS = 5;

    /** The reference's initialisation of a family: see {@link Initialization#REFERENCE}. */
    private record Reference(boolean fanOutNormalConvs, boolean smallClassifier, boolean zeroClassifierBias) {
    }

    private static List<Path> scenarios() throws IOException {
        try (Stream<Path> dirs = Files.list(GoldenFixtures.dir().resolve("trajectory"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("scenario.json"))).sorted().toList();
        }
    }

    @TestFactory
    List<DynamicTest> everyTensorIsDistributedAsTheReferencesOwnInitialStudent() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path scenario : scenarios()) {
            tests.add(DynamicTest.dynamicTest(scenario.getFileName().toString(), () ->
                    assertThat(mismatches(scenario, Initialization.REFERENCE))
                            .as("tensors whose initial distribution differs from the reference's").isEmpty()));
            tests.add(DynamicTest.dynamicTest(scenario.getFileName() + " with DL4J's scheme", () ->
                    assertThat(mismatches(scenario, Initialization.DL4J))
                            .as("DL4J's initialisation is measurably not the reference's").isNotEmpty()));
        }
        assertThat(tests).as("trajectory scenarios").isNotEmpty();
        return tests;
    }

    /** @return one line per tensor of the zoo student whose distribution does not match the reference sample's */
    private static List<String> mismatches(Path scenario, Initialization init) {
        JsonNode json = GoldenFixtures.json(scenario.resolve("scenario.json"));
        int[] input = new int[3];
        for (int i = 0; i < 3; i++) {
            input[i] = json.get("input_shape").get(i).asInt();
        }
        ComputationGraph graph = CifarZoo.build(json.get("student").asText(), ZooSpec.builder()
                .numClasses(json.get("num_classes").asInt()).input(input[0], input[1], input[2]).seed(3)
                .initialization(init).build());
        Map<String, INDArray> reference = NumpyArchives.read(scenario.resolve("student_init.npz"));
        List<String> off = new ArrayList<>();
        for (String key : PyTorchWeights.expectedShapes(graph).keySet()) {
            if (key.endsWith(".running_mean") || key.endsWith(".running_var")) {
                continue;
            }
            double[] r = reference.get(key).castTo(DataType.DOUBLE).reshape(-1).toDoubleVector();
            double[] z = tensor(graph, key);
            double rMin = Arrays.stream(r).min().orElseThrow();
            double rMax = Arrays.stream(r).max().orElseThrow();
            if (rMin == rMax) {
                if (Arrays.stream(z).anyMatch(v -> v != rMin)) {
                    off.add(key + ": reference all " + rMin + ", zoo in [" + Arrays.stream(z).min().orElseThrow()
                            + ", " + Arrays.stream(z).max().orElseThrow() + "]");
                }
                continue;
            }
            double sr = std(r);
            double sz = std(z);
            if (Math.abs(sz - sr) > SIGMAS * sr / Math.sqrt(r.length)) {
                off.add(String.format("%s (%d values): std %.4f, reference %.4f", key, r.length, sz, sr));
            }
        }
        return off;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "resnet8x4, true, false, false",
            "ResNet18, true, false, false",
            "wrn_40_1, true, false, true",
            "vgg8, true, true, true",
            "MobileNetV2, true, true, true",
            "ShuffleV1, false, false, false",
            "ShuffleV2, false, false, false"})
    void everyTensorFollowsTheReferencesInitialisationCode(String name, boolean fanOut, boolean small,
                                                           boolean zeroBias) {
        Reference ref = new Reference(fanOut, small, zeroBias);
        ComputationGraph graph = CifarZoo.build(name, ZooSpec.builder().seed(5).build());
        Map<String, long[]> shapes = PyTorchWeights.expectedShapes(graph);
        List<String> off = new ArrayList<>();
        shapes.forEach((key, shape) -> {
            double[] z = tensor(graph, key);
            String module = key.substring(0, key.lastIndexOf('.'));
            boolean bn = graph.getLayer(module) != null && graph.getLayer(module).paramTable().containsKey("gamma");
            if (key.endsWith(".running_mean") || key.endsWith(".running_var")) {
                double constant = key.endsWith(".running_var") ? 1 : 0;
                expectConstant(off, key, z, constant);
            } else if (bn) {
                expectConstant(off, key, z, key.endsWith(".weight") ? 1 : 0);
            } else if (shape.length == 4) {
                long k2 = shape[2] * shape[3];
                if (ref.fanOutNormalConvs()) {
                    expectStd(off, key, z, Math.sqrt(2.0 / (k2 * shape[0])));
                } else {
                    expectUniform(off, key, z, 1 / Math.sqrt(k2 * shape[1]));
                }
            } else if (shape.length == 1 && !key.startsWith(classifier(graph) + ".")) {
                expectConstant(off, key, z, 0);
            } else if (shape.length == 2) {
                if (ref.smallClassifier()) {
                    expectStd(off, key, z, 0.01);
                } else {
                    expectUniform(off, key, z, 1 / Math.sqrt(shape[1]));
                }
            } else if (ref.zeroClassifierBias()) {
                expectConstant(off, key, z, 0);
            } else {
                expectUniform(off, key, z, 1 / Math.sqrt(shapes.get(classifier(graph) + ".weight")[1]));
            }
        });
        assertThat(off).as(name + ": tensors not initialised as the reference's code").isEmpty();
    }

    private static String classifier(ComputationGraph graph) {
        return graph.getConfiguration().getVertexInputs().get(CifarZoo.OUTPUT).get(0);
    }

    private static void expectConstant(List<String> off, String key, double[] z, double constant) {
        if (Arrays.stream(z).anyMatch(v -> v != constant)) {
            off.add(key + ": expected all " + constant);
        }
    }

    private static void expectStd(List<String> off, String key, double[] z, double sigma) {
        double s = std(z);
        if (Math.abs(s - sigma) > SIGMAS * sigma / Math.sqrt(2.0 * z.length)) {
            off.add(String.format("%s (%d values): std %.4f, reference %.4f", key, z.length, s, sigma));
        }
    }

    /** {@code U(±bound)}: inside the bound, standard deviation {@code bound/√3}. */
    private static void expectUniform(List<String> off, String key, double[] z, double bound) {
        double max = Arrays.stream(z).map(Math::abs).max().orElseThrow();
        if (max > bound * (1 + 1e-6)) {
            off.add(String.format("%s: |value| up to %.4f, bound %.4f", key, max, bound));
        }
        expectStd(off, key, z, bound / Math.sqrt(3));
    }

    /** The values of a {@code state_dict} tensor in a zoo graph (a grouped convolution's members concatenated). */
    private static double[] tensor(ComputationGraph graph, String key) {
        int dot = key.lastIndexOf('.');
        String module = key.substring(0, dot);
        String suffix = key.substring(dot + 1);
        List<double[]> parts = new ArrayList<>();
        for (Layer layer : graph.getLayers()) {
            String n = layer.conf().getLayer().getLayerName();
            if (n.equals(module) || n.startsWith(module + CifarZoo.GROUP_SUFFIX)) {
                boolean bn = layer.paramTable().containsKey("gamma");
                String param = switch (suffix) {
                    case "weight" -> bn ? "gamma" : "W";
                    case "bias" -> bn ? "beta" : "b";
                    case "running_mean" -> "mean";
                    default -> "var";
                };
                parts.add(layer.getParam(param).castTo(DataType.DOUBLE).reshape(-1).toDoubleVector());
            }
        }
        return parts.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    private static double std(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
    }

    @Test
    void sameSeedSameParametersAndTheListenerIsAttached() {
        ZooSpec spec = ZooSpec.builder().numClasses(10).seed(8).build();
        ComputationGraph a = CifarZoo.build("ShuffleV2", spec);
        assertThat(CifarZoo.build("ShuffleV2", spec).params()).isEqualTo(a.params());
        assertThat(CifarZoo.build("ShuffleV2", spec.toBuilder().seed(9).build()).getLayer("linear").getParam("b"))
                .isNotEqualTo(a.getLayer("linear").getParam("b"));
        assertThat(a.getListeners()).hasExactlyElementsOfTypes(TorchBatchNorm.class);
        assertThat(Nd4j.createFromArray(tensor(a, "linear.bias")).amaxNumber().doubleValue()).isPositive();
    }
}
