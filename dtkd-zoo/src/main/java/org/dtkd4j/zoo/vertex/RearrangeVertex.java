package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * A parameter-free vertex with one convolutional input whose forward pass rearranges (or selects) the input's
 * elements and whose backward pass routes each gradient element back to where it came from. Subclasses give the
 * output type and the two passes; this class does the DL4J plumbing.
 */
abstract class RearrangeVertex extends GraphVertex {

    /** @return the layout of the activations in which the vertex reads its input's channel axis */
    abstract CNN2DFormat channelLayout();

    /**
     * @param in the validated input type, in {@link #channelLayout()}
     * @return the output type
     * @throws InvalidInputTypeException if the input does not suit the vertex
     */
    abstract InputType outputType(InputType.InputTypeConvolutional in) throws InvalidInputTypeException;

    /** @return the output for input {@code in} (rank 4, in the vertex's layout), a new array from {@code mgr} */
    abstract INDArray forward(INDArray in, LayerWorkspaceMgr mgr);

    /** @return the gradient with respect to an input of shape {@code inputShape}, a new array from {@code mgr} */
    abstract INDArray backward(INDArray epsilon, long[] inputShape, LayerWorkspaceMgr mgr);

    /** @return the index of the channel axis of a rank-4 activation in {@code layout} */
    static int channelAxis(CNN2DFormat layout) {
        return layout == CNN2DFormat.NCHW ? 1 : 3;
    }

    /** @return a new {@code c}-ordered array of {@code shape} from {@code mgr} holding {@code values} */
    static INDArray copy(INDArray values, long[] shape, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray out = mgr.createUninitialized(type, values.dataType(), shape, 'c');
        out.assign(values);
        return out;
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new Impl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional conv)
                || conv.getFormat() != channelLayout()) {
            throw new InvalidInputTypeException(this + " needs one " + channelLayout() + " convolutional input, found "
                    + Arrays.toString(vertexInputs));
        }
        return outputType(conv);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    /** The runtime vertex: the configuration's forward and backward passes. */
    @SuppressWarnings("overrides") // BaseGraphVertex implements the interface's setInputs(INDArray...) as INDArray[]
    static final class Impl extends BaseGraphVertex {
        private final RearrangeVertex conf;
        private long[] inputShape;

        Impl(ComputationGraph graph, String name, int vertexIndex, RearrangeVertex conf, DataType dataType) {
            super(graph, name, vertexIndex, null, null, dataType);
            this.conf = conf;
        }

        @Override
        public boolean hasLayer() {
            return false;
        }

        @Override
        public org.deeplearning4j.nn.api.Layer getLayer() {
            return null;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException(this + ": input not set");
            }
            if (inputs[0].rank() != 4) {
                throw new IllegalStateException(this + " needs a rank-4 " + conf.channelLayout()
                        + " activation, found shape " + Arrays.toString(inputs[0].shape()));
            }
            inputShape = inputs[0].shape();
            return conf.forward(inputs[0], workspaceMgr);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward() || inputShape == null) {
                throw new IllegalStateException(this + ": gradient or forward pass missing");
            }
            return new Pair<>(null, new INDArray[] {conf.backward(epsilon, inputShape, workspaceMgr)});
        }

        @Override
        public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
            if (backpropGradientsViewArray != null) {
                throw new IllegalStateException(this + " has no parameters");
            }
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                               int minibatchSize) {
            if (maskArrays == null || maskArrays.length == 0) {
                return null;
            }
            return new Pair<>(maskArrays[0], currentMaskState);
        }

        @Override
        public String toString() {
            return conf + "(id=" + vertexIndex + ",name=\"" + vertexName + "\")";
        }
    }
}
