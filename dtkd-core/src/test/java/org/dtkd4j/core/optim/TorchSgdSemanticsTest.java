package org.dtkd4j.core.optim;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * DL4J with {@link SgdMomentum} + {@link TorchWeightDecay} takes exactly the steps PyTorch's
 * {@code SGD(lr, momentum, weight_decay)} takes, computed here by hand from DL4J's own raw gradients.
 */
class TorchSgdSemanticsTest {

    static final double LR = 0.1;
    static final double MOMENTUM = 0.9;
    static final double DECAY = 0.01;

    private static ComputationGraph net() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER)
                .updater(new SgdMomentum(LR, MOMENTUM))
                .graphBuilder().addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(3).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void threeStepsEqualHandComputedPyTorchSgd() {
        ComputationGraph trained = net();
        trained.setListeners(new TorchWeightDecay(DECAY));
        ComputationGraph probe = net();
        Nd4j.getRandom().setSeed(11);
        int n = 5;
        Map<String, INDArray> w = new HashMap<>();
        Map<String, INDArray> v = new HashMap<>();
        trained.paramTable().forEach((k, p) -> w.put(k, p.dup()));
        for (int step = 0; step < 3; step++) {
            DataSet ds = new DataSet(Nd4j.randn(DataType.DOUBLE, n, 4), Nd4j.randn(DataType.DOUBLE, n, 2));
            probe.setParams(trained.params().dup());
            probe.setInputs(ds.getFeatures());
            probe.setLabels(ds.getLabels());
            probe.computeGradientAndScore();
            Map<String, INDArray> raw = new HashMap<>();
            probe.gradient().gradientForVariable().forEach((k, g) -> raw.put(k, g.dup()));

            trained.fit(ds);

            for (String key : w.keySet()) {
                if (!trained.getLayer(key.substring(0, key.indexOf('_')))
                        .updaterDivideByMinibatch(key.substring(key.indexOf('_') + 1))) {
                    continue; // BatchNorm running statistics: not trainable, DL4J's BatchNorm updates them itself
                }
                INDArray g = raw.get(key).div(n).addi(w.get(key).mul(DECAY));
                INDArray vk = v.containsKey(key) ? v.get(key).mul(MOMENTUM).addi(g) : g;
                v.put(key, vk);
                w.get(key).subi(vk.mul(LR));
                double diff = w.get(key).sub(trained.getParam(key)).amaxNumber().doubleValue();
                assertThat(diff).as("step %d param %s", step, key).isLessThan(1e-12);
            }
        }
        assertThat(trained.getParam("bn_gamma").sub(Nd4j.ones(DataType.DOUBLE, 1, 3)).amaxNumber().doubleValue())
                .as("BatchNorm gamma moved (and decayed)").isGreaterThan(0);
    }

    @Test
    void withoutTheListenerBatchNormIsNotDecayedByDl4jL2() {
        // The reason TorchWeightDecay exists: DL4J's l2 skips BatchNorm gamma/beta.
        BatchNormalization bn = new BatchNormalization.Builder().nOut(3).l2(0.5).build();
        assertThat(bn.getRegularizationByParam("gamma")).isNull();
    }

    @Test
    void multiStepMatchesTheReferenceEpochNumbering() {
        ISchedule s = LearningRates.multiStep(0.05, new int[]{150, 180, 210}, 0.1);
        assertThat(s.valueAt(0, 0)).isEqualTo(0.05);
        assertThat(s.valueAt(0, 149)).isEqualTo(0.05);
        assertThat(s.valueAt(0, 150)).isCloseTo(0.005, within(1e-15));
        assertThat(s.valueAt(0, 179)).isCloseTo(0.005, within(1e-15));
        assertThat(s.valueAt(0, 180)).isCloseTo(0.0005, within(1e-16));
        assertThat(s.valueAt(0, 239)).isCloseTo(0.00005, within(1e-17));
    }

    @Test
    void updaterSurvivesJsonRoundTrip() {
        ComputationGraph g = net();
        String json = g.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(json).contains("SgdMomentum");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new SgdMomentum(-1, 0.9)).hasMessageContaining("learningRate").hasMessageContaining("-1");
        assertThatThrownBy(() -> new SgdMomentum(0.1, 1.0)).hasMessageContaining("momentum").hasMessageContaining("1.0");
        assertThatThrownBy(() -> new TorchWeightDecay(Double.NaN)).hasMessageContaining("lambda").hasMessageContaining("NaN");
        assertThatThrownBy(() -> LearningRates.multiStep(0.1, new int[]{10, 5}, 0.1)).hasMessageContaining("[10, 5]");
    }
}
