package org.dtkd4j.zoo.vertex;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelVerticesTest {

    private static GraphVertex shuffle(int groups) {
        return new ChannelShuffleVertex(groups).instantiate(null, "shuffle", 0, null, false, DataType.DOUBLE);
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
