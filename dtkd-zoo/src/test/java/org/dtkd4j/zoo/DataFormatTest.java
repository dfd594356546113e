package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.perf.FastKernels;
import org.dtkd4j.zoo.vertex.ChannelsLastVertex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NCHW and NHWC builds of the same model are the same function of the same parameters: equal logits and features
 * in inference, equal training score and gradients of every parameter, equal parameters and BatchNorm statistics
 * after a training step. float64 runs DL4J's own kernels; float32 runs the oneDNN helpers (their NHWC kernels
 * included; enabled here).
 */
class DataFormatTest {

    private static final int BATCH = 4;
    private static final int CLASSES = 4;
    /** How much larger the NHWC float32 error (against float64) may be than the NCHW float32 error. */
    private static final double FLOAT_ERROR_RATIO = 4;

    @BeforeAll
    static void enableOneDnnHelpers() {
        FastKernels.enable();
    }

    private static ZooSpec spec(DataType dataType, int size, CNN2DFormat format) {
        return ZooSpec.builder().numClasses(CLASSES).input(3, size, size).seed(3).dataType(dataType)
                .dataFormat(format).build();
    }

    /** @return max |a − b| / scale, with {@code scale} the largest |b| or, if larger, {@code floor} */
    private static double relative(INDArray a, INDArray b, double floor) {
        double scale = Math.max(floor, Transforms.abs(b.castTo(DataType.DOUBLE)).maxNumber().doubleValue());
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE))).maxNumber().doubleValue()
                / scale;
    }

    /** What a graph computes for one batch: inference, training score and gradients, and one {@code fit} step. */
    private record Run(INDArray logits, INDArray features, double score, Map<String, INDArray> gradients,
                       Map<String, INDArray> paramsAfterStep, INDArray logitsAfterStep) {

        static Run of(ComputationGraph graph, INDArray images, INDArray labels) {
            DataType dataType = graph.getConfiguration().getDataType();
            INDArray x = images.castTo(dataType);
            INDArray y = labels.castTo(dataType);
            INDArray logits = graph.outputSingle(false, x).dup();
            INDArray features = graph.feedForward(x, false).get(CifarZoo.FEATURES).dup();
            graph.setInputs(x);
            graph.setLabels(y);
            graph.computeGradientAndScore();
            Map<String, INDArray> gradients = new HashMap<>();
            graph.gradient().gradientForVariable().forEach((k, g) -> gradients.put(k, g.dup()));
            double score = graph.score();
            graph.fit(new DataSet(x, y));
            Map<String, INDArray> params = new HashMap<>();
            graph.paramTable().forEach((k, p) -> params.put(k, p.dup()));
            return new Run(logits, features, score, gradients, params, graph.outputSingle(false, x).dup());
        }
    }

    /** Random parameters, with positive BatchNorm variances, copied into the other graphs by parameter name. */
    private static void sameRandomParameters(ComputationGraph source, ComputationGraph... targets) {
        Nd4j.getRandom().setSeed(17);
        source.paramTable().forEach((key, p) -> {
            INDArray values = Nd4j.rand(p.dataType(), p.shape());
            p.assign(key.endsWith("_var") ? values.addi(0.5) : values.subi(0.5).muli(key.endsWith("_W") ? 0.5 : 1));
            for (ComputationGraph target : targets) {
                assertThat(target.paramTable()).containsKey(key);
                assertThat(target.getParam(key).shape()).as(key).containsExactly(p.shape());
                target.getParam(key).assign(p.castTo(target.getParam(key).dataType()));
            }
        });
        for (ComputationGraph target : targets) {
            assertThat(target.paramTable().keySet()).containsExactlyInAnyOrderElementsOf(source.paramTable().keySet());
        }
    }

    /**
     * Compares every quantity of two runs. Without a reference: {@code nhwc} within {@code tolerance} of
     * {@code nchw}, relative to the largest value. With a float64 reference: the NHWC error against it at most
     * {@value #FLOAT_ERROR_RATIO} times the NCHW error plus {@code tolerance}. A gradient's error is relative to the
     * largest gradient of its layer: a BatchNorm shift followed by a convolution and a BatchNorm has an exact
     * gradient of zero, which float32 resolves to rounding noise in both layouts.
     */
    private static void compare(Run nhwc, Run nchw, Run reference, double tolerance) {
        Run expected = reference == null ? nchw : reference;
        Map<String, Double> layerScales = new HashMap<>();
        expected.gradients().forEach((key, g) -> layerScales.merge(key.substring(0, key.lastIndexOf('_')),
                Transforms.abs(g.castTo(DataType.DOUBLE)).maxNumber().doubleValue(), Math::max));
        Map<String, double[]> errors = new LinkedHashMap<>();
        errors.put("inference logits", new double[] {relative(nhwc.logits(), expected.logits(), 0),
                relative(nchw.logits(), expected.logits(), 0)});
        errors.put("pooled features", new double[] {relative(nhwc.features(), expected.features(), 0),
                relative(nchw.features(), expected.features(), 0)});
        errors.put("training score", new double[] {Math.abs(nhwc.score() - expected.score()) / expected.score(),
                Math.abs(nchw.score() - expected.score()) / expected.score()});
        assertThat(nhwc.gradients().keySet()).containsExactlyInAnyOrderElementsOf(expected.gradients().keySet());
        expected.gradients().forEach((key, g) -> {
            double floor = layerScales.get(key.substring(0, key.lastIndexOf('_')));
            errors.put("gradient of " + key, new double[] {relative(nhwc.gradients().get(key), g, floor),
                    relative(nchw.gradients().get(key), g, floor)});
        });
        expected.paramsAfterStep().forEach((key, p) -> errors.put("after one step: " + key, new double[] {
                relative(nhwc.paramsAfterStep().get(key), p, 0), relative(nchw.paramsAfterStep().get(key), p, 0)}));
        errors.put("inference logits after one step", new double[] {
                relative(nhwc.logitsAfterStep(), expected.logitsAfterStep(), 0),
                relative(nchw.logitsAfterStep(), expected.logitsAfterStep(), 0)});
        errors.forEach((what, e) -> assertThat(e[0]).as(what + " (NCHW error " + e[1] + ")")
                .isLessThanOrEqualTo(reference == null ? tolerance : FLOAT_ERROR_RATIO * e[1] + tolerance));
    }

    /** float64 (DL4J's own kernels) at 8×8: NHWC equals NCHW to 1e-10. */
    @ParameterizedTest(name = "{0} float64")
    @ValueSource(strings = {"resnet8", "wrn_16_1", "vgg8", "MobileNetV2", "ShuffleV1", "ShuffleV2"})
    void nhwcModelsComputeWhatNchwModelsCompute(String name) {
        check(name, DataType.DOUBLE, 8, 1e-10);
    }

    /**
     * float32 (oneDNN kernels) at 16×16, both layouts compared with a float64 NCHW run of the same parameters:
     * float32 rounding, amplified by training-mode BatchNorm over few values (1×1 maps late in the network), moves
     * gradients by up to several percent in <em>both</em> layouts with these random parameters, so NHWC must be
     * about as accurate as NCHW (a layout defect shows as an error of order 1 in one layout only). MobileNetV2 is
     * not in the list: with these parameters its float32 gradients are off by up to 30% from float64 in both
     * layouts, too ill-conditioned to compare the layouts' accuracy (its float64 run above and its golden logits
     * in float32, both layouts, pass).
     */
    @Tag("slow")
    @ParameterizedTest(name = "{0} float32")
    @ValueSource(strings = {"resnet8", "ShuffleV1", "ShuffleV2"})
    void nhwcModelsAreAsAccurateAsNchwModelsInFloat32(String name) {
        check(name, DataType.FLOAT, 16, 1e-4);
    }

    private static void check(String name, DataType dataType, int size, double tolerance) {
        ComputationGraph nchw = CifarZoo.build(name, spec(dataType, size, CNN2DFormat.NCHW));
        ComputationGraph nhwc = CifarZoo.build(name, spec(dataType, size, CNN2DFormat.NHWC));
        ComputationGraph reference = dataType == DataType.DOUBLE ? null
                : CifarZoo.build(name, spec(DataType.DOUBLE, size, CNN2DFormat.NCHW));
        if (reference == null) {
            sameRandomParameters(nchw, nhwc);
        } else {
            sameRandomParameters(reference, nchw, nhwc);
        }
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 3, size, size).subi(0.5);
        INDArray y = Nd4j.eye(CLASSES).get(NDArrayIndex.interval(0, BATCH));
        compare(Run.of(nhwc, x, y), Run.of(nchw, x, y), reference == null ? null : Run.of(reference, x, y),
                tolerance);
    }

    @Test
    void nhwcGraphsPermuteTheirNchwInputOnceAndComputeInNhwcThroughout() {
        ComputationGraphConfiguration conf = CifarZoo.configuration("ShuffleV2",
                ZooSpec.builder().dataFormat(CNN2DFormat.NHWC).build());
        assertThat(conf.getVertexInputs().get(NetBuilder.CHANNELS_LAST)).containsExactly(CifarZoo.INPUT);
        assertThat(conf.getVertices().get(NetBuilder.CHANNELS_LAST)).isInstanceOf(ChannelsLastVertex.class);
        long users = conf.getVertexInputs().values().stream().filter(in -> in.contains(CifarZoo.INPUT)).count();
        assertThat(users).as("vertices reading the NCHW input").isEqualTo(1);
        conf.getVertices().forEach((name, v) -> {
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof ConvolutionLayer c) {
                    assertThat(c.getCnn2dDataFormat()).as(name).isEqualTo(CNN2DFormat.NHWC);
                } else if (layer instanceof BatchNormalization b) {
                    assertThat(b.getCnn2DFormat()).as(name).isEqualTo(CNN2DFormat.NHWC);
                } else if (layer instanceof SubsamplingLayer s) {
                    assertThat(s.getCnn2dDataFormat()).as(name).isEqualTo(CNN2DFormat.NHWC);
                } else if (layer instanceof ZeroPaddingLayer z) {
                    assertThat(z.getDataFormat()).as(name).isEqualTo(CNN2DFormat.NHWC);
                }
            }
        });
        assertThat(CifarZoo.parameterCount(conf)).isEqualTo(CifarZoo.parameterCount(
                CifarZoo.configuration("ShuffleV2", ZooSpec.defaults())));
    }
}
