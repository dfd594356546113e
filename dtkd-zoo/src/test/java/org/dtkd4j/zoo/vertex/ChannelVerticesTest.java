package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.serde.JsonMappers;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelVerticesTest {

    private static GraphVertex shuffle(int groups) {
        return runtime(new ChannelShuffleVertex(groups));
    }

    private static GraphVertex runtime(org.deeplearning4j.nn.conf.graph.GraphVertex conf) {
        return conf.instantiate(null, "v", 0, null, false, DataType.DOUBLE);
    }

    /** @return the vertex's output for {@code x} and its backward pass of {@code epsilon} */
    private static INDArray[] forwardBackward(org.deeplearning4j.nn.conf.graph.GraphVertex conf, INDArray x,
                                              INDArray epsilon) {
        GraphVertex v = runtime(conf);
        v.setInputs(x);
        INDArray out = v.doForward(true, LayerWorkspaceMgr.noWorkspaces());
        v.setEpsilon(epsilon);
        return new INDArray[] {out, v.doBackward(false, LayerWorkspaceMgr.noWorkspaces()).getSecond()[0]};
    }

    private static INDArray nhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1);
    }

    /** In NHWC, shuffle and channel range compute exactly the NCHW results, forward and backward, transposed. */
    @Test
    void nhwcVerticesComputeTheNchwResultsInChannelsLastLayout() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 12, 3, 5);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 2, 12, 3, 5);
        INDArray[] nchw = forwardBackward(new ChannelShuffleVertex(3), x, eps);
        INDArray[] channelsLast = forwardBackward(new ChannelShuffleVertex(3, CNN2DFormat.NHWC), nhwc(x), nhwc(eps));
        assertThat(channelsLast[0]).isEqualTo(nhwc(nchw[0]));
        assertThat(channelsLast[1]).isEqualTo(nhwc(nchw[1]));

        INDArray rangeEps = Nd4j.rand(DataType.DOUBLE, 2, 6, 3, 5);
        nchw = forwardBackward(new ChannelRangeVertex(4, 9), x, rangeEps);
        channelsLast = forwardBackward(new ChannelRangeVertex(4, 9, CNN2DFormat.NHWC), nhwc(x), nhwc(rangeEps));
        assertThat(nchw[0]).isEqualTo(x.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 10)));
        assertThat(channelsLast[0]).isEqualTo(nhwc(nchw[0]));
        assertThat(channelsLast[1]).isEqualTo(nhwc(nchw[1]));
        assertThat(nchw[1].get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).sumNumber().doubleValue()).isZero();
    }

    @Test
    void channelsLastVertexPermutesForwardAndBackBackward() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 5);
        INDArray eps = Nd4j.rand(DataType.DOUBLE, 2, 4, 5, 3);
        INDArray[] result = forwardBackward(new ChannelsLastVertex(), x, eps);
        assertThat(result[0]).isEqualTo(nhwc(x));
        assertThat(result[0].ordering()).isEqualTo('c');
        assertThat(result[1]).isEqualTo(eps.permute(0, 3, 1, 2));
        assertThat(new ChannelsLastVertex().getOutputType(0, InputType.convolutional(4, 5, 3)))
                .isEqualTo(InputType.convolutional(4, 5, 3, CNN2DFormat.NHWC));
        assertThatThrownBy(() -> new ChannelsLastVertex().getOutputType(0,
                InputType.convolutional(4, 5, 3, CNN2DFormat.NHWC)))
                .isInstanceOf(InvalidInputTypeException.class).hasMessageContaining("needs one NCHW convolutional input");
    }

    @Test
    void layoutIsValidatedAndSerialized() throws Exception {
        InputType nchwInput = InputType.convolutional(4, 4, 12);
        assertThatThrownBy(() -> new ChannelShuffleVertex(3, CNN2DFormat.NHWC).getOutputType(0, nchwInput))
                .isInstanceOf(InvalidInputTypeException.class)
                .hasMessageContaining("ChannelShuffleVertex(groups=3,NHWC) needs one NHWC convolutional input");
        assertThatThrownBy(() -> new ChannelRangeVertex(0, 1, CNN2DFormat.NHWC).getOutputType(0, nchwInput))
                .hasMessageContaining("needs one NHWC convolutional input");
        assertThat(new ChannelRangeVertex(2, 5, CNN2DFormat.NHWC).getOutputType(0,
                InputType.convolutional(4, 4, 12, CNN2DFormat.NHWC)))
                .isEqualTo(InputType.convolutional(4, 4, 4, CNN2DFormat.NHWC));

        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").setInputTypes(nchwInput)
                .addVertex("nhwc", new ChannelsLastVertex(), "in")
                .addVertex("shuffle", new ChannelShuffleVertex(3, CNN2DFormat.NHWC), "nhwc")
                .addVertex("a", new ChannelRangeVertex(0, 4, CNN2DFormat.NHWC), "shuffle")
                .setOutputs("a").build();
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(restored).isEqualTo(conf);
        assertThat(restored.getVertices().get("a")).isEqualTo(new ChannelRangeVertex(0, 4, CNN2DFormat.NHWC))
                .isNotEqualTo(new ChannelRangeVertex(0, 4));

        // configurations written before the layout was configurable have no "format": NCHW
        ObjectMapper mapper = JsonMappers.getMapper();
        assertThat(mapper.readValue("{\"@class\":\"" + ChannelShuffleVertex.class.getName() + "\",\"groups\":2}",
                org.deeplearning4j.nn.conf.graph.GraphVertex.class)).isEqualTo(new ChannelShuffleVertex(2));
        assertThat(mapper.readValue("{\"@class\":\"" + ChannelRangeVertex.class.getName()
                + "\",\"from\":1,\"to\":3}", org.deeplearning4j.nn.conf.graph.GraphVertex.class))
                .isEqualTo(new ChannelRangeVertex(1, 3, CNN2DFormat.NCHW));
    }

    @Test
    void shuffleInterleavesTheGroupsLikeTheReference() {
        // channel c holds the value c; 6 channels in 2 groups [0 1 2 | 3 4 5] -> 0 3 1 4 2 5
        INDArray x = Nd4j.arange(6).castTo(DataType.DOUBLE).reshape(1, 6, 1, 1).broadcast(1, 6, 2, 2);
        GraphVertex v = shuffle(2);
        v.setInputs(x);
        INDArray out = v.doForward(false, LayerWorkspaceMgr.noWorkspaces());
        assertThat(out.shape()).containsExactly(1, 6, 2, 2);
        double[] order = new double[6];
        for (int c = 0; c < 6; c++) {
            order[c] = out.getDouble(0, c, 1, 1);
        }
        assertThat(order).containsExactly(0, 3, 1, 4, 2, 5);
    }

    @Test
    void backwardIsTheInversePermutation() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 12, 3, 3);
        GraphVertex v = shuffle(3);
        v.setInputs(x);
        INDArray shuffled = v.doForward(true, LayerWorkspaceMgr.noWorkspaces());
        v.setEpsilon(shuffled);
        INDArray back = v.doBackward(false, LayerWorkspaceMgr.noWorkspaces()).getSecond()[0];
        assertThat(back).isEqualTo(x);
        assertThat(shuffled).isNotEqualTo(x);
    }

    @Test
    void shapesAreInferredAndValidated() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(4, 4, 12))
                .addVertex("shuffle", new ChannelShuffleVertex(3), "in")
                .addVertex("a", new ChannelRangeVertex(0, 4), "shuffle")
                .addVertex("b", new ChannelRangeVertex(5, 11), "shuffle")
                .addVertex("cat", new MergeVertex(), "b", "a")
                .setOutputs("cat").build();
        Map<String, InputType> types = conf.getLayerActivationTypes(InputType.convolutional(4, 4, 12));
        assertThat(types.get("a")).isEqualTo(InputType.convolutional(4, 4, 5));
        assertThat(types.get("cat")).isEqualTo(InputType.convolutional(4, 4, 12));
        assertThat(ComputationGraphConfiguration.fromJson(conf.toJson())).isEqualTo(conf);

        assertThatThrownBy(() -> new ChannelShuffleVertex(5).getOutputType(0, InputType.convolutional(4, 4, 12)))
                .isInstanceOf(InvalidInputTypeException.class).hasMessageContaining("multiple of 5 channels, found 12");
        assertThatThrownBy(() -> new ChannelRangeVertex(8, 12).getOutputType(0, InputType.convolutional(4, 4, 12)))
                .hasMessageContaining("exceeds the input's 12 channels");
        assertThatThrownBy(() -> new ChannelShuffleVertex(0)).hasMessageContaining("found 0");
        assertThatThrownBy(() -> new ChannelRangeVertex(3, 2)).hasMessageContaining("found 3..2");
    }
}
