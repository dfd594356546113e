package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Converts an NCHW activation {@code [N, C, H, W]} into NHWC {@code [N, H, W, C]} (a {@code c}-ordered copy of
 * {@code x.permute(0, 2, 3, 1)}); the backward pass permutes the gradient back. Placed right after a graph's input,
 * it lets a network compute in NHWC while its callers keep feeding NCHW images.
 */
public final class ChannelsLastVertex extends RearrangeVertex {

    /** Creates the vertex; it has no configuration. */
    public ChannelsLastVertex() {
    }

    @Override
    CNN2DFormat channelLayout() {
        return CNN2DFormat.NCHW;
    }

    @Override
    public ChannelsLastVertex clone() {
        return new ChannelsLastVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelsLastVertex;
    }

    @Override
    public int hashCode() {
        return ChannelsLastVertex.class.hashCode();
    }

    @Override
    InputType outputType(InputType.InputTypeConvolutional in) {
        return InputType.convolutional(in.getHeight(), in.getWidth(), in.getChannels(), CNN2DFormat.NHWC);
    }

    @Override
    INDArray forward(INDArray in, LayerWorkspaceMgr mgr) {
        long[] s = in.shape();
        return copy(in.permute(0, 2, 3, 1), new long[] {s[0], s[2], s[3], s[1]}, mgr, ArrayType.ACTIVATIONS);
    }

    @Override
    INDArray backward(INDArray epsilon, long[] inputShape, LayerWorkspaceMgr mgr) {
        return copy(epsilon.permute(0, 3, 1, 2), inputShape, mgr, ArrayType.ACTIVATION_GRAD);
    }

    @Override
    public String toString() {
        return "ChannelsLastVertex";
    }
}
