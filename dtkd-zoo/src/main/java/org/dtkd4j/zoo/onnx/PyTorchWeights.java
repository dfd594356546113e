package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.dtkd4j.zoo.CifarZoo;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Loads PyTorch weights, keyed by {@code state_dict} names, into a DL4J graph whose layers are named after the
 * PyTorch module paths — every {@link CifarZoo} model, or any graph named the same way.
 *
 * <p>Mapping, for a DL4J layer named {@code m}:
 * <ul>
 *   <li>convolution: {@code m.weight} {@code [out, in, kH, kW]} (PyTorch's OIHW is DL4J's layout) and, if the
 *   layer has one, {@code m.bias} {@code [out]};</li>
 *   <li>grouped convolution (layers {@code m#g0 … m#g(G−1)}, see {@link CifarZoo#GROUP_SUFFIX}):
 *   {@code m.weight} {@code [G·out, in/G, kH, kW]}, split along its first axis;</li>
 *   <li>depthwise convolution: {@code m.weight} {@code [C, 1, kH, kW]}, permuted to DL4J's {@code [kH, kW, C, 1]};</li>
 *   <li>BatchNorm: {@code m.weight} → γ, {@code m.bias} → β, {@code m.running_mean} → mean,
 *   {@code m.running_var} → variance (the layer must store the variance, {@code useLogStd=false}), and
 *   {@code m.num_batches_tracked}, which is accepted and ignored;</li>
 *   <li>dense or output layer: {@code m.weight} {@code [out, in]}, transposed to DL4J's {@code [in, out]}, and
 *   {@code m.bias} {@code [out]}.</li>
 * </ul>
 * Loading is all or nothing: every tensor is checked first, and any missing tensor, unexpected tensor, shape
 * mismatch or parameterised layer without a mapping fails with one {@link IllegalArgumentException} listing all of
 * them, before a single parameter changes. Values are converted to the graph's data type.
 *
 * <p>NumPy archives of a {@code state_dict} load with {@link #loadNpz(ComputationGraph, Path)}. ONNX files
 * exported from PyTorch ({@code torch.onnx.export} keeps {@code state_dict} names as initializer
 * names) load with {@link #load(ComputationGraph, Path)}, which also resolves initializers the exporter shared
 * through {@code Identity} nodes and adopts each BatchNorm node's {@code epsilon}.
 */
public final class PyTorchWeights {

    private static final String NUM_BATCHES_TRACKED = ".num_batches_tracked";
    private static final Pattern GROUP_MEMBER = Pattern.compile("(.+)" + Pattern.quote(CifarZoo.GROUP_SUFFIX)
            + "(\\d+)");

    private PyTorchWeights() {
    }

    /** One {@code state_dict} tensor the graph needs: its PyTorch shape and how it is written into the graph. */
    private record Target(long[] shape, Consumer<INDArray> assign) {
    }

    /** The tensors a graph needs, and BatchNorm modules (whose {@code num_batches_tracked} is ignored). */
    private record Mapping(Map<String, Target> targets, Set<String> batchNorms, List<String> unmapped) {
    }

    /**
     * The {@code state_dict} a graph expects.
     *
     * @param graph an initialised graph
     * @return tensor name to PyTorch shape, in the graph's topological order
     * @throws IllegalArgumentException if a layer with parameters has no PyTorch mapping
     */
    public static Map<String, long[]> expectedShapes(ComputationGraph graph) {
        Mapping mapping = mapping(graph);
        if (!mapping.unmapped().isEmpty()) {
            throw new IllegalArgumentException("layers without a PyTorch mapping: "
                    + String.join(", ", mapping.unmapped()));
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        mapping.targets().forEach((k, t) -> out.put(k, t.shape().clone()));
        return out;
    }

    /**
     * Loads a PyTorch {@code state_dict} into a graph, all or nothing.
     *
     * @param graph     an initialised graph whose parameterised layers are named after PyTorch modules
     * @param stateDict tensor name to value, e.g. {@code layer1.0.conv1.weight}
     * @throws IllegalArgumentException listing every missing, unexpected or mis-shaped tensor and unmapped layer;
     *                                  the graph is then unchanged
     */
    public static void load(ComputationGraph graph, Map<String, INDArray> stateDict) {
        load(graph, stateDict, Map.of(), "state dict");
    }

    /**
     * Loads the weights of an ONNX file exported from PyTorch into a graph, all or nothing, and sets each BatchNorm
     * layer's epsilon to the export's.
     *
     * @param graph    an initialised graph whose parameterised layers are named after PyTorch modules
     * @param onnxFile an ONNX model whose initializer names are the {@code state_dict} keys
     * @throws IllegalArgumentException if the file cannot be read, or listing every missing, unexpected or
     *                                  mis-shaped tensor and unmapped layer; the graph is then unchanged
     */
    public static void load(ComputationGraph graph, Path onnxFile) {
        Onnx.ModelProto model = OnnxFiles.read(onnxFile);
        Map<String, INDArray> tensors = OnnxFiles.initializers(model, graph.getConfiguration().getDataType());
        Map<String, Double> epsilons = new LinkedHashMap<>();
        for (Onnx.NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("Identity") && tensors.containsKey(node.getInput(0))) {
                tensors.put(node.getOutput(0), tensors.get(node.getInput(0)));
            } else if (node.getOpType().equals("BatchNormalization") && node.getInput(1).endsWith(".weight")) {
                String module = node.getInput(1).substring(0, node.getInput(1).length() - ".weight".length());
                double eps = node.getAttributeList().stream().filter(a -> a.getName().equals("epsilon"))
                        .mapToDouble(Onnx.AttributeProto::getF).findFirst().orElse(1e-5);
                epsilons.put(module, eps);
            }
        }
        load(graph, tensors, epsilons, "ONNX file " + onnxFile);
    }

    /**
     * Loads a PyTorch {@code state_dict} saved as a NumPy archive into a graph, all or nothing: each entry
     * {@code <key>.npy} is the tensor of {@code state_dict} key {@code <key>}, e.g. written by
     * {@code numpy.savez(f, **{k: v.numpy() for k, v in model.state_dict().items()})} (stored or compressed entries,
     * see {@link NumpyArchives}). Values are converted to the graph's data type; a float64 archive loaded into a
     * DOUBLE graph is exact.
     *
     * @param graph an initialised graph whose parameterised layers are named after PyTorch modules
     * @param npz   the archive
     * @throws IllegalArgumentException if the file cannot be read, or listing every missing, unexpected or
     *                                  mis-shaped tensor and unmapped layer; the graph is then unchanged
     */
    public static void loadNpz(ComputationGraph graph, Path npz) {
        load(graph, NumpyArchives.read(npz), Map.of(), "NPZ file " + npz);
    }

    private static void load(ComputationGraph graph, Map<String, INDArray> stateDict, Map<String, Double> epsilons,
                             String source) {
        Mapping mapping = mapping(graph);
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        mapping.targets().forEach((key, target) -> {
            INDArray value = stateDict.get(key);
            if (value == null) {
                missing.add(key + " " + Arrays.toString(target.shape()));
            } else if (!Arrays.equals(value.shape(), target.shape()) || !value.dataType().isFPType()) {
                mismatched.add(key + ": graph needs " + Arrays.toString(target.shape()) + ", " + source + " has "
                        + value.dataType() + " " + Arrays.toString(value.shape()));
            }
        });
        List<String> unexpected = stateDict.keySet().stream()
                .filter(k -> !mapping.targets().containsKey(k))
                .filter(k -> !(k.endsWith(NUM_BATCHES_TRACKED) && mapping.batchNorms()
                        .contains(k.substring(0, k.length() - NUM_BATCHES_TRACKED.length()))))
                .map(k -> k + " " + Arrays.toString(stateDict.get(k).shape()))
                .collect(Collectors.toList());
        int problems = missing.size() + unexpected.size() + mismatched.size() + mapping.unmapped().size();
        if (problems > 0) {
            StringBuilder msg = new StringBuilder("Cannot load PyTorch weights from ").append(source).append(": ")
                    .append(problems).append(" problem(s), nothing was loaded");
            section(msg, "missing from the " + source, missing);
            section(msg, "unexpected (no layer of the graph takes them)", unexpected);
            section(msg, "shape mismatches", mismatched);
            section(msg, "graph layers without a PyTorch mapping", mapping.unmapped());
            throw new IllegalArgumentException(msg.toString());
        }
        mapping.targets().forEach((key, target) -> target.assign().accept(stateDict.get(key)));
        epsilons.forEach((module, eps) -> {
            if (mapping.batchNorms().contains(module)) {
                BatchNormalization bn = (BatchNormalization) graph.getLayer(module).conf().getLayer();
                if ((float) bn.getEps() != (float) eps.doubleValue()) {
                    bn.setEps(eps);
                }
            }
        });
    }

    private static void section(StringBuilder msg, String title, List<String> items) {
        if (!items.isEmpty()) {
            msg.append("\n  ").append(title).append(" (").append(items.size()).append("): ")
                    .append(String.join(", ", items));
        }
    }

    /** Builds the tensor targets of every parameterised layer, in topological order. */
    private static Mapping mapping(ComputationGraph graph) {
        Map<String, Target> targets = new LinkedHashMap<>();
        Set<String> batchNorms = new HashSet<>();
        List<String> unmapped = new ArrayList<>();
        Map<String, TreeMap<Integer, Layer>> groups = new LinkedHashMap<>();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex vertex = graph.getVertices()[index];
            if (!vertex.hasLayer() || vertex.getLayer().numParams() == 0) {
                continue;
            }
            Layer layer = vertex.getLayer();
            String name = vertex.getVertexName();
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            Matcher member = GROUP_MEMBER.matcher(name);
            if (conf.getClass() == ConvolutionLayer.class && member.matches()) {
                groups.computeIfAbsent(member.group(1), k -> new TreeMap<>())
                        .put(Integer.parseInt(member.group(2)), layer);
            } else if (conf.getClass() == ConvolutionLayer.class) {
                INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
                targets.put(name + ".weight", new Target(w.shape(), t -> w.assign(t.castTo(w.dataType()))));
                bias(targets, name, layer);
            } else if (conf.getClass() == DepthwiseConvolution2D.class) {
                INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
                long[] s = w.shape(); // [kH, kW, C, multiplier]
                targets.put(name + ".weight", new Target(new long[] {s[2] * s[3], 1, s[0], s[1]},
                        t -> w.assign(t.reshape('c', s[2], s[3], s[0], s[1]).permute(2, 3, 0, 1)
                                .castTo(w.dataType()))));
                bias(targets, name, layer);
            } else if (conf instanceof BatchNormalization bn && (bn.isLockGammaBeta() || bn.isUseLogStd())) {
                unmapped.add(name + " (BatchNormalization with lockGammaBeta or useLogStd)");
            } else if (conf instanceof BatchNormalization) {
                vector(targets, name + ".weight", layer.getParam(BatchNormalizationParamInitializer.GAMMA));
                vector(targets, name + ".bias", layer.getParam(BatchNormalizationParamInitializer.BETA));
                vector(targets, name + ".running_mean", layer.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
                vector(targets, name + ".running_var", layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
                batchNorms.add(name);
            } else if (conf.getClass() == DenseLayer.class || conf.getClass() == OutputLayer.class) {
                INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY); // [in, out]
                targets.put(name + ".weight", new Target(new long[] {w.size(1), w.size(0)},
                        t -> w.assign(t.transpose().castTo(w.dataType()))));
                bias(targets, name, layer);
            } else {
                unmapped.add(name + " (" + conf.getClass().getSimpleName() + ")");
            }
        }
        groups.forEach((module, members) -> group(targets, unmapped, module, members));
        return new Mapping(targets, batchNorms, unmapped);
    }

    /** The targets of a grouped convolution's {@code m.weight} (and {@code m.bias}), split over its member layers. */
    private static void group(Map<String, Target> targets, List<String> unmapped, String module,
                              TreeMap<Integer, Layer> members) {
        Layer first = members.firstEntry().getValue();
        long[] s = first.getParam(DefaultParamInitializer.WEIGHT_KEY).shape(); // [out/G, in/G, kH, kW]
        boolean bias = first.getParam(DefaultParamInitializer.BIAS_KEY) != null;
        boolean consistent = members.firstKey() == 0 && members.lastKey() == members.size() - 1
                && members.values().stream().allMatch(l ->
                Arrays.equals(l.getParam(DefaultParamInitializer.WEIGHT_KEY).shape(), s)
                        && (l.getParam(DefaultParamInitializer.BIAS_KEY) != null) == bias);
        if (!consistent) {
            unmapped.add(module + CifarZoo.GROUP_SUFFIX + members.keySet()
                    + " (grouped convolution members must be numbered from 0 and alike)");
            return;
        }
        long per = s[0];
        long out = per * members.size();
        targets.put(module + ".weight", new Target(new long[] {out, s[1], s[2], s[3]},
                t -> members.forEach((g, layer) -> copyRows(t, g * per, per,
                        layer.getParam(DefaultParamInitializer.WEIGHT_KEY)))));
        if (bias) {
            targets.put(module + ".bias", new Target(new long[] {out},
                    t -> members.forEach((g, layer) -> copyRows(t, g * per, per,
                            layer.getParam(DefaultParamInitializer.BIAS_KEY)))));
        }
    }

    /** Writes rows {@code [from, from + count)} of {@code t}'s first axis into {@code param} (same element count). */
    private static void copyRows(INDArray t, long from, long count, INDArray param) {
        INDArray rows = t.rank() == 1 ? t.get(NDArrayIndex.interval(from, from + count))
                : t.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        param.assign(rows.reshape(param.shape()).castTo(param.dataType()));
    }

    private static void bias(Map<String, Target> targets, String name, Layer layer) {
        INDArray b = layer.getParam(DefaultParamInitializer.BIAS_KEY);
        if (b != null) {
            vector(targets, name + ".bias", b);
        }
    }

    /** A one-dimensional PyTorch tensor written into a DL4J parameter of the same length (any shape). */
    private static void vector(Map<String, Target> targets, String key, INDArray param) {
        targets.put(key, new Target(new long[] {param.length()},
                t -> param.assign(t.reshape(param.shape()).castTo(param.dataType()))));
    }
}
