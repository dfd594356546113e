package org.dtkd4j.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CifarZooTest {

    static final List<String> REFERENCE_NAMES = List.of("resnet8", "resnet14", "resnet20", "resnet32", "resnet44",
            "resnet56", "resnet110", "resnet8x4", "resnet32x4", "ResNet18", "ResNet50", "wrn_16_1", "wrn_16_2",
            "wrn_40_1", "wrn_40_2", "vgg8", "vgg11", "vgg13", "vgg16", "vgg19", "MobileNetV2", "ShuffleV1",
            "ShuffleV2");

    static Stream<JsonNode> referenceModels() {
        JsonNode models = GoldenFixtures.json("models.json").get("models");
        return StreamSupport.stream(models.spliterator(), false);
    }

    @Test
    void namesAreTheReferencesTwentyThreeModels() {
        assertThat(CifarZoo.names()).containsExactlyElementsOf(REFERENCE_NAMES);
        Set<String> golden = new HashSet<>();
        referenceModels().forEach(m -> golden.add(m.get("name").asText()));
        assertThat(golden).containsExactlyInAnyOrderElementsOf(REFERENCE_NAMES);
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> CifarZoo.build("resnet9", ZooSpec.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'resnet9'")
                .hasMessageContaining(String.join(", ", REFERENCE_NAMES));
        assertThatThrownBy(() -> CifarZoo.configuration("mobile_half", ZooSpec.defaults()))
                .hasMessageContaining("MobileNetV2");
    }

    /**
     * Counts against models.json, from the configuration alone (the big models are never allocated): trainable
     * parameters, BatchNorm statistics and layers, Conv2d modules (grouped ones once), depthwise/grouped ones, the
     * single Linear, the logits and pooled-feature widths, and the convolution MACs for one 32×32 image — the last
     * pins every stride, padding and pooling of the architecture.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("referenceModels")
    void structureMatchesTheReference(JsonNode ref) {
        String name = ref.get("name").asText();
        int classes = ref.get("num_classes").asInt();
        ZooSpec spec = ZooSpec.builder().numClasses(classes).build();
        ComputationGraphConfiguration conf = CifarZoo.configuration(name, spec);

        CifarZoo.ParameterCount count = CifarZoo.parameterCount(conf);
        assertThat(count.trainable()).as("trainable parameters").isEqualTo(ref.get("trainable_params").asLong());
        assertThat(count.batchNormStatistics()).as("BN buffer elements")
                .isEqualTo(ref.get("bn_buffer_elements").asLong());
        CNN2DFormat other = spec.dataFormat() == CNN2DFormat.NCHW ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        assertThat(CifarZoo.parameterCount(CifarZoo.configuration(name, spec.toBuilder().dataFormat(other).build())))
                .as("parameters in " + other).isEqualTo(count);

        Map<String, InputType> types = conf.getLayerActivationTypes(InputType.convolutional(32, 32, 3));
        Set<String> convModules = new HashSet<>();
        Set<String> groupedModules = new HashSet<>();
        int bnLayers = 0;
        int linear = 0;
        long macs = 0;
        for (Map.Entry<String, org.deeplearning4j.nn.conf.graph.GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            String vertex = e.getKey();
            if (layer instanceof ConvolutionLayer conv) {
                String module = vertex.replaceAll("#g\\d+$", "");
                convModules.add(module);
                if (conv instanceof DepthwiseConvolution2D || !module.equals(vertex)) {
                    groupedModules.add(module);
                }
                InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) types.get(vertex);
                long inPerOut = conv instanceof DepthwiseConvolution2D ? 1 : conv.getNIn();
                macs += out.getHeight() * out.getWidth() * out.getChannels() * inPerOut
                        * conv.getKernelSize()[0] * conv.getKernelSize()[1];
            } else if (layer instanceof BatchNormalization) {
                bnLayers++;
            } else if (layer instanceof DenseLayer dense) {
                linear++;
                assertThat(dense.getNIn()).as("pooled feature width").isEqualTo(ref.get("pooled_feat_dim").asLong());
                assertThat(dense.getNIn() * dense.getNOut()).isEqualTo(ref.get("macs_linear").asLong());
            }
        }
        assertThat(bnLayers).as("BN layers").isEqualTo(ref.get("bn_layers").asInt());
        assertThat(convModules).as("conv layers").hasSize(ref.get("conv_layers").asInt());
        assertThat(groupedModules).as("depthwise or grouped conv layers")
                .hasSize(ref.get("depthwise_or_grouped_conv_layers").asInt());
        assertThat(linear).isEqualTo(ref.get("linear_layers").asInt());
        assertThat(macs).as("conv MACs per 32x32 image").isEqualTo(ref.get("macs_conv").asLong());
        assertThat(types.get(CifarZoo.FEATURES)).isEqualTo(InputType.feedForward(ref.get("pooled_feat_dim").asLong()));
        assertThat(types.get(CifarZoo.OUTPUT)).isEqualTo(InputType.feedForward(ref.get("output_shape").get(1).asLong()));
        assertThat(conf.getNetworkOutputs()).containsExactly(CifarZoo.OUTPUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet8", "ShuffleV1"})
    void initialisedGraphHoldsTheCountedParameters(String name) {
        ComputationGraph graph = CifarZoo.build(name, ZooSpec.defaults());
        assertThat(graph.numParams()).isEqualTo(CifarZoo.parameterCount(graph.getConfiguration()).total());
        assertThat(graph.params().dataType()).isEqualTo(DataType.FLOAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet8", "ResNet18", "wrn_16_1", "vgg8", "MobileNetV2", "ShuffleV1", "ShuffleV2"})
    void fashionMnistShapedInputBuildsAndRuns(String name) {
        ZooSpec spec = ZooSpec.builder().numClasses(10).input(1, 28, 28).seed(3).build();
        ComputationGraph graph = CifarZoo.build(name, spec);
        INDArray out = graph.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28));
        assertThat(out.shape()).containsExactly(2, 10);
        assertThat(out.isInfinite().any() || out.isNaN().any()).isFalse();
        INDArray features = graph.feedForward(Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28), false).get(CifarZoo.FEATURES);
        assertThat(features.shape()[0]).isEqualTo(2);
        assertThat(features.rank()).isEqualTo(2);
    }

    static Stream<Arguments> everyModelAndInputShape() {
        return REFERENCE_NAMES.stream().flatMap(n -> Stream.of(Arguments.of(n, 3, 32, 100), Arguments.of(n, 1, 28, 10)));
    }

    /** Every model, including the big ones, allocates its counted parameters and runs at 3×32×32 and 1×28×28. */
    @Tag("slow")
    @ParameterizedTest(name = "{0} {1}x{2}x{2}")
    @MethodSource("everyModelAndInputShape")
    void everyModelRuns(String name, int channels, int size, int classes) {
        ZooSpec spec = ZooSpec.builder().numClasses(classes).input(channels, size, size).build();
        ComputationGraph graph = CifarZoo.build(name, spec);
        assertThat(graph.numParams()).isEqualTo(CifarZoo.parameterCount(graph.getConfiguration()).total());
        INDArray out = graph.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, channels, size, size));
        assertThat(out.shape()).containsExactly(2, classes);
        assertThat(out.isNaN().any() || out.isInfinite().any()).isFalse();
    }

    /**
     * Seed 0 included: libnd4j seeds its generator from the clock (milliseconds) when given 0, so the builds are
     * spaced by more than a millisecond.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 11})
    void sameSeedSameWeightsOtherSeedOtherWeights(long seed) throws InterruptedException {
        ZooSpec spec = ZooSpec.builder().seed(seed).build();
        INDArray a = CifarZoo.build("resnet8", spec).params();
        Thread.sleep(5);
        assertThat(CifarZoo.build("resnet8", spec).params()).isEqualTo(a);
        assertThat(CifarZoo.build("resnet8", spec.toBuilder().seed(seed + 1).build()).params()).isNotEqualTo(a);
    }
}
