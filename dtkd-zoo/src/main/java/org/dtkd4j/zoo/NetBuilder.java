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
import org.deeplearning4j.nn.weights.WeightInit;
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
    /** DL4J decay of the running statistics equivalent to PyTorch's BatchNorm2d momentum 0.1. */
    private static final double BN_DECAY = 0.9;

    /** Name of the vertex that turns the NCHW input into NHWC activations, in NHWC graphs. */
    static final String CHANNELS_LAST = CifarZoo.INPUT + "#nhwc";

    /** A vertex of the graph under construction and the number of channels (or features) it outputs. */
    record Node(String name, int channels) {
    }

    private final ZooSpec spec;
    private final CNN2DFormat format;
    private final ComputationGraphConfiguration.GraphBuilder graph;
    private final Node input;

    NetBuilder(ZooSpec spec) {
        this.spec = spec;
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
     */
    Node conv(String name, Node in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
        if (groups < 1 || in.channels() % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(name + ": " + groups + " groups do not divide " + in.channels()
                    + " input and " + out + " output channels");
        }
        if (groups == 1) {
            graph.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                    .padding(padding, padding).nIn(in.channels()).nOut(out).hasBias(bias)
                    .dataFormat(format).activation(Activation.IDENTITY).build(), in.name());
            return new Node(name, out);
        }
        if (groups == in.channels() && out == in.channels()) {
            graph.addLayer(name, new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                    .padding(padding, padding).nIn(in.channels()).depthMultiplier(1).hasBias(bias)
                    .dataFormat(format).activation(Activation.IDENTITY).build(), in.name());
            return new Node(name, out);
        }
        int inPerGroup = in.channels() / groups;
        String[] members = new String[groups];
        for (int g = 0; g < groups; g++) {
            Node slice = channels(name + "#in" + g, in, g * inPerGroup, inPerGroup);
            members[g] = conv(name + CifarZoo.GROUP_SUFFIX + g, slice, out / groups, kernel, stride, padding, 1, bias)
                    .name();
        }
        graph.addVertex(name, new MergeVertex(), members);
        return new Node(name, out);
    }

    /** {@code nn.BatchNorm2d(channels)} with PyTorch's epsilon and momentum; running variance stored as variance. */
    Node bn(String name, Node in) {
        graph.addLayer(name, new BatchNormalization.Builder().nIn(in.channels()).nOut(in.channels()).eps(BN_EPS)
                .decay(BN_DECAY).useLogStd(false).dataFormat(format).build(), in.name());
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
     * <p>The references' final pools ({@code AvgPool2d(8)}, {@code avg_pool2d(out, 4)}, {@code AdaptiveAvgPool2d}
     * and MobileNetV2's {@code AvgPool2d(2, ceil_mode=True)}) all cover the whole last feature map at 32×32, so they
     * are global average pooling there; global pooling also keeps other input sizes such as 28×28 working.
     */
    ComputationGraphConfiguration head(Node in, String classifier) {
        graph.addLayer(CifarZoo.FEATURES, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in.name());
        graph.addLayer(classifier, new DenseLayer.Builder().nIn(in.channels()).nOut(spec.numClasses())
                .activation(Activation.IDENTITY).weightInit(WeightInit.UNIFORM).build(), CifarZoo.FEATURES);
        LossLayer logits = new LossLayer.Builder(spec.loss()).activation(Activation.IDENTITY).build();
        // the builder rejects nIn/nOut; set them so DL4J's shape inference reports [N, numClasses], not [N, 0]
        logits.setNIn(spec.numClasses());
        logits.setNOut(spec.numClasses());
        graph.addLayer(CifarZoo.OUTPUT, logits, classifier);
        return graph.setOutputs(CifarZoo.OUTPUT).build();
    }
}
