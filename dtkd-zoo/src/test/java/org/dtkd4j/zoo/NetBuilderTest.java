package org.dtkd4j.zoo;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.zoo.NetBuilder.Node;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.buffer.util.DataTypeUtil;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The building blocks on tiny graphs: PyTorch semantics of pooling and grouped convolutions, and exact gradients. */
class NetBuilderTest {

    private static ZooSpec tiny(int channels, DataType dataType) {
        return ZooSpec.builder().numClasses(3).input(channels, 8, 8).dataType(dataType).updater(new NoOp()).seed(5)
                .build();
    }

    @Test
    void averagePoolCountsPaddedZerosLikePyTorch() {
        NetBuilder net = new NetBuilder(tiny(2, DataType.DOUBLE), NetBuilder.Family.RESNET);
        Node pooled = net.avgPool("pool", net.input(), 3, 2, 1);
        ComputationGraph graph = new ComputationGraph(net.head(pooled, "fc").configuration());
        graph.init();
        INDArray out = graph.feedForward(Nd4j.ones(DataType.DOUBLE, 1, 2, 8, 8), false).get("pool");
        assertThat(out.shape()).containsExactly(1, 2, 4, 4);
        assertThat(out.getDouble(0, 0, 0, 0)).as("corner window: 4 ones, 5 padded zeros").isCloseTo(4.0 / 9, within(1e-15));
        assertThat(out.getDouble(0, 1, 1, 1)).isCloseTo(1.0, within(1e-15));
    }

    @Test
    void groupedConvolutionSeesOnlyItsGroupsChannels() {
        NetBuilder net = new NetBuilder(tiny(6, DataType.DOUBLE), NetBuilder.Family.RESNET);
        Node conv = net.conv("conv", net.input(), 6, 1, 1, 0, 3, false);
        ComputationGraph graph = new ComputationGraph(net.head(conv, "fc").configuration());
        graph.init();
        INDArray x = Nd4j.zeros(DataType.DOUBLE, 1, 6, 8, 8);
        x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4))
                .assign(1);
        INDArray out = graph.feedForward(x, false).get("conv");
        assertThat(out.shape()).containsExactly(1, 6, 8, 8);
        for (int c = 0; c < 6; c++) {
            double v = out.getDouble(0, c, 3, 3);
            assertThat(v != 0).as("output channel " + c + " responds to input channels 2..3 (group 1)").isEqualTo(c / 2 == 1);
        }
    }

    @Test
    void groupsMustDivideTheChannels() {
        NetBuilder net = new NetBuilder(tiny(6, DataType.FLOAT), NetBuilder.Family.RESNET);
        assertThatThrownBy(() -> net.conv("c", net.input(), 8, 1, 1, 0, 3, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 groups").hasMessageContaining("8");
    }

    /**
     * Backpropagation through grouped and depthwise convolutions, channel shuffle, channel split, concatenation,
     * padded average pooling, BatchNorm and the softmax cross-entropy matches central differences (float64).
     * (This caught DL4J's inconsistent padded average pool backward pass; see {@code NetBuilder.avgPool}.)
     */
    @Test
    void gradientsOfTheCustomBlocksAreExact() {
        NetBuilder net = new NetBuilder(tiny(6, DataType.DOUBLE), NetBuilder.Family.RESNET);
        Node x = net.conv("conv1", net.input(), 6, 1, 1, 0, 3, true);
        x = net.bn("bn1", x);
        x = net.shuffle("shuffle", x, 3);
        Node a = net.channels("split.0", x, 0, 2);
        Node b = net.conv("dw", net.channels("split.1", x, 2, 4), 4, 3, 2, 1, 4, false);
        Node merged = net.concat("cat", b, net.avgPool("pool", a, 3, 2, 1));
        ComputationGraph graph = new ComputationGraph(net.head(merged, "fc").configuration());
        graph.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 6, 8, 8).subi(0.5);
        INDArray labels = Nd4j.eye(3).castTo(DataType.DOUBLE);
        // GradientCheckUtil insists on a float64 default; ND4J is initialised by now, so the context type is readable
        DataType before = DataTypeUtil.getDtypeFromContext();
        DataTypeUtil.setDTypeForContext(DataType.DOUBLE);
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                    // absolute floor: central differences resolve ~1e-16 * |score| / 1e-6 = 1e-10 (conv1's biases,
                    // followed by BatchNorm, have an exact gradient of 0 and a numerical one of that size)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                    .excludeParams(Set.of("bn1_mean", "bn1_var"))); // running statistics have no gradient
            assertThat(ok).isTrue();
        } finally {
            DataTypeUtil.setDTypeForContext(before);
        }
    }
}
