package org.dtkd4j.zoo.vertex;

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
import org.deeplearning4j.nn.api.MaskState;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * Channel shuffle of ShuffleNet (Zhang et al., "ShuffleNet: An Extremely Efficient Convolutional Neural Network for
 * Mobile Devices", CVPR 2018): an NCHW activation with {@code C = g·k} channels is viewed as {@code [N, g, k, H, W]},
 * the two channel axes are swapped and the result is flattened back, so output channel {@code a·g + b} is input
 * channel {@code b·k + a}. This is exactly the reference's
 * {@code x.reshape(N, g, C/g, H, W).permute(0, 2, 1, 3, 4).reshape(N, C, H, W)}.
 *
 * <p>The backward pass applies the inverse permutation to the incoming gradient. The vertex has no parameters and
 * survives JSON and {@code ModelSerializer} round trips.
 */
public final class ChannelShuffleVertex extends GraphVertex {

    private final int groups;

    /**
     * @param groups number of groups {@code g}; the input's channel count must be a multiple of it
     * @throws IllegalArgumentException if {@code groups < 1}
     */
    public ChannelShuffleVertex(@JsonProperty("groups") int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("channel shuffle needs at least 1 group, found " + groups);
        }
        this.groups = groups;
    }

    /** @return the number of groups */
    public int getGroups() {
        return groups;
    }

    @Override
    public ChannelShuffleVertex clone() {
        return new ChannelShuffleVertex(groups);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelShuffleVertex v && v.groups == groups;
    }

    @Override
    public int hashCode() {
        return 31 * ChannelShuffleVertex.class.hashCode() + groups;
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
        return new Impl(graph, name, idx, groups, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional conv)
                || conv.getFormat() != CNN2DFormat.NCHW) {
            throw new InvalidInputTypeException("channel shuffle needs one NCHW convolutional input, found "
                    + Arrays.toString(vertexInputs));
        }
        if (conv.getChannels() % groups != 0) {
            throw new InvalidInputTypeException("channel shuffle into " + groups + " groups needs a multiple of "
                    + groups + " channels, found " + conv.getChannels());
        }
        return conv;
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ChannelShuffleVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public String toString() {
        return "ChannelShuffleVertex(groups=" + groups + ")";
    }

    /** The runtime vertex: a permutation of the channel axis forward, its inverse backward. */
    @SuppressWarnings("overrides") // BaseGraphVertex implements the interface's setInputs(INDArray...) as INDArray[]
    static final class Impl extends BaseGraphVertex {
        private final int groups;

        Impl(ComputationGraph graph, String name, int vertexIndex, int groups, DataType dataType) {
            super(graph, name, vertexIndex, null, null, dataType);
            this.groups = groups;
        }

        /**
         * Writes {@code in} ({@code [N, C, H, W]}) viewed as {@code [N, a, b, H, W]} into a new {@code c}-ordered
         * array viewed as {@code [N, b, a, H, W]}.
         */
        private static INDArray swapChannelAxes(INDArray in, int a, LayerWorkspaceMgr mgr, ArrayType type) {
            long[] s = in.shape();
            if (in.rank() != 4 || s[1] % a != 0) {
                throw new IllegalStateException("channel shuffle needs [N, C, H, W] with C a multiple of " + a
                        + ", found " + Arrays.toString(s));
            }
            long b = s[1] / a;
            INDArray out = mgr.createUninitialized(type, in.dataType(), s, 'c');
            out.reshape('c', s[0], b, a, s[2], s[3])
                    .assign(in.reshape('c', s[0], a, b, s[2], s[3]).permute(0, 2, 1, 3, 4));
            return out;
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
                throw new IllegalStateException("channel shuffle " + vertexName + ": input not set");
            }
            return swapChannelAxes(inputs[0], groups, workspaceMgr, ArrayType.ACTIVATIONS);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("channel shuffle " + vertexName + ": gradient not set");
            }
            long k = epsilon.size(1) / groups;
            INDArray back = swapChannelAxes(epsilon, Math.toIntExact(k), workspaceMgr, ArrayType.ACTIVATION_GRAD);
            return new Pair<>(null, new INDArray[] {back});
        }

        @Override
        public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
            if (backpropGradientsViewArray != null) {
                throw new IllegalStateException("channel shuffle " + vertexName + " has no parameters");
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
            return "ChannelShuffleVertex(id=" + vertexIndex + ",name=\"" + vertexName + "\",groups=" + groups + ")";
        }
    }
}
