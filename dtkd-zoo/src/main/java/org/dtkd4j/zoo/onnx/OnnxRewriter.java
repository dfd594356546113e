package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Graph rewrites that let DL4J 1.0.0-M2.1's {@code samediff-import-onnx} import PyTorch (1.13, opset 13) exports
 * correctly. Each rewrite is a pure function {@code ModelProto -> ModelProto} that preserves what the graph
 * computes and returns graphs without its pattern unchanged; {@link #forImport} applies them all in order.
 *
 * <p>The importer defects they work around (measured on the golden exports):
 * <ol>
 *   <li>{@link #renameColonNames}: a tensor name containing {@code ':'} (e.g. {@code onnx::Conv_91}) is read as
 *   {@code name:outputIndex}, so the tensor is not found.</li>
 *   <li>{@link #constantsToInitializers}: {@code Constant} nodes holding int64 data import as {@code FLOAT[1]}.</li>
 *   <li>{@link #dropZeroPads}: {@code nn.AvgPool2d} exports an all-zero {@code Pad} before {@code AveragePool}; a
 *   zero pad is the identity, so it is removed rather than imported (see the next item).</li>
 *   <li>{@link #padsToPairs}: the importer hands ONNX's flat {@code pads} vector to ND4J's {@code pad}, which wants
 *   {@code [rank, 2]} pairs, so every {@code Pad} fails at import ("Op validation failed"), e.g. the non-zero pad
 *   before ShuffleNet V1's average-pooled shortcut.</li>
 *   <li>{@link #splitGemmBias}: {@code Gemm}'s bias input C is silently dropped (wrong logits, no error).</li>
 *   <li>{@link #viewToFlatten}: the {@code x.view(x.size(0), -1)} chain
 *   ({@code Shape -> Gather(0) -> Unsqueeze -> Concat(.., -1) -> Reshape}) crashes the importer.</li>
 *   <li>{@link #globalPoolsToReduce}: importing a {@code GlobalAveragePool} node corrupts the native heap (the JVM
 *   aborts later with {@code free(): invalid pointer} or {@code corrupted double-linked list}, at an unrelated
 *   allocation or at exit, in float32 and float64 alike); a {@code GlobalMaxPool} node fails to import ("Shape of
 *   target array for reduction ... doesn't match").</li>
 * </ol>
 * {@link #toDouble} is not a repair: it converts a float32 model to float64 before import.
 */
public final class OnnxRewriter {

    /** The ONNX reduction computing each global pool (opset 13: axes as an attribute). */
    private static final Map<String, String> GLOBAL_POOL_REDUCTIONS = Map.of(
            "GlobalAveragePool", "ReduceMean", "GlobalMaxPool", "ReduceMax");

    /** Ops whose output has the rank of their first input. */
    private static final Set<String> RANK_OF_FIRST_INPUT = Set.of("Abs", "AveragePool", "BatchNormalization",
            "Clip", "Concat", "Conv", "ConvTranspose", "Dropout", "Elu", "Exp", "GlobalAveragePool", "GlobalMaxPool",
            "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "LRN", "LeakyRelu", "Log", "MaxPool",
            "Neg", "Pad", "Relu", "Selu", "Sigmoid", "Softplus", "Sqrt", "Tanh");
    /** Element-wise ops with broadcasting: their output has the largest rank of their inputs. */
    private static final Set<String> RANK_OF_BROADCAST = Set.of("Add", "Div", "Max", "Min", "Mul", "PRelu", "Pow",
            "Sub", "Sum");

    private OnnxRewriter() {
    }

    /**
     * Applies every repair of this class, in the order they are listed in the class documentation.
     *
     * @param model a parsed model
     * @return the rewritten model
     */
    public static Onnx.ModelProto forImport(Onnx.ModelProto model) {
        Onnx.ModelProto m = renameColonNames(model);
        m = constantsToInitializers(m);
        m = dropZeroPads(m);
        m = padsToPairs(m);
        m = splitGemmBias(m);
        m = viewToFlatten(m);
        return globalPoolsToReduce(m);
    }

    /**
     * Replaces every {@code ':'} in tensor names by {@code '_'}, consistently in node inputs and outputs, graph
     * inputs, outputs, initializers and value infos (also inside subgraphs). A replacement that would collide with
     * an existing name gets a numeric suffix.
     *
     * @param model a parsed model
     * @return the model with no {@code ':'} left in any tensor name
     */
    public static Onnx.ModelProto renameColonNames(Onnx.ModelProto model) {
        Set<String> names = new HashSet<>();
        collectNames(model.getGraph(), names);
        Map<String, String> renames = new HashMap<>();
        Set<String> taken = new HashSet<>(names);
        for (String n : names) {
            if (n.indexOf(':') >= 0) {
                String base = n.replace(':', '_');
                String candidate = base;
                for (int i = 1; taken.contains(candidate); i++) {
                    candidate = base + "_" + i;
                }
                taken.add(candidate);
                renames.put(n, candidate);
            }
        }
        if (renames.isEmpty()) {
            return model;
        }
        UnaryOperator<String> rename = n -> renames.getOrDefault(n, n);
        return model.toBuilder().setGraph(renameIn(model.getGraph(), rename)).build();
    }

    /**
     * Turns every {@code Constant} node whose value is a tensor (attribute {@code value}) into a graph initializer
     * of the same name, type and data.
     *
     * @param model a parsed model
     * @return the model without tensor-valued {@code Constant} nodes
     */
    public static Onnx.ModelProto constantsToInitializers(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Onnx.GraphProto.Builder out = g.toBuilder().clearNode();
        boolean changed = false;
        for (Onnx.NodeProto node : g.getNodeList()) {
            Onnx.AttributeProto value = "Constant".equals(node.getOpType()) ? attribute(node, "value") : null;
            if (value != null && value.hasT()) {
                out.addInitializer(value.getT().toBuilder().setName(node.getOutput(0)));
                changed = true;
            } else {
                out.addNode(node);
            }
        }
        return changed ? model.toBuilder().setGraph(out).build() : model;
    }

    /**
     * Removes every {@code Pad} whose pads are all zero (the identity, whatever its mode and value), rewiring its
     * consumers to its input. A pad whose output is a graph output is kept.
     *
     * @param model a parsed model
     * @return the model without identity pads
     */
    public static Onnx.ModelProto dropZeroPads(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Set<String> graphOutputs = graphOutputNames(g);
        Map<String, Onnx.NodeProto> producers = producers(g);
        Map<String, String> replace = new HashMap<>();
        Onnx.GraphProto.Builder out = g.toBuilder().clearNode();
        for (Onnx.NodeProto node : g.getNodeList()) {
            if (isIdentityPad(g, producers, node) && !graphOutputs.contains(node.getOutput(0))) {
                replace.put(node.getOutput(0), node.getInput(0));
            } else {
                out.addNode(node);
            }
        }
        if (replace.isEmpty()) {
            return model;
        }
        rewireInputs(out, replace);
        return model.toBuilder().setGraph(removeDeadNodes(out.build())).build();
    }

    /**
     * Rewrites the constant {@code pads} input of every {@code Pad} from ONNX's layout
     * {@code [x1_begin, x2_begin, .., x1_end, x2_end, ..]} to the {@code [rank, 2]} layout
     * {@code [[x1_begin, x1_end], [x2_begin, x2_end], ..]} that the importer hands unchanged to ND4J's {@code pad}.
     *
     * @param model a parsed model
     * @return the model whose {@code Pad} nodes read {@code [rank, 2]} paddings
     */
    public static Onnx.ModelProto padsToPairs(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, Onnx.NodeProto> producers = producers(g);
        Set<String> taken = new HashSet<>();
        collectNames(g, taken);
        Onnx.GraphProto.Builder out = g.toBuilder();
        boolean changed = false;
        for (Onnx.NodeProto.Builder node : out.getNodeBuilderList()) {
            if (!"Pad".equals(node.getOpType()) || node.getInputCount() < 2) {
                continue;
            }
            long[] pads = values(g, producers, node.getInput(1));
            if (pads == null || pads.length % 2 != 0) {
                continue;
            }
            int rank = pads.length / 2;
            Onnx.TensorProto.Builder pairs = Onnx.TensorProto.newBuilder()
                    .setName(fresh(taken, node.getInput(1) + "_pairs"))
                    .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(rank).addDims(2);
            for (int d = 0; d < rank; d++) {
                pairs.addInt64Data(pads[d]).addInt64Data(pads[d + rank]);
            }
            out.addInitializer(pairs);
            node.setInput(1, pairs.getName());
            changed = true;
        }
        return changed ? model.toBuilder().setGraph(removeDeadNodes(out.build())).build() : model;
    }

    /**
     * Splits every {@code Gemm(A, B, C)} into {@code Gemm(A, B)} (same {@code alpha}, {@code transA},
     * {@code transB}) followed by {@code Add(., beta*C)}. When C is an initializer and {@code beta != 1}, the scaled
     * bias becomes a new initializer; otherwise {@code beta*C} is computed by a {@code Mul} node.
     *
     * @param model a parsed model
     * @return the model where no {@code Gemm} has a third input
     */
    public static Onnx.ModelProto splitGemmBias(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, Onnx.TensorProto> inits = initializerMap(g);
        Set<String> taken = new HashSet<>();
        collectNames(g, taken);
        Onnx.GraphProto.Builder out = g.toBuilder().clearNode();
        boolean changed = false;
        for (Onnx.NodeProto node : g.getNodeList()) {
            if (!"Gemm".equals(node.getOpType()) || node.getInputCount() < 3 || node.getInput(2).isEmpty()) {
                out.addNode(node);
                continue;
            }
            changed = true;
            String c = node.getInput(2);
            Onnx.AttributeProto betaAttr = attribute(node, "beta");
            float beta = betaAttr == null ? 1f : betaAttr.getF();
            String product = fresh(taken, node.getOutput(0) + "_no_bias");
            Onnx.NodeProto.Builder gemm = node.toBuilder().clearInput().addInput(node.getInput(0))
                    .addInput(node.getInput(1)).clearOutput().addOutput(product).clearAttribute();
            for (Onnx.AttributeProto a : node.getAttributeList()) {
                if (!"beta".equals(a.getName())) {
                    gemm.addAttribute(a);
                }
            }
            out.addNode(gemm);
            String bias = c;
            if (beta != 1f) {
                bias = fresh(taken, c + "_times_beta");
                Onnx.TensorProto init = inits.get(c);
                if (init != null && init.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE) {
                    INDArray scaled = OnnxFiles.toArray(init, DataType.FLOAT).muli(beta);
                    out.addInitializer(floatTensor(bias, init.getDimsList(), scaled.reshape(scaled.length())
                            .toFloatVector()));
                } else {
                    String betaName = fresh(taken, c + "_beta");
                    out.addInitializer(floatTensor(betaName, List.of(), new float[]{beta}));
                    out.addNode(Onnx.NodeProto.newBuilder().setOpType("Mul").setName(bias).addInput(c)
                            .addInput(betaName).addOutput(bias));
                }
            }
            out.addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName(fresh(taken, node.getName() + "_bias"))
                    .addInput(product).addInput(bias).addOutput(node.getOutput(0)));
        }
        return changed ? model.toBuilder().setGraph(out).build() : model;
    }

    /**
     * Replaces {@code Reshape(X, Concat(Unsqueeze(Gather(Shape(X), 0)), [-1]))}, the export of
     * {@code x.view(x.size(0), -1)}, by {@code Flatten(X, axis=1)}, then removes the shape nodes left unused.
     *
     * @param model a parsed model
     * @return the model with every such chain replaced
     */
    public static Onnx.ModelProto viewToFlatten(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, Onnx.NodeProto> producers = producers(g);
        Onnx.GraphProto.Builder out = g.toBuilder().clearNode();
        boolean changed = false;
        for (Onnx.NodeProto node : g.getNodeList()) {
            if ("Reshape".equals(node.getOpType()) && isBatchFlattenShape(g, producers, node.getInput(0),
                    node.getInput(1))) {
                out.addNode(Onnx.NodeProto.newBuilder().setOpType("Flatten").setName(node.getName())
                        .addInput(node.getInput(0)).addOutput(node.getOutput(0))
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis")
                                .setType(Onnx.AttributeProto.AttributeType.INT).setI(1)));
                changed = true;
            } else {
                out.addNode(node);
            }
        }
        return changed ? model.toBuilder().setGraph(removeDeadNodes(out.build())).build() : model;
    }

    /**
     * Replaces every {@code GlobalAveragePool} by {@code ReduceMean} and every {@code GlobalMaxPool} by
     * {@code ReduceMax} over the axes {@code 2 .. r-1} with {@code keepdims=1}, where {@code r} is the rank of the
     * node's input: the same function (a global pool reduces every spatial axis and keeps it as size 1). The rank is
     * read from the graph's declared shapes (inputs, value infos, initializers) and carried through ops that keep
     * the rank of their first input (convolutions, normalizations, activations, pooling, {@code Pad},
     * {@code Concat}, ...) or broadcast ({@code Add}, {@code Mul}, ...); a global pool whose input rank cannot be
     * derived that way is left unchanged ({@link OnnxOps#unsafe} then names it).
     *
     * @param model a parsed model
     * @return the model where every global pool of known input rank is a reduction
     */
    public static Onnx.ModelProto globalPoolsToReduce(Onnx.ModelProto model) {
        Onnx.GraphProto g = model.getGraph();
        Map<String, Integer> ranks = ranks(g);
        Onnx.GraphProto.Builder out = g.toBuilder();
        boolean changed = false;
        for (Onnx.NodeProto.Builder node : out.getNodeBuilderList()) {
            String reduction = GLOBAL_POOL_REDUCTIONS.get(node.getOpType());
            Integer rank = node.getInputCount() == 1 ? ranks.get(node.getInput(0)) : null;
            if (reduction == null || rank == null || rank < 3) {
                continue;
            }
            Onnx.AttributeProto.Builder axes = Onnx.AttributeProto.newBuilder().setName("axes")
                    .setType(Onnx.AttributeProto.AttributeType.INTS);
            for (long axis = 2; axis < rank; axis++) {
                axes.addInts(axis);
            }
            node.setOpType(reduction).clearAttribute().addAttribute(axes).addAttribute(Onnx.AttributeProto
                    .newBuilder().setName("keepdims").setType(Onnx.AttributeProto.AttributeType.INT).setI(1));
            changed = true;
        }
        return changed ? model.toBuilder().setGraph(out).build() : model;
    }

    /**
     * Converts a float32 model to float64: every FLOAT initializer and tensor-valued {@code Constant}, every FLOAT
     * graph input, output and value info, and every {@code Cast} to FLOAT becomes DOUBLE. The result computes the
     * same function in double precision (used to compare with a float64 reference).
     *
     * @param model a parsed model
     * @return the model in float64
     */
    public static Onnx.ModelProto toDouble(Onnx.ModelProto model) {
        return model.toBuilder().setGraph(toDouble(model.getGraph())).build();
    }

    private static Onnx.GraphProto toDouble(Onnx.GraphProto g) {
        Onnx.GraphProto.Builder b = g.toBuilder();
        for (int i = 0; i < b.getInitializerCount(); i++) {
            b.setInitializer(i, doubleTensor(b.getInitializer(i)));
        }
        for (Onnx.NodeProto.Builder n : b.getNodeBuilderList()) {
            for (Onnx.AttributeProto.Builder a : n.getAttributeBuilderList()) {
                if ("Constant".equals(n.getOpType()) && a.hasT()) {
                    a.setT(doubleTensor(a.getT()));
                } else if ("Cast".equals(n.getOpType()) && "to".equals(a.getName())
                        && a.getI() == Onnx.TensorProto.DataType.FLOAT_VALUE) {
                    a.setI(Onnx.TensorProto.DataType.DOUBLE_VALUE);
                }
                if (a.hasG()) {
                    a.setG(toDouble(a.getG()));
                }
            }
        }
        List<Onnx.ValueInfoProto.Builder> infos = new ArrayList<>(b.getInputBuilderList());
        infos.addAll(b.getOutputBuilderList());
        infos.addAll(b.getValueInfoBuilderList());
        for (Onnx.ValueInfoProto.Builder v : infos) {
            if (v.hasType() && v.getType().hasTensorType()
                    && v.getType().getTensorType().getElemType() == Onnx.TensorProto.DataType.FLOAT_VALUE) {
                v.getTypeBuilder().getTensorTypeBuilder().setElemType(Onnx.TensorProto.DataType.DOUBLE_VALUE);
            }
        }
        return b.build();
    }

    /** A FLOAT tensor as a DOUBLE tensor with the same name, shape and values; other tensors unchanged. */
    private static Onnx.TensorProto doubleTensor(Onnx.TensorProto t) {
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            return t;
        }
        INDArray a = OnnxFiles.toArray(t, DataType.DOUBLE);
        Onnx.TensorProto.Builder d = t.toBuilder().clearRawData().clearFloatData()
                .setDataType(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        for (double v : a.reshape(a.length()).toDoubleVector()) {
            d.addDoubleData(v);
        }
        return d.build();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The rank of every tensor that is declared or follows from a declared one through rank-preserving ops. */
    private static Map<String, Integer> ranks(Onnx.GraphProto g) {
        Map<String, Integer> ranks = new HashMap<>();
        List<Onnx.ValueInfoProto> declared = new ArrayList<>(g.getInputList());
        declared.addAll(g.getValueInfoList());
        declared.addAll(g.getOutputList());
        for (Onnx.ValueInfoProto v : declared) {
            if (v.getType().hasTensorType() && v.getType().getTensorType().hasShape()) {
                ranks.put(v.getName(), v.getType().getTensorType().getShape().getDimCount());
            }
        }
        g.getInitializerList().forEach(t -> ranks.put(t.getName(), t.getDimsCount()));
        for (Onnx.NodeProto n : g.getNodeList()) {
            if (n.getOutputCount() == 0 || n.getInputCount() == 0 || ranks.containsKey(n.getOutput(0))) {
                continue;
            }
            Integer rank = null;
            if (RANK_OF_FIRST_INPUT.contains(n.getOpType())) {
                rank = ranks.get(n.getInput(0));
            } else if (RANK_OF_BROADCAST.contains(n.getOpType())
                    && n.getInputList().stream().allMatch(ranks::containsKey)) {
                rank = n.getInputList().stream().mapToInt(ranks::get).max().orElseThrow();
            }
            if (rank != null) {
                ranks.put(n.getOutput(0), rank);
            }
        }
        return ranks;
    }

    /** {@code Concat(axis 0)} of {@code Unsqueeze(Gather(Shape(data), 0), [0])} and a constant {@code -1}. */
    private static boolean isBatchFlattenShape(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers,
                                               String data, String shape) {
        Onnx.NodeProto concat = producers.get(shape);
        if (concat == null || !"Concat".equals(concat.getOpType()) || concat.getInputCount() != 2
                || intAttribute(concat, "axis", 0) != 0) {
            return false;
        }
        long[] minusOne = unsqueezedConstant(g, producers, concat.getInput(1));
        if (minusOne == null || minusOne.length != 1 || minusOne[0] != -1) {
            return false;
        }
        Onnx.NodeProto unsqueeze = producers.get(concat.getInput(0));
        if (unsqueeze == null || !"Unsqueeze".equals(unsqueeze.getOpType()) || !isAxesZero(g, producers, unsqueeze)) {
            return false;
        }
        Onnx.NodeProto gather = producers.get(unsqueeze.getInput(0));
        if (gather == null || !"Gather".equals(gather.getOpType()) || intAttribute(gather, "axis", 0) != 0) {
            return false;
        }
        long[] index = values(g, producers, gather.getInput(1));
        Onnx.NodeProto shapeOf = producers.get(gather.getInput(0));
        return index != null && index.length == 1 && index[0] == 0 && shapeOf != null
                && "Shape".equals(shapeOf.getOpType()) && shapeOf.getAttributeCount() == 0
                && data.equals(shapeOf.getInput(0));
    }

    /** The values of a constant, or of {@code Unsqueeze(constant, [0])}, as a flat vector; null otherwise. */
    private static long[] unsqueezedConstant(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers, String name) {
        long[] direct = values(g, producers, name);
        if (direct != null) {
            return direct;
        }
        Onnx.NodeProto unsqueeze = producers.get(name);
        if (unsqueeze != null && "Unsqueeze".equals(unsqueeze.getOpType()) && isAxesZero(g, producers, unsqueeze)) {
            return values(g, producers, unsqueeze.getInput(0));
        }
        return null;
    }

    /** Unsqueeze with axes [0], as an attribute (opset < 13) or a constant second input (opset 13). */
    private static boolean isAxesZero(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers, Onnx.NodeProto n) {
        long[] axes;
        Onnx.AttributeProto attr = attribute(n, "axes");
        if (attr != null) {
            axes = attr.getIntsList().stream().mapToLong(Long::longValue).toArray();
        } else {
            axes = n.getInputCount() > 1 ? values(g, producers, n.getInput(1)) : null;
        }
        return axes != null && axes.length == 1 && axes[0] == 0;
    }

    /** Integer values of an initializer or tensor-valued Constant node; null if the name is neither. */
    private static long[] values(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers, String name) {
        Onnx.TensorProto t = constantTensor(g, producers, name);
        if (t == null || (t.getDataType() != Onnx.TensorProto.DataType.INT64_VALUE
                && t.getDataType() != Onnx.TensorProto.DataType.INT32_VALUE)) {
            return null;
        }
        INDArray a = OnnxFiles.toArray(t, DataType.LONG);
        return a.reshape(a.length()).toLongVector();
    }

    private static Onnx.TensorProto constantTensor(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers,
                                                   String name) {
        for (Onnx.TensorProto t : g.getInitializerList()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        Onnx.NodeProto p = producers.get(name);
        if (p != null && "Constant".equals(p.getOpType())) {
            Onnx.AttributeProto v = attribute(p, "value");
            return v != null && v.hasT() ? v.getT() : null;
        }
        return null;
    }

    /** A {@code Pad} whose pads (attribute before opset 11, constant input since) are all zero. */
    private static boolean isIdentityPad(Onnx.GraphProto g, Map<String, Onnx.NodeProto> producers,
                                         Onnx.NodeProto node) {
        if (!"Pad".equals(node.getOpType())) {
            return false;
        }
        Onnx.AttributeProto padsAttr = attribute(node, "pads");
        long[] pads = padsAttr != null ? padsAttr.getIntsList().stream().mapToLong(Long::longValue).toArray()
                : node.getInputCount() > 1 ? values(g, producers, node.getInput(1)) : null;
        return pads != null && Arrays.stream(pads).allMatch(p -> p == 0);
    }

    /** Drops nodes none of whose outputs are consumed or graph outputs, repeatedly. */
    private static Onnx.GraphProto removeDeadNodes(Onnx.GraphProto g) {
        List<Onnx.NodeProto> nodes = new ArrayList<>(g.getNodeList());
        boolean removed = true;
        while (removed) {
            Set<String> used = graphOutputNames(g);
            for (Onnx.NodeProto n : nodes) {
                used.addAll(n.getInputList());
            }
            removed = nodes.removeIf(n -> n.getOutputList().stream().noneMatch(used::contains));
        }
        Set<String> used = graphOutputNames(g);
        for (Onnx.NodeProto n : nodes) {
            used.addAll(n.getInputList());
        }
        Onnx.GraphProto.Builder b = g.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            if (used.contains(t.getName())) {
                b.addInitializer(t);
            }
        }
        return b.build();
    }

    private static void rewireInputs(Onnx.GraphProto.Builder g, Map<String, String> replace) {
        for (Onnx.NodeProto.Builder n : g.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                String in = n.getInput(i);
                while (replace.containsKey(in)) {
                    in = replace.get(in);
                }
                n.setInput(i, in);
            }
        }
    }

    private static Onnx.GraphProto renameIn(Onnx.GraphProto g, UnaryOperator<String> rename) {
        Onnx.GraphProto.Builder b = g.toBuilder();
        for (Onnx.NodeProto.Builder n : b.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                n.setInput(i, rename.apply(n.getInput(i)));
            }
            for (int i = 0; i < n.getOutputCount(); i++) {
                n.setOutput(i, rename.apply(n.getOutput(i)));
            }
            for (Onnx.AttributeProto.Builder a : n.getAttributeBuilderList()) {
                if (a.hasG()) {
                    a.setG(renameIn(a.getG(), rename));
                }
                for (int i = 0; i < a.getGraphsCount(); i++) {
                    a.setGraphs(i, renameIn(a.getGraphs(i), rename));
                }
            }
        }
        for (Onnx.ValueInfoProto.Builder v : b.getInputBuilderList()) {
            v.setName(rename.apply(v.getName()));
        }
        for (Onnx.ValueInfoProto.Builder v : b.getOutputBuilderList()) {
            v.setName(rename.apply(v.getName()));
        }
        for (Onnx.ValueInfoProto.Builder v : b.getValueInfoBuilderList()) {
            v.setName(rename.apply(v.getName()));
        }
        for (Onnx.TensorProto.Builder t : b.getInitializerBuilderList()) {
            t.setName(rename.apply(t.getName()));
        }
        return b.build();
    }

    private static void collectNames(Onnx.GraphProto g, Set<String> names) {
        for (Onnx.NodeProto n : g.getNodeList()) {
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
            for (Onnx.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG(), names);
                }
                for (Onnx.GraphProto sub : a.getGraphsList()) {
                    collectNames(sub, names);
                }
            }
        }
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getOutputList().forEach(v -> names.add(v.getName()));
        g.getValueInfoList().forEach(v -> names.add(v.getName()));
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        names.remove("");
    }

    private static String fresh(Set<String> taken, String base) {
        String candidate = base;
        for (int i = 1; taken.contains(candidate); i++) {
            candidate = base + "_" + i;
        }
        taken.add(candidate);
        return candidate;
    }

    private static Onnx.TensorProto floatTensor(String name, List<Long> dims, float[] values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addAllDims(dims);
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static Map<String, Onnx.NodeProto> producers(Onnx.GraphProto g) {
        Map<String, Onnx.NodeProto> map = new HashMap<>();
        for (Onnx.NodeProto n : g.getNodeList()) {
            for (String o : n.getOutputList()) {
                map.put(o, n);
            }
        }
        return map;
    }

    private static Map<String, Onnx.TensorProto> initializerMap(Onnx.GraphProto g) {
        Map<String, Onnx.TensorProto> map = new HashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            map.put(t.getName(), t);
        }
        return map;
    }

    private static Set<String> graphOutputNames(Onnx.GraphProto g) {
        Set<String> s = new HashSet<>();
        g.getOutputList().forEach(v -> s.add(v.getName()));
        return s;
    }

    static Onnx.AttributeProto attribute(Onnx.NodeProto node, String name) {
        for (Onnx.AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttribute(Onnx.NodeProto node, String name, long dflt) {
        Onnx.AttributeProto a = attribute(node, name);
        return a == null ? dflt : a.getI();
    }
}
