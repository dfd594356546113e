package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.perf.GraphKernels;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A teacher backed by a DL4J {@link ComputationGraph} or {@link MultiLayerNetwork}, in memory or loaded from a
 * {@link ModelSerializer} zip.
 *
 * <p><b>Frozen copy.</b> The teacher runs its own copy of the network (configuration and parameters, including
 * BatchNorm statistics), built when it is created: training or closing the original afterwards does not change the
 * teacher, and the teacher never changes the original. The copy costs one more set of parameters in memory.
 *
 * <p><b>Logits, not probabilities.</b> If the network's output layer applies a softmax (an {@code OutputLayer},
 * {@code DenseLayer} or {@code LossLayer} with {@code Activation.SOFTMAX}, or a final {@code ActivationLayer} with
 * softmax), the copy's output layer gets the identity activation instead, so {@link #logits} returns the layer's
 * pre-softmax activations {@code W·x + b}: exactly the logits the softmax was applied to. Any other output activation
 * is kept as part of the model. {@link #softmaxRemoved()} says whether this happened.
 *
 * <p><b>Inference only.</b> Every batch runs {@code output(train = false, ..)} with no masks, so BatchNorm uses its
 * running statistics, dropout is off, no gradient is computed, and the result is detached. A graph copy runs
 * {@linkplain GraphKernels#inference the inference kernels}: its ReLU layers and two-input sums compute DL4J's values
 * in one pass each. DL4J networks refuse to
 * run while a workspace is open on the calling thread, so {@link #logits} must be called outside any workspace (it
 * throws an {@link IllegalStateException} naming the open ones otherwise).
 *
 * <p><b>Input layout.</b> Features always come in DL4J's NCHW layout. If the layer that reads the network input is
 * a 2D convolution or pooling layer configured for {@link CNN2DFormat#NHWC} (as Keras imports are), the teacher
 * permutes the batch to NHWC. The channel count of that layer (its {@code nIn}), or the width of a dense first layer,
 * is checked before the forward pass; a batch the network still rejects gives an {@link IllegalArgumentException}
 * naming its shape and the network's message.
 *
 * <p>The number of classes is the {@code nOut} of the output layer, or of the nearest layer before it that has one
 * (for a final {@code ActivationLayer} or {@code LossLayer}). Networks must have exactly one input and one output.
 */
public final class GraphTeacher implements Teacher {

    private final TeacherInput io;
    private final UnaryOperator<INDArray> forward;
    private final INDArray params;
    private final String softmaxLayer;
    /** The configuration of a graph teacher's copy (its softmax removed), null for a multi-layer network. */
    private final ComputationGraphConfiguration graph;
    private boolean closed;

    private GraphTeacher(TeacherInput io, UnaryOperator<INDArray> forward, INDArray params, String softmaxLayer,
                         ComputationGraphConfiguration graph) {
        this.io = io;
        this.forward = forward;
        this.params = params;
        this.softmaxLayer = softmaxLayer;
        this.graph = graph;
    }

    /**
     * A teacher running a frozen copy of a computation graph.
     *
     * @param graph an initialised graph with one input and one output
     * @return the teacher, described as {@code "DL4J ComputationGraph teacher"}
     */
    public static GraphTeacher of(ComputationGraph graph) {
        return of(graph, "DL4J ComputationGraph teacher");
    }

    /**
     * A teacher running a frozen copy of a computation graph.
     *
     * @param graph an initialised graph with one input and one output
     * @param name  the first part of {@link #describe()}, e.g. {@code "Keras teacher model.h5"}
     * @return the teacher
     */
    public static GraphTeacher of(ComputationGraph graph, String name) {
        Objects.requireNonNull(graph, "graph");
        requireInitialised(graph.getLayers(), name);
        return fromGraph(graph.getConfiguration().clone(), graph.params().dup(), name, null);
    }

    /**
     * A teacher running a frozen copy of a computation graph in which each BatchNorm layer that directly follows a
     * plain 2D convolution is folded into that convolution ({@code W' = s·W}, {@code b' = s·(b - μ) + β},
     * {@code s = γ / sqrt(σ² + ε)}; see {@link BatchNormFolding} for exactly which pairs fold). The teacher runs in
     * inference mode, where BatchNorm is this affine map, so the logits equal {@link #of(ComputationGraph, String)}'s
     * up to floating-point rounding (tested: float64 to 1e-12, float32 to 1e-4 relative) with one layer and one pass
     * over the activations fewer per folded pair. {@link #describe()} says how many were folded.
     *
     * @param graph an initialised graph with one input and one output
     * @param name  the first part of {@link #describe()}
     * @return the teacher
     */
    public static GraphTeacher foldingBatchNorm(ComputationGraph graph, String name) {
        Objects.requireNonNull(graph, "graph");
        requireInitialised(graph.getLayers(), name);
        BatchNormFolding.Folded f = BatchNormFolding.fold(graph.getConfiguration(), graph.params());
        return fromGraph(f.conf(), f.params(), folded(name, f), null);
    }

    /**
     * This teacher with its BatchNorm folded into its convolutions, as {@link #foldingBatchNorm(ComputationGraph,
     * String)} builds it: a new teacher (this one stays open) with the same logits up to floating-point rounding.
     * Measured with {@code dtkd bench --levers bn-fold}: teacher inference 11% (resnet32x4) and 24% (resnet56)
     * faster.
     *
     * @return the folded teacher
     * @throws IllegalStateException if this teacher is closed or runs a {@link MultiLayerNetwork} (only graphs fold;
     *                               see {@link #foldsBatchNorm()})
     */
    public GraphTeacher foldingBatchNorm() {
        if (closed) {
            throw new IllegalStateException(io.description() + " is closed");
        }
        if (graph == null) {
            throw new IllegalStateException(io.description() + ": only a ComputationGraph teacher folds its BatchNorm, "
                    + "found a MultiLayerNetwork");
        }
        BatchNormFolding.Folded f = BatchNormFolding.fold(graph, params);
        return fromGraph(f.conf(), f.params(), folded(io.description(), f), softmaxLayer);
    }

    /** @return whether {@link #foldingBatchNorm()} applies: the teacher runs a ComputationGraph */
    public boolean foldsBatchNorm() {
        return graph != null;
    }

    private static String folded(String name, BatchNormFolding.Folded f) {
        return name + " (" + f.folded() + " BatchNorm layers folded into convolutions)";
    }

    /**
     * A teacher running a frozen copy of a multi-layer network.
     *
     * @param network an initialised network
     * @return the teacher, described as {@code "DL4J MultiLayerNetwork teacher"}
     */
    public static GraphTeacher of(MultiLayerNetwork network) {
        return of(network, "DL4J MultiLayerNetwork teacher");
    }

    /**
     * A teacher running a frozen copy of a multi-layer network.
     *
     * @param network an initialised network
     * @param name    the first part of {@link #describe()}
     * @return the teacher
     */
    public static GraphTeacher of(MultiLayerNetwork network, String name) {
        Objects.requireNonNull(network, "network");
        requireInitialised(network.getLayers(), name);
        return fromNetwork(network.getLayerWiseConfigurations().clone(), network.params().dup(), name);
    }

    /**
     * Loads a teacher from a {@link ModelSerializer} zip holding a {@link ComputationGraph} or a
     * {@link MultiLayerNetwork} (which one is read from the zip's configuration). The updater state is not loaded.
     *
     * @param file a zip written by {@code ModelSerializer.writeModel} or {@code model.save(file)}
     * @return the teacher, described as {@code "DL4J teacher <file name>"}
     * @throws IllegalArgumentException with one line naming the file if it is missing, not a zip (e.g. truncated),
     *                                  not a DL4J model, or cannot be restored
     */
    public static GraphTeacher load(Path file) {
        String what = "DL4J model file " + file;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + ": not found (or not a regular file)");
        }
        String config;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IllegalArgumentException(what + ": not a DL4J ModelSerializer zip (no configuration.json)");
            }
            config = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            throw new IllegalArgumentException(what + ": not a zip file (truncated or another format): "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot be read: " + e.getMessage(), e);
        }
        boolean isGraph;
        try {
            isGraph = new ObjectMapper().readTree(config).has("vertices");
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": configuration.json is not valid JSON: "
                    + TeacherInput.firstLine(e.getMessage()), e);
        }
        String name = "DL4J teacher " + file.getFileName();
        ComputationGraph graph = null;
        MultiLayerNetwork network = null;
        try {
            if (isGraph) {
                graph = ModelSerializer.restoreComputationGraph(file.toFile(), false);
            } else {
                network = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + ": cannot be restored as a DL4J "
                    + (isGraph ? "ComputationGraph" : "MultiLayerNetwork") + ": "
                    + TeacherInput.firstLine(e.getMessage()), e);
        }
        return graph != null
                ? fromGraph(graph.getConfiguration(), graph.params(), name, null)
                : fromNetwork(network.getLayerWiseConfigurations(), network.params(), name);
    }

    /** @return true if the network's output softmax was replaced by the identity (see the class documentation) */
    public boolean softmaxRemoved() {
        return softmaxLayer != null;
    }

    @Override
    public INDArray logits(INDArray features) {
        if (closed) {
            throw new IllegalStateException(io.description() + " is closed");
        }
        if (Nd4j.getWorkspaceManager().anyWorkspaceActiveForCurrentThread()) {
            List<String> open = Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread().stream()
                    .filter(MemoryWorkspace::isScopeActive).map(MemoryWorkspace::getId).toList();
            throw new IllegalStateException(io.description() + ": DL4J networks cannot run inside an open workspace "
                    + "(call logits() outside it); open: " + open);
        }
        return io.run(features, forward);
    }

    @Override
    public int numClasses() {
        return io.numClasses();
    }

    @Override
    public String describe() {
        return io.description() + " (" + io.numClasses() + " classes"
                + (softmaxLayer == null ? "" : ", pre-softmax output of layer '" + softmaxLayer + "'") + ")";
    }

    /** Releases the parameters of the teacher's copy; the teacher cannot be used afterwards. */
    @Override
    public void close() {
        if (!closed && params.closeable()) {
            params.close();
        }
        closed = true;
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param removedSoftmax the output layer whose softmax an earlier copy removed (its configuration no longer shows
     *                       it), or null
     */
    private static GraphTeacher fromGraph(ComputationGraphConfiguration conf, INDArray params, String name,
                                          String removedSoftmax) {
        List<String> inputs = conf.getNetworkInputs();
        List<String> outputs = conf.getNetworkOutputs();
        if (inputs.size() != 1 || outputs.size() != 1) {
            throw new IllegalArgumentException(name + ": a teacher graph needs exactly one input and one output, found "
                    + "inputs " + inputs + " and outputs " + outputs);
        }
        String output = outputs.get(0);
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        boolean softmax = vertices.get(output) instanceof LayerVertex lv && removeSoftmax(lv.getLayerConf().getLayer());

        int numClasses = -1;
        for (String v = output; numClasses < 0; ) {
            if (vertices.get(v) instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FeedForwardLayer ff
                    && ff.getNOut() > 0) {
                numClasses = Math.toIntExact(ff.getNOut());
            } else {
                List<String> in = vertexInputs.get(v);
                if (in == null || in.size() != 1 || inputs.contains(in.get(0))) {
                    throw new IllegalArgumentException(name + ": cannot tell the number of classes: no layer with nOut"
                            + " leads to output '" + output + "' through single-input vertices");
                }
                v = in.get(0);
            }
        }

        InputLayout layout = InputLayout.UNKNOWN;
        for (Map.Entry<String, List<String>> e : vertexInputs.entrySet()) {
            if (e.getValue().contains(inputs.get(0)) && vertices.get(e.getKey()) instanceof LayerVertex lv
                    && lv.getPreProcessor() == null) {
                layout = InputLayout.of(lv.getLayerConf().getLayer());
                if (layout != InputLayout.UNKNOWN) {
                    break;
                }
            }
        }

        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(params, false);
        GraphKernels.inference(copy);
        TeacherInput io = new TeacherInput(name, numClasses, layout.exampleShape, layout.format, conf.getDataType());
        return new GraphTeacher(io, x -> copy.output(false, new INDArray[]{x}, null, null)[0], copy.params(),
                softmax ? output : removedSoftmax, conf);
    }

    private static GraphTeacher fromNetwork(MultiLayerConfiguration conf, INDArray params, String name) {
        int n = conf.getConfs().size();
        if (n == 0) {
            throw new IllegalArgumentException(name + ": the network has no layers");
        }
        Layer last = conf.getConf(n - 1).getLayer();
        boolean softmax = removeSoftmax(last);
        int numClasses = -1;
        for (int i = n - 1; i >= 0 && numClasses < 0; i--) {
            if (conf.getConf(i).getLayer() instanceof FeedForwardLayer ff && ff.getNOut() > 0) {
                numClasses = Math.toIntExact(ff.getNOut());
            }
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException(name + ": cannot tell the number of classes: no layer has nOut");
        }
        InputPreProcessor pre = conf.getInputPreProcess(0);
        InputLayout layout = pre == null ? InputLayout.of(conf.getConf(0).getLayer()) : InputLayout.UNKNOWN;

        MultiLayerNetwork copy = new MultiLayerNetwork(conf);
        copy.init(params, false);
        TeacherInput io = new TeacherInput(name, numClasses, layout.exampleShape, layout.format, conf.getDataType());
        return new GraphTeacher(io, x -> copy.output(x, false, null, null), copy.params(),
                softmax ? last.getLayerName() : null, null);
    }

    /** Replaces a softmax activation of the layer by the identity; returns whether it did. */
    private static boolean removeSoftmax(Layer layer) {
        if (layer instanceof BaseLayer b && b.getActivationFn() instanceof ActivationSoftmax) {
            b.setActivationFn(new ActivationIdentity());
            return true;
        }
        if (layer instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationSoftmax) {
            a.setActivationFn(new ActivationIdentity());
            return true;
        }
        return false;
    }

    private static void requireInitialised(Object[] layers, String name) {
        if (layers == null) {
            throw new IllegalArgumentException(name + ": the network is not initialised (call init() first)");
        }
    }

    /** What the layer reading the network input tells about the input: example shape (DL4J layout) and format. */
    private record InputLayout(long[] exampleShape, CNN2DFormat format) {

        static final InputLayout UNKNOWN = new InputLayout(null, CNN2DFormat.NCHW);

        static InputLayout of(Layer first) {
            if (first instanceof ConvolutionLayer c && !(first instanceof Convolution1DLayer)
                    && !(first instanceof Convolution3D) && !(first instanceof Deconvolution3D)) {
                return new InputLayout(new long[]{c.getNIn() > 0 ? c.getNIn() : -1, -1, -1}, c.getCnn2dDataFormat());
            }
            if (first instanceof SubsamplingLayer s && !(first instanceof Subsampling1DLayer)) {
                return new InputLayout(new long[]{-1, -1, -1}, s.getCnn2dDataFormat());
            }
            boolean dense = first instanceof DenseLayer || first instanceof OutputLayer;
            if (dense && ((FeedForwardLayer) first).getNIn() > 0) {
                return new InputLayout(new long[]{((FeedForwardLayer) first).getNIn()}, CNN2DFormat.NCHW);
            }
            return UNKNOWN;
        }
    }
}
