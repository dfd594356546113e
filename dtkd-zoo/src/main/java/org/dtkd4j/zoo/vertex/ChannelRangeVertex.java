package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Channels {@code from..to} (inclusive) of a convolutional activation, in NCHW or NHWC; the backward pass writes the
 * gradient into those channels and zeros elsewhere. DL4J 1.0.0-M2.1's {@code SubsetVertex} cannot be used: it
 * reports {@code from − to + 1} channels for a CNN input (a negative count), which breaks the shape inference of
 * every layer and merge after it, and it always slices axis 1, which is not the channel axis of NHWC activations.
 * Used for ShuffleNetV2's channel split and grouped convolutions.
 */
public final class ChannelRangeVertex extends RearrangeVertex {

    private final int from;
    private final int to;
    private final CNN2DFormat format;

    /**
     * Channels of NCHW activations.
     *
     * @param from first channel, inclusive, {@code >= 0}
     * @param to   last channel, inclusive, {@code >= from}
     */
    public ChannelRangeVertex(int from, int to) {
        this(from, to, CNN2DFormat.NCHW);
    }

    /**
     * @param from   first channel, inclusive, {@code >= 0}
     * @param to     last channel, inclusive, {@code >= from}
     * @param format layout of the activations; {@code null} (configurations saved before the layout was
     *               configurable) means NCHW
     */
    public ChannelRangeVertex(@JsonProperty("from") int from, @JsonProperty("to") int to,
                              @JsonProperty("format") CNN2DFormat format) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("channel range needs 0 <= from <= to, found " + from + ".." + to);
        }
        this.from = from;
        this.to = to;
        this.format = format == null ? CNN2DFormat.NCHW : format;
    }

    /** @return the first channel, inclusive */
    public int getFrom() {
        return from;
    }

    /** @return the last channel, inclusive */
    public int getTo() {
        return to;
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
    public ChannelRangeVertex clone() {
        return new ChannelRangeVertex(from, to, format);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelRangeVertex v && v.from == from && v.to == to && v.format == format;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * ChannelRangeVertex.class.hashCode() + from) + to) + format.hashCode();
    }

    @Override
    InputType outputType(InputType.InputTypeConvolutional in) {
        if (to >= in.getChannels()) {
            throw new InvalidInputTypeException("channel range " + from + ".." + to + " exceeds the input's "
                    + in.getChannels() + " channels");
        }
        return InputType.convolutional(in.getHeight(), in.getWidth(), to - from + 1, format);
    }

    /** @return the index selecting this vertex's channels of a rank-4 activation */
    private INDArrayIndex[] range() {
        INDArrayIndex[] index = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        index[channelAxis(format)] = NDArrayIndex.interval(from, to, true);
        return index;
    }

    @Override
    INDArray forward(INDArray in, LayerWorkspaceMgr mgr) {
        INDArray slice = in.get(range());
        return copy(slice, slice.shape(), mgr, ArrayType.ACTIVATIONS);
    }

    @Override
    INDArray backward(INDArray epsilon, long[] inputShape, LayerWorkspaceMgr mgr) {
        INDArray out = mgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), inputShape, 'c');
        out.get(range()).assign(epsilon);
        return out;
    }

    @Override
    public String toString() {
        return "ChannelRangeVertex(from=" + from + ",to=" + to + "," + format + ")";
    }
}
