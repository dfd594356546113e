package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.dtkd4j.core.dl4j.NativeSeed;
import org.dtkd4j.zoo.vertex.ChannelRangeVertex;
import org.dtkd4j.zoo.vertex.ChannelShuffleVertex;
import org.dtkd4j.zoo.vertex.ChannelsLastVertex;
import org.nd4j.linalg.activations.Activation;

import java.util.Arrays;

/**
 * The building blocks every zoo family is written with, one method per PyTorch module type, each mirroring its
 * PyTorch semantics (padding, strides, groups, BatchNorm constants) and tracking channel counts.
 *
 * <p>Layers carrying parameters are named after the PyTorch module path (e.g. {@code layer1.0.conv1}), which is
 * what lets {@link org.dtkd4j.zoo.onnx.PyTorchWeights} map a {@code state_dict} onto the graph; parameter-free
 * vertices get descriptive names under the same prefix.
 *
 * <p>Every layer and vertex computes in the spec's {@link ZooSpec#dataFormat()}. The input is NCHW; in NHWC it is
 * permuted once, by the vertex {@link #CHANNELS_LAST} every model reads its input from.
 */
final class NetBuilder {

    /** PyTorch's BatchNorm2d epsilon. */
    private static final double BN_EPS = 1e-5;
    /** Standard deviation of the VGG and MobileNetV2 classifiers' weights in the reference. */
    private static final double CLASSIFIER_STD = 0.01;
    /** DL4J decay of the running statistics equivalent to PyTorch's BatchNorm2d momentum 0.1. */
    private static final double BN_DECAY = 0.9;

    /** Name of the vertex that turns the NCHW input into NHWC activations, in NHWC graphs. */
    static final String CHANNELS_LAST = CifarZoo.INPUT + "#nhwc";

    /** A vertex of the graph under construction and the number of channels (or features) it outputs. */
    record Node(String name, int channels) {
    }

    /**
     * The reference's initialisation of a model family ({@link Initialization#REFERENCE}).
     *
     * @param fanOutConvs        convolutions {@code N(0, 2/(k²·out))} (else PyTorch's {@code U(±1/√(k²·in/groups))})
     * @param smallClassifier    classifier weight {@code N(0, 0.01²)} (else PyTorch's {@code U(±1/√in)})
     * @param zeroClassifierBias classifier bias 0 (else PyTorch's {@code U(±1/√in)}, drawn by
     *                           {@link CifarZoo#build} after the graph's initialisation)
     */
    record Family(boolean fanOutConvs, boolean smallClassifier, boolean zeroClassifierBias) {
        /** ResNets and ResNet18/50: {@code kaiming_normal_(mode="fan_out")} convolutions, default classifier. */
        static final Family RESNET = new Family(true, false, false);
        /** WRNs: fan-out normal convolutions, default classifier weight, zero classifier bias. */
        static final Family WIDE_RESNET = new Family(true, false, true);
        /** VGGs and MobileNetV2 ({@code _initialize_weights}): fan-out normal convolutions, N(0, 0.01) classifier. */
        static final Family VGG_MOBILENET = new Family(true, true, true);
        /** ShuffleNets: PyTorch's defaults everywhere. */
        static final Family TORCH_DEFAULTS = new Family(false, false, false);
    }

    /**
     * A built model: its configuration, and the classifier whose bias {@link CifarZoo#build} draws from
     * {@code U(±biasBound)} after initialisation ({@code biasBound} 0: the bias stays 0).
     */
    record Model(ComputationGraphConfiguration configuration, String classifier, double biasBound) {
    }

    private final ZooSpec spec;
    private final Family family;
    private final boolean reference;
    private final CNN2DFormat format;
    private final ComputationGraphConfiguration.GraphBuilder graph;
    private final Node input;

