package org.dtkd4j.core.perf;

import java.util.Map;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A two-input element-wise sum (a residual connection, {@code y = a + b}) computed by one op into its output, put in
 * place of DL4J's {@code ElementWiseVertex} with {@code Op.Add} in a live graph.
 *
 * <p>DL4J 1.0.0-M2.1's vertex copies its first input into the output array and then adds the second in place: two
 * passes, the first a plain copy (which is slow when that input is a strided view, as the activations of an NHWC
 * network are). This vertex runs libnd4j's {@code add} op once, from both inputs into the output. Each output value is
 * the same single float addition {@code a + b}, so the values are DL4J's bit for bit. The backward pass hands each
 * input its own copy of the gradient, as DL4J's does. Anything else (one input, more than two, shapes that broadcast,
 * inputs of another data type) goes to DL4J's own code, forward and backward.
 *
 * <p>{@link #install} replaces the live vertex objects only: the graph's configuration, which {@code ModelSerializer}
 * saves and {@code clone()} copies, still describes DL4J's vertex, and a clone or a restored graph has DL4J's vertex
 * again.
 */
public final class ResidualAdd extends ElementWiseVertex {

    private static final PrivateField<ComputationGraph, Map<String, GraphVertex>> VERTICES_BY_NAME =
            new PrivateField<>(ComputationGraph.class, "verticesMap");
    private static final PrivateField<ElementWiseVertex, Op> OPERATION = new PrivateField<>(ElementWiseVertex.class,
            "op");

    /** Whether the last forward pass went to DL4J's code, whose backward pass then runs too. */
    private boolean dl4jForward;

    private ResidualAdd(ComputationGraph graph, ElementWiseVertex replaced) {
        super(graph, replaced.getVertexName(), replaced.getVertexIndex(), replaced.getInputVertices(),
                replaced.getOutputVertices(), Op.Add, replaced.getDataType());
        setOutputVertex(replaced.isOutputVertex());
    }

    /**
     * Puts this vertex in place of every {@code ElementWiseVertex} of {@code graph} that adds its inputs.
     *
     * @param graph an initialised graph
     * @return the number of vertices replaced
     */
    public static int install(ComputationGraph graph) {
        GraphVertex[] vertices = graph.getVertices();
        Map<String, GraphVertex> byName = VERTICES_BY_NAME.get(graph, "the graph");
        int installed = 0;
        for (int i = 0; i < vertices.length; i++) {
            if (vertices[i].getClass() == ElementWiseVertex.class && vertices[i] instanceof ElementWiseVertex e
                    && OPERATION.get(e, "vertex " + e.getVertexName()) == Op.Add) {
                ResidualAdd replacement = new ResidualAdd(graph, e);
                vertices[i] = replacement;
                byName.put(e.getVertexName(), replacement);
                installed++;
            }
        }
        return installed;
    }

    /**
     * @param graph a graph
     * @return the number of its vertices that are this vertex
     */
    public static int installedIn(ComputationGraph graph) {
        int n = 0;
        for (GraphVertex vertex : graph.getVertices()) {
            if (vertex instanceof ResidualAdd) {
                n++;
            }
        }
        return n;
    }

    /** {@code a + b} into a new activation array, one op; anything but two equal-shaped inputs: DL4J's code. */
    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass: inputs not set");
        }
        dl4jForward = inputs.length != 2 || !inputs[0].equalShapes(inputs[1]) || inputs[0].dataType() != dataType
                || inputs[1].dataType() != dataType;
        if (dl4jForward) {
            return super.doForward(training, workspaceMgr);
        }
        INDArray sum = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, inputs[0].shape());
        Nd4j.exec(new AddOp(new INDArray[]{inputs[0], inputs[1]}, new INDArray[]{sum}));
        return sum;
    }

    /** Each input's gradient is a copy of the output's, as in DL4J's vertex. */
    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (dl4jForward) {
            return super.doBackward(tbptt, workspaceMgr);
        }
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass: errors not set");
        }
        return new Pair<>(null, new INDArray[]{workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon),
                workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon)});
    }
}
