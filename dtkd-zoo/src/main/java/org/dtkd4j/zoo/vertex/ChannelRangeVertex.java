package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Channels {@code from..to} (inclusive) of an activation: DL4J's {@link SubsetVertex}, whose runtime it uses, with
 * the output type of convolutional inputs corrected. In DL4J 1.0.0-M2.1 {@code SubsetVertex} reports
 * {@code from − to + 1} channels for a CNN input (a negative count), which breaks the shape inference of every
 * layer and merge after it. Used for ShuffleNetV2's channel split and grouped convolutions.
 */
public final class ChannelRangeVertex extends SubsetVertex {

    /**
     * @param from first channel, inclusive, {@code >= 0}
     * @param to   last channel, inclusive, {@code >= from}
     */
    public ChannelRangeVertex(@JsonProperty("from") int from, @JsonProperty("to") int to) {
        super(from, to);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("channel range needs 0 <= from <= to, found " + from + ".." + to);
        }
    }

    @Override
    public ChannelRangeVertex clone() {
        return new ChannelRangeVertex(getFrom(), getTo());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelRangeVertex v && v.getFrom() == getFrom() && v.getTo() == getTo();
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ChannelRangeVertex.class.hashCode() + getFrom()) + getTo();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length == 1 && vertexInputs[0] instanceof InputType.InputTypeConvolutional conv) {
            if (getTo() >= conv.getChannels()) {
                throw new InvalidInputTypeException("channel range " + getFrom() + ".." + getTo()
                        + " exceeds the input's " + conv.getChannels() + " channels");
            }
            return InputType.convolutional(conv.getHeight(), conv.getWidth(), getTo() - getFrom() + 1,
                    conv.getFormat());
        }
        return super.getOutputType(layerIndex, vertexInputs);
    }

    @Override
    public String toString() {
        return "ChannelRangeVertex(from=" + getFrom() + ",to=" + getTo() + ")";
    }
}
