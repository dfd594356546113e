package org.dtkd4j.core.dl4j;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.Method;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.File;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter stores the config record itself: its JSON names the method, and a saved network keeps it. */
class LossFunctionSerializationTest {

    @ParameterizedTest
    @EnumSource(Method.class)
    void modelSerializerKeepsEveryMethodsRecord(Method method, @TempDir File dir) throws Exception {
        DistillationLossFunction loss = DistillationLossFunction.of(method.defaultConfig());
        loss.setEpoch(7);
        ComputationGraph graph = Fixtures.graph(loss, new Sgd(0.1), DataType.FLOAT, 3);
        assertThat(graph.getConfiguration().toJson())
                .contains("\"config\" : {\n").contains("\"method\" : \"" + method.name() + "\"");

        File file = new File(dir, "model.zip");
        ModelSerializer.writeModel(graph, file, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, false);
        DistillationLossFunction back = (DistillationLossFunction) ((BaseOutputLayer) restored.getLayer("out").conf()
                .getLayer()).getLossFn();
        assertThat(back.config()).isEqualTo(method.defaultConfig());
        assertThat(back.epoch()).contains(7);
    }
}
