package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * Channel shuffle of ShuffleNet (Zhang et al., "ShuffleNet: An Extremely Efficient Convolutional Neural Network for
 * Mobile Devices", CVPR 2018): an activation with {@code C = g·k} channels has its channel axis viewed as
 * {@code [g, k]}, the two axes swapped and flattened back, so output channel {@code a·g + b} is input channel
 * {@code b·k + a}. In NCHW this is exactly the reference's
 * {@code x.reshape(N, g, C/g, H, W).permute(0, 2, 1, 3, 4).reshape(N, C, H, W)}; in NHWC the same permutation acts
 * on the last axis.
 *
 * <p>The backward pass applies the inverse permutation to the incoming gradient. The vertex has no parameters and
 * survives JSON and {@code ModelSerializer} round trips.
 */
public final class ChannelShuffleVertex extends RearrangeVertex {

    private final int groups;
    private final CNN2DFormat format;

    /**
     * A channel shuffle of NCHW activations.
     *
     * @param groups number of groups {@code g}; the input's channel count must be a multiple of it
     * @throws IllegalArgumentException if {@code groups < 1}
     */
    public ChannelShuffleVertex(int groups) {
        this(groups, CNN2DFormat.NCHW);
    }

    /**
     * @param groups number of groups {@code g}; the input's channel count must be a multiple of it
     * @param format layout of the activations; {@code null} (configurations saved before the layout was
     *               configurable) means NCHW
     * @throws IllegalArgumentException if {@code groups < 1}
     */
    public ChannelShuffleVertex(@JsonProperty("groups") int groups, @JsonProperty("format") CNN2DFormat format) {
        if (groups < 1) {
            throw new IllegalArgumentException("channel shuffle needs at least 1 group, found " + groups);
        }
        this.groups = groups;
        this.format = format == null ? CNN2DFormat.NCHW : format;
    }

    /** @return the number of groups */
    public int getGroups() {
        return groups;
    }

    /** @return the layout of the activations */
    public CNN2DFormat getFormat() {
        return format;
    }

    @Override
    CNN2DFormat channelLayout() {
        return format;
    }

    @Override
    public ChannelShuffleVertex clone() {
        return new ChannelShuffleVertex(groups, format);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelShuffleVertex v && v.groups == groups && v.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ChannelShuffleVertex.class.hashCode() + groups) + format.hashCode();
    }

    @Override
    InputType outputType(InputType.InputTypeConvolutional in) {
        if (in.getChannels() % groups != 0) {
            throw new InvalidInputTypeException("channel shuffle into " + groups + " groups needs a multiple of "
                    + groups + " channels, found " + in.getChannels());
        }
        return in;
    }

    @Override
    INDArray forward(INDArray in, LayerWorkspaceMgr mgr) {
        return swapChannelAxes(in, groups, mgr, ArrayType.ACTIVATIONS);
    }

    @Override
    INDArray backward(INDArray epsilon, long[] inputShape, LayerWorkspaceMgr mgr) {
        long k = epsilon.size(channelAxis(format)) / groups;
        return swapChannelAxes(epsilon, Math.toIntExact(k), mgr, ArrayType.ACTIVATION_GRAD);
    }

    /**
     * Writes {@code in} with its channel axis viewed as {@code [a, b]} into a new {@code c}-ordered array whose
     * channel axis is viewed as {@code [b, a]}.
     */
    private INDArray swapChannelAxes(INDArray in, int a, LayerWorkspaceMgr mgr, ArrayType type) {
        long[] s = in.shape();
        int axis = channelAxis(format);
        if (s[axis] % a != 0) {
            throw new IllegalStateException("channel shuffle needs a channel count that is a multiple of " + a
                    + ", found shape " + Arrays.toString(s) + " (" + format + ")");
        }
        long b = s[axis] / a;
        INDArray out = mgr.createUninitialized(type, in.dataType(), s, 'c');
        if (format == CNN2DFormat.NCHW) {
            out.reshape('c', s[0], b, a, s[2], s[3])
                    .assign(in.reshape('c', s[0], a, b, s[2], s[3]).permute(0, 2, 1, 3, 4));
        } else {
            out.reshape('c', s[0], s[1], s[2], b, a)
                    .assign(in.reshape('c', s[0], s[1], s[2], a, b).permute(0, 1, 2, 4, 3));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ChannelShuffleVertex(groups=" + groups + "," + format + ")";
    }
}
