package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.optim.SgdMomentum;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZooSpecTest {

    @Test
    void defaultsAreCifar100AndTheReferenceOptimiser() {
        ZooSpec spec = ZooSpec.defaults();
        assertThat(spec.numClasses()).isEqualTo(100);
        assertThat(new int[] {spec.channels(), spec.height(), spec.width()}).containsExactly(3, 32, 32);
        assertThat(spec.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(spec.updater()).isInstanceOfSatisfying(SgdMomentum.class, u -> {
            assertThat(u.learningRate()).isEqualTo(0.05);
            assertThat(u.momentum()).isEqualTo(0.9);
        });
        assertThat(spec.loss()).isEqualTo(DistillationLossFunction.of(CeConfig.defaults()));
        assertThat(spec.dataFormat()).isEqualTo(CNN2DFormat.NCHW);
        assertThat(spec.initialization()).isEqualTo(Initialization.REFERENCE);
    }

    @Test
    void builderSetsEverythingAndToBuilderRoundTrips() {
        ZooSpec spec = ZooSpec.builder().numClasses(10).input(1, 28, 28).seed(9).initialization(Initialization.DL4J)
                .dataType(DataType.DOUBLE).dataFormat(CNN2DFormat.NHWC).updater(new Adam(1e-3)).loss(new LossMSE())
                .build();
        assertThat(spec).isEqualTo(new ZooSpec(10, 1, 28, 28, 9, Initialization.DL4J, DataType.DOUBLE,
                CNN2DFormat.NHWC, new Adam(1e-3), new LossMSE()));
        assertThat(spec.toBuilder().build()).isEqualTo(spec);
    }

    @Test
    void invalidValuesAreNamedWithWhatWasFound() {
        assertThatThrownBy(() -> ZooSpec.builder().numClasses(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("numClasses must be at least 2, found 1");
        assertThatThrownBy(() -> ZooSpec.builder().input(0, 32, 32).build())
                .hasMessage("channels must be at least 1, found 0");
        assertThatThrownBy(() -> ZooSpec.builder().input(3, 32, 7).build())
                .hasMessage("input height and width must be at least 8, found 32x7");
        assertThatThrownBy(() -> ZooSpec.builder().dataType(DataType.INT32).build())
                .hasMessage("dataType must be a floating-point type, found " + DataType.INT32);
        assertThatThrownBy(() -> ZooSpec.builder().updater(null).build()).isInstanceOf(NullPointerException.class)
                .hasMessage("updater");
        assertThatThrownBy(() -> ZooSpec.builder().dataFormat(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("dataFormat");
        assertThatThrownBy(() -> ZooSpec.builder().loss(null).build()).isInstanceOf(NullPointerException.class)
                .hasMessage("loss");
        assertThatThrownBy(() -> ZooSpec.builder().initialization(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("initialization");
    }
}