    NetBuilder(ZooSpec spec, Family family) {
        this.spec = spec;
        this.family = family;
        this.reference = spec.initialization() == Initialization.REFERENCE;
        this.format = spec.dataFormat();
        this.graph = new NeuralNetConfiguration.Builder()
                .seed(NativeSeed.of(spec.seed()))
                .dataType(spec.dataType())
                .updater(spec.updater())
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs(CifarZoo.INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels(),
                        CNN2DFormat.NCHW));
        if (format == CNN2DFormat.NHWC) {
            graph.addVertex(CHANNELS_LAST, new ChannelsLastVertex(), CifarZoo.INPUT);
            input = new Node(CHANNELS_LAST, spec.channels());
        } else {
            input = new Node(CifarZoo.INPUT, spec.channels());
        }
    }

    /** @return the network input, in the spec's layout */
    Node input() {
        return input;
    }

    /**
     * {@code nn.Conv2d(in, out, kernel, stride, padding, groups=groups, bias=bias)}. One group is a DL4J
     * convolution; {@code groups == in == out} a depthwise convolution; otherwise one convolution per group, named
     * {@code name + CifarZoo.GROUP_SUFFIX + g}, over channel ranges of the input, concatenated under {@code name}.
     * Weights are drawn as the family's reference initialisation (over the whole module's fan-in and fan-out, as
     * PyTorch computes them for grouped weights) or DL4J's; biases start at 0.
     */
    Node conv(String name, Node in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
        if (groups < 1 || in.channels() % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(name + ": " + groups + " groups do not divide " + in.channels()
                    + " input and " + out + " output channels");
        }
        IWeightInit init = convInit(in.channels() / groups * kernel * kernel, out * kernel * kernel);
        if (groups == 1) {
            convolution(name, in.name(), in.channels(), out, kernel, stride, padding, bias, init);
            return new Node(name, out);
        }
        if (groups == in.channels() && out == in.channels()) {
            graph.addLayer(name, new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                    .padding(padding, padding).nIn(in.channels()).depthMultiplier(1).hasBias(bias).weightInit(init)
                    .dataFormat(format).activation(Activation.IDENTITY).build(), in.name());
            return new Node(name, out);
        }
        int inPerGroup = in.channels() / groups;
        String[] members = new String[groups];
        for (int g = 0; g < groups; g++) {
            Node slice = channels(name + "#in" + g, in, g * inPerGroup, inPerGroup);
            members[g] = name + CifarZoo.GROUP_SUFFIX + g;
            convolution(members[g], slice.name(), inPerGroup, out / groups, kernel, stride, padding, bias, init);
        }
        graph.addVertex(name, new MergeVertex(), members);
        return new Node(name, out);
    }

    private void convolution(String name, String input, int in, int out, int kernel, int stride, int padding,
                             boolean bias, IWeightInit init) {
        graph.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .padding(padding, padding).nIn(in).nOut(out).hasBias(bias).weightInit(init)
                .dataFormat(format).activation(Activation.IDENTITY).build(), input);
    }

    /**
     * @param fanIn  PyTorch's fan-in of the weight, {@code k²·in/groups}
     * @param fanOut PyTorch's fan-out, {@code k²·out}
     */
    private IWeightInit convInit(int fanIn, int fanOut) {
        if (!reference) {
            return WeightInit.RELU.getWeightInitFunction();
        }
        return family.fanOutConvs() ? new WeightInitDistribution(new NormalDistribution(0, Math.sqrt(2.0 / fanOut)))
                : uniform(fanIn);
    }

    /** PyTorch's default {@code kaiming_uniform_(a=√5)}: {@code U(±1/√fanIn)}. */
    private static IWeightInit uniform(int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        return new WeightInitDistribution(new UniformDistribution(-bound, bound));
    }

    /** {@code nn.BatchNorm2d(channels)} with PyTorch's epsilon and momentum; running variance stored as variance. */
    Node bn(String name, Node in) {
        return bn(name, in, BN_DECAY);
    }

    /**
     * A {@code nn.BatchNorm2d(channels)} that the reference's forward pass applies twice to the same input in a
     * training step (once in the network, once more for a feature it returns), so that its running statistics move
     * twice per step: {@code r ← 0.9·(0.9·r + 0.1·b) + 0.1·b = 0.81·r + 0.19·b}, i.e. one update with decay
     * {@code 0.9² = 0.81}. The normalisation and the gradients are those of one application.
     */
    Node bnAppliedTwice(String name, Node in) {
        return bn(name, in, BN_DECAY * BN_DECAY);
    }

    private Node bn(String name, Node in, double decay) {
        graph.addLayer(name, new BatchNormalization.Builder().nIn(in.channels()).nOut(in.channels()).eps(BN_EPS)
                .decay(decay).useLogStd(false).dataFormat(format).build(), in.name());
        return new Node(name, in.channels());
    }

    /** ReLU. */
    Node relu(String name, Node in) {
        graph.addLayer(name, new ActivationLayer.Builder().activation(Activation.RELU).build(), in.name());
        return new Node(name, in.channels());
    }

    /** Element-wise sum of two activations of equal shape. */
    Node add(String name, Node a, Node b) {
        if (a.channels() != b.channels()) {
            throw new IllegalArgumentException(name + ": cannot add " + a + " and " + b);
        }
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a.name(), b.name());
        return new Node(name, a.channels());
    }

    /** {@code torch.cat(nodes, 1)}: DL4J's merge vertex concatenates along the channel axis of the layout. */
    Node concat(String name, Node... nodes) {
        graph.addVertex(name, new MergeVertex(), Arrays.stream(nodes).map(Node::name).toArray(String[]::new));
        return new Node(name, Arrays.stream(nodes).mapToInt(Node::channels).sum());
    }

    /** {@code x[:, from:from+count]}. */
    Node channels(String name, Node in, int from, int count) {
        graph.addVertex(name, new ChannelRangeVertex(from, from + count - 1, format), in.name());
        return new Node(name, count);
    }

    /** ShuffleNet's channel shuffle into {@code groups} groups; one group is the identity and adds no vertex. */
    Node shuffle(String name, Node in, int groups) {
        if (groups == 1) {
            return in;
        }
        graph.addVertex(name, new ChannelShuffleVertex(groups, format), in.name());
        return new Node(name, in.channels());
    }

    /** {@code nn.MaxPool2d(kernel, stride)}. */
    Node maxPool(String name, Node in, int kernel, int stride) {
        graph.addLayer(name, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(kernel, kernel).stride(stride, stride).dataFormat(format).build(), in.name());
        return new Node(name, in.channels());
    }

    /**
     * {@code nn.AvgPool2d(kernel, stride, padding)}: PyTorch's default {@code count_include_pad=True} divides every
     * window by {@code kernel²}, counting the padded zeros. Built as explicit zero padding ({@code name#pad}) and an
     * unpadded average pool, as the ONNX export does. DL4J 1.0.0-M2.1's own padded average pool cannot be used:
     * with {@code avgPoolIncludePadInDivisor(true)} its forward pass divides by {@code kernel²} but its backward
     * pass does not match it (gradients off by tens of percent against finite differences, see NetBuilderTest);
     * with {@code false} both passes leave the padding out of the average.
     */
    Node avgPool(String name, Node in, int kernel, int stride, int padding) {
        String input = in.name();
        if (padding > 0) {
            input = name + "#pad";
            graph.addLayer(input, new ZeroPaddingLayer.Builder(padding, padding).dataFormat(format).build(), in.name());
        }
        graph.addLayer(name, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG)
                .kernelSize(kernel, kernel).stride(stride, stride).dataFormat(format).build(), input);
        return new Node(name, in.channels());
    }

    /**
     * Ends the network: global average pooling to {@link CifarZoo#FEATURES}, the linear classifier named
     * {@code classifier}, and the logits output {@link CifarZoo#OUTPUT} that applies the spec's loss in training.
     *
     * <p>The classifier is initialised as the family's reference ({@code N(0, 0.01²)} or {@code U(±1/√in)}, bias
     * 0 or {@code U(±1/√in)}, see {@link Model}) or as DL4J's {@code U(±1/√in)} with bias 0.
     *
     * <p>The references' final pools ({@code AvgPool2d(8)}, {@code avg_pool2d(out, 4)}, {@code AdaptiveAvgPool2d}
     * and MobileNetV2's {@code AvgPool2d(2, ceil_mode=True)}) all cover the whole last feature map at 32×32, so they
     * are global average pooling there; global pooling also keeps other input sizes such as 28×28 working.
     */
    Model head(Node in, String classifier) {
        graph.addLayer(CifarZoo.FEATURES, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in.name());
        IWeightInit weights = reference && family.smallClassifier()
                ? new WeightInitDistribution(new NormalDistribution(0, CLASSIFIER_STD))
                : WeightInit.UNIFORM.getWeightInitFunction();
        graph.addLayer(classifier, new DenseLayer.Builder().nIn(in.channels()).nOut(spec.numClasses())
                .activation(Activation.IDENTITY).weightInit(weights).build(), CifarZoo.FEATURES);
        LossLayer logits = new LossLayer.Builder(spec.loss()).activation(Activation.IDENTITY).build();
        // the builder rejects nIn/nOut; set them so DL4J's shape inference reports [N, numClasses], not [N, 0]
        logits.setNIn(spec.numClasses());
        logits.setNOut(spec.numClasses());
        graph.addLayer(CifarZoo.OUTPUT, logits, classifier);
        double biasBound = reference && !family.zeroClassifierBias() ? 1 / Math.sqrt(in.channels()) : 0;
        return new Model(graph.setOutputs(CifarZoo.OUTPUT).build(), classifier, biasBound);
    }
}
