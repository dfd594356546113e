package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.dtkd4j.core.optim.TorchBatchNorm;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The CIFAR model family of knowledge-distillation research — the reference's {@code cifar_model_dict}
 * (mdistiller, as used by DTKD) — as DL4J {@link ComputationGraph}s with exactly the reference's trainable
 * parameters, built by name:
 * <pre>{@code
 * ComputationGraph student = CifarZoo.build("resnet8x4", ZooSpec.defaults());            // CIFAR-100
 * ComputationGraph fmnist  = CifarZoo.build("wrn_16_2",
 *         ZooSpec.builder().numClasses(10).input(1, 28, 28).seed(7).build());
 * INDArray logits = student.outputSingle(false, images);                                  // [N, 100]
 * }</pre>
 *
 * <p>Families: residual networks ({@code ResNets}: resnet8 … resnet110, resnet8x4, resnet32x4, ResNet18,
 * ResNet50; He et al. 2016), wide residual networks ({@code WideResNets}: wrn_16_1 … wrn_40_2; Zagoruyko and
 * Komodakis 2016), VGG with BatchNorm ({@code Vggs}: vgg8 … vgg19; Simonyan and Zisserman 2015),
 * {@code MobileNetV2} (the reference's {@code mobile_half}; Sandler et al. 2018), {@code ShuffleNetV1}
 * ({@code ShuffleV1}; Zhang et al. 2018) and {@code ShuffleNetV2} ({@code ShuffleV2}; Ma et al. 2018).
 *
 * <p>Every graph has one input {@link #INPUT} ({@code [N, channels, height, width]}, NCHW whatever the spec's
 * {@link ZooSpec#dataFormat() activation layout}; an NHWC graph permutes it once, in a vertex {@code input#nhwc}),
 * the pooled penultimate
 * features as vertex {@link #FEATURES} ({@code [N, F]}) and one output {@link #OUTPUT}: the logits
 * ({@code [N, numClasses]}, no softmax), on which the spec's loss acts during {@code fit}. Layers with parameters
 * are named after the PyTorch module paths of the reference ({@code layer1.0.conv1}, {@code bn1}, {@code fc}), so
 * {@link org.dtkd4j.zoo.onnx.PyTorchWeights} loads PyTorch-trained weights by {@code state_dict} key.
 *
 * <p>Random initialisation is the reference's, per family ({@link Initialization#REFERENCE}: e.g. fan-out
 * He-normal convolutions for ResNets, PyTorch's defaults for ShuffleNets), or DL4J's scheme with
 * {@link Initialization#DL4J}. In training, DL4J's BatchNorm updates its running variance with the biased batch
 * variance; PyTorch, and the reference, use the unbiased one. {@link #build} therefore attaches the listener
 * {@link TorchBatchNorm}, which makes the update PyTorch's (keep it when setting other listeners:
 * {@code addListeners}, not {@code setListeners}); the {@code Distiller} engine adds it to every student. The
 * WRNs' three BatchNorms that the reference applies twice per training step update with decay 0.81 (see
 * {@code WideResNets}).
 *
 * <p>Deviations from the reference, none of which changes the parameters or (at 32×32) the function:
 * <ul>
 *   <li>The final pooling is global average pooling (see {@code NetBuilder.head}); at other input sizes where the
 *   reference's fixed pools would fail or not cover the map, the zoo model still pools globally.</li>
 *   <li>Convolutions with {@code 1 < groups < channels} are one DL4J convolution per group ({@link #GROUP_SUFFIX}).</li>
 * </ul>
 */
public final class CifarZoo {

    /** Name of the graph's input. */
    public static final String INPUT = "input";
    /** Name of the graph's output vertex: the logits {@code [N, numClasses]}. */
    public static final String OUTPUT = "logits";
    /** Name of the vertex holding the globally pooled penultimate features {@code [N, F]}. */
    public static final String FEATURES = "features";
    /**
     * Separator of a grouped convolution's member layers: a PyTorch {@code Conv2d} with {@code 1 < groups <
     * channels} named {@code m} becomes DL4J convolutions {@code m#g0}, {@code m#g1}, …, each over its group's input
     * channels, whose outputs are concatenated in a vertex named {@code m}. Member {@code g} holds output channels
     * {@code [g·out/groups, (g+1)·out/groups)} of PyTorch's weight {@code m.weight}.
     */
    public static final String GROUP_SUFFIX = "#g";

    private static final int[] NARROW = {16, 16, 32, 64};
    private static final int[] WIDE = {32, 64, 128, 256};

    /** Seed offset of the classifier bias stream, so that it does not repeat the weights' random numbers. */
    private static final long BIAS_STREAM = 0x5DEECE66DL;

    private static final Map<String, Function<ZooSpec, NetBuilder.Model>> MODELS = new LinkedHashMap<>();

    static {
        for (int depth : new int[] {8, 14, 20, 32, 44, 56, 110}) {
            MODELS.put("resnet" + depth, s -> ResNets.cifar(s, depth, NARROW));
        }
        MODELS.put("resnet8x4", s -> ResNets.cifar(s, 8, WIDE));
        MODELS.put("resnet32x4", s -> ResNets.cifar(s, 32, WIDE));
        MODELS.put("ResNet18", s -> ResNets.v2(s, false, 2, 2, 2, 2));
        MODELS.put("ResNet50", s -> ResNets.v2(s, true, 3, 4, 6, 3));
        MODELS.put("wrn_16_1", s -> WideResNets.build(s, 16, 1));
        MODELS.put("wrn_16_2", s -> WideResNets.build(s, 16, 2));
        MODELS.put("wrn_40_1", s -> WideResNets.build(s, 40, 1));
        MODELS.put("wrn_40_2", s -> WideResNets.build(s, 40, 2));
        MODELS.put("vgg8", s -> Vggs.build(s, Vggs.S));
        MODELS.put("vgg11", s -> Vggs.build(s, Vggs.A));
        MODELS.put("vgg13", s -> Vggs.build(s, Vggs.B));
        MODELS.put("vgg16", s -> Vggs.build(s, Vggs.D));
        MODELS.put("vgg19", s -> Vggs.build(s, Vggs.E));
        MODELS.put("MobileNetV2", s -> MobileNetV2.build(s, 6, 0.5));
        MODELS.put("ShuffleV1", s -> ShuffleNetV1.build(s, new int[] {240, 480, 960}, new int[] {4, 8, 4}, 3));
        MODELS.put("ShuffleV2", s -> ShuffleNetV2.build(s, new int[] {116, 232, 464, 1024}, new int[] {3, 7, 3}));
    }

    private CifarZoo() {
    }

    /** @return the 23 model names, as in the reference's {@code cifar_model_dict}, in a fixed order */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /**
     * Builds and initialises a model.
     *
     * <p>The random parameters follow {@link ZooSpec#initialization()}; with {@link Initialization#REFERENCE}, the
     * classifier biases the reference leaves at PyTorch's default (ResNets, ShuffleNets) are drawn here from
     * {@code U(±1/√in)} after the graph's own initialisation ({@link #configuration} alone leaves them 0).
     *
     * @param name a name from {@link #names()} (case-sensitive, as in the reference)
     * @param spec classes, input shape, seed, data type and training setup
     * @return the initialised graph, randomly initialised from {@code spec.seed()}, with the listener
     *         {@link TorchBatchNorm} (PyTorch's BatchNorm running variance when trained with {@code fit})
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static ComputationGraph build(String name, ZooSpec spec) {
        NetBuilder.Model model = model(name, spec);
        ComputationGraph graph = new ComputationGraph(model.configuration());
        graph.init();
        graph.setListeners(new TorchBatchNorm());
        if (model.biasBound() > 0) {
            INDArray bias = graph.getLayer(model.classifier()).getParam(DefaultParamInitializer.BIAS_KEY);
            SplittableRandom random = new SplittableRandom(spec.seed() + BIAS_STREAM);
            double[] values = new double[(int) bias.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextDouble(-model.biasBound(), model.biasBound());
            }
            bias.assign(Nd4j.createFromArray(values).reshape(bias.shape()).castTo(bias.dataType()));
        }
        return graph;
    }

    /**
     * A model built channels-last ({@link ZooSpec#dataFormat()} {@code NHWC}) with given parameters, e.g. those of
     * the same model trained or imported NCHW: both layouts take the same parameters in the same order and compute
     * the same function (tested in {@code DataFormatTest}; with oneDNN's kernels a float32 teacher's logits are the
     * same bits, its NHWC convolution kernel running in both). A teacher infers faster channels-last on ND4J's CPU
     * backend: oneDNN computes 2D convolutions in NHWC there, so an NCHW graph pays a layout conversion of every
     * convolution's input and output.
     *
     * @param name   a name from {@link #names()}
     * @param spec   the model's classes, input shape and data type (its layout is ignored)
     * @param params the parameters, in the order of {@link #build}'s graph
     * @return the initialised channels-last graph holding a copy of {@code params}
     * @throws IllegalArgumentException for an unknown name, or parameters of another length than the model's
     */
    public static ComputationGraph channelsLast(String name, ZooSpec spec, INDArray params) {
        ComputationGraph graph = build(name, spec.toBuilder().dataFormat(CNN2DFormat.NHWC).build());
        if (params.length() != graph.numParams()) {
            throw new IllegalArgumentException(name + " with " + spec.numClasses() + " classes and input "
                    + spec.channels() + "x" + spec.height() + "x" + spec.width() + " has " + graph.numParams()
                    + " parameters, found " + params.length());
        }
        graph.setParams(params.castTo(spec.dataType()));
        return graph;
    }

    /**
     * The graph configuration of a model, without allocating its parameters (e.g. to count them with
     * {@link #parameterCount(ComputationGraphConfiguration)}).
     *
     * @param name a name from {@link #names()}
     * @param spec classes, input shape, seed, data type and training setup
     * @return the configuration
     * @throws IllegalArgumentException for an unknown name, listing the valid ones
     */
    public static ComputationGraphConfiguration configuration(String name, ZooSpec spec) {
        return model(name, spec).configuration();
    }

    private static NetBuilder.Model model(String name, ZooSpec spec) {
        Function<ZooSpec, NetBuilder.Model> model = MODELS.get(name);
        if (model == null) {
            throw new IllegalArgumentException("Unknown model '" + name + "'; valid names: "
                    + String.join(", ", MODELS.keySet()));
        }
        return model.apply(spec);
    }

    /**
     * Parameters of a graph configuration split as PyTorch counts them.
     *
     * @param trainable              elements of trainable parameters (PyTorch's {@code requires_grad} parameters:
     *                               weights, biases, BatchNorm γ and β)
     * @param batchNormStatistics    elements of BatchNorm running means and variances (buffers in PyTorch,
     *                               parameters that are not trained by gradient in DL4J)
     */
    public record ParameterCount(long trainable, long batchNormStatistics) {
        /** @return all DL4J parameters, {@code trainable + batchNormStatistics} */
        public long total() {
            return trainable + batchNormStatistics;
        }
    }

    /**
     * Counts a configuration's parameters from its layer configurations, without allocating them.
     *
     * @param conf a graph configuration (of any graph, not only zoo models)
     * @return trainable parameters and BatchNorm statistics
     */
    public static ParameterCount parameterCount(ComputationGraphConfiguration conf) {
        long all = 0;
        long statistics = 0;
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                all += layer.initializer().numParams(layer);
                if (layer instanceof BatchNormalization bn) {
                    statistics += 2 * bn.getNOut();
                }
            }
        }
        return new ParameterCount(all - statistics, statistics);
    }
}
