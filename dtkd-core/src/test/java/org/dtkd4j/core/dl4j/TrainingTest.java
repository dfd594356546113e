package org.dtkd4j.core.dl4j;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.loss.TemperatureStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter inside real training: plain {@code fit(iterator)}, warmup epochs, statistics, save and restore. */
class TrainingTest {

    /** Records, at every training iteration, the epoch and warmup factor the loss saw. */
    private static final class Recorder extends BaseTrainingListener {
        final List<int[]> epochs = new ArrayList<>();
        final List<Double> factors = new ArrayList<>();

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            DistillationLossFunction loss = DistillationListener.lossFunctions(model).get(0);
            epochs.add(new int[]{epoch, loss.epoch().orElseThrow()});
            factors.add(loss.warmupFactor());
        }
    }

    /**
     * Where DL4J has the loss allocate its gradient during {@code fit}: in the output layer's working-memory workspace
     * (memory DL4J reuses from step to step), which the bench's DL4J-loss row reproduces.
     */
    @Test
    void fitAsksForTheGradientInsideTheLayerWorkingMemory() {
        List<String> seen = new ArrayList<>();
        DistillationLossFunction probe = new DistillationLossFunction() {
            @Override
            public synchronized INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                         INDArray mask) {
                INDArray gradient = super.computeGradient(labels, preOutput, activationFn, mask);
                MemoryWorkspace current = Nd4j.getMemoryManager().getCurrentWorkspace();
                seen.add((current == null ? "no workspace" : current.getId()) + ", gradient "
                        + (gradient.isAttached() ? "in it" : "detached"));
                return gradient;
            }
        };
        probe.setEpoch(1);
        ComputationGraph graph = Fixtures.graph(probe, new Sgd(0.01), DataType.FLOAT, 1);
        graph.fit(new TeacherLabelIterator(new ViewIterator(Fixtures.data(12, DataType.FLOAT, 3), 4),
                new Fixtures.LinearTeacher(DataType.FLOAT, 2)));

        assertThat(seen).hasSize(3).containsOnly("WS_LAYER_WORKING_MEM, gradient in it");
    }

    @Test
    void warmupFollowsTheRealEpochDuringFit() {
        DistillationLossFunction loss = DistillationLossFunction.of(
                new DtkdConfig(3, 1, 4, 1, 2, false, HazardPolicy.GUARDED));
        ComputationGraph graph = Fixtures.graph(loss, new Sgd(0.01), DataType.FLOAT, 1);
        Recorder recorder = new Recorder();
        graph.setListeners(new DistillationListener(), recorder);
        Fixtures.LinearTeacher teacher = new Fixtures.LinearTeacher(DataType.FLOAT, 2);
        DataSetIterator train = new TeacherLabelIterator(new ViewIterator(Fixtures.data(12, DataType.FLOAT, 3), 4),
                teacher);

        graph.fit(train, 3);

        assertThat(recorder.factors).containsExactly(0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0);
        for (int i = 0; i < recorder.epochs.size(); i++) {
            int dl4jEpoch = recorder.epochs.get(i)[0];
            assertThat(dl4jEpoch).isEqualTo(i / 3);
            assertThat(recorder.epochs.get(i)[1]).as("reference epoch = DL4J epoch + 1").isEqualTo(dl4jEpoch + 1);
        }
        assertThat(teacher.calls).as("teacher once per minibatch").isEqualTo(9);
        TemperatureStats epochStats = loss.epochStats().orElseThrow();
        assertThat(epochStats.rows()).as("every example of the last epoch").isEqualTo(12);
        assertThat(loss.lastBatchStats().orElseThrow().rows()).isEqualTo(4);
        assertThat(epochStats.studentMin()).isPositive();
    }

    @Test
    void multiLayerNetworkTrainsWithTheListenerToo() {
        DistillationLossFunction loss = DistillationLossFunction.of(DkdConfig.defaults());
        MultiLayerNetwork net = Fixtures.network(loss, new Adam(0.01), DataType.FLOAT, 4);
        net.setListeners(new DistillationListener());
        DataSetIterator train = new TeacherLabelIterator(new ViewIterator(Fixtures.data(8, DataType.FLOAT, 5), 4),
                new Fixtures.LinearTeacher(DataType.FLOAT, 6));
        DistillationListener.synchronize(net);
        assertThat(loss.epoch()).as("before training: the first epoch").contains(1);
        double before = net.score(train.next());
        train.reset();
        net.fit(train, 2);
        assertThat(loss.epoch()).contains(2);
        assertThat(loss.warmupFactor()).isEqualTo(0.1);
        loss.setEpoch(1);
        train.reset();
        assertThat(net.score(train.next())).as("same batch, same warmup factor").isLessThan(before);
    }

    @Test
    void modelSerializerRoundTripGivesTheSameScore(@TempDir File dir) throws Exception {
        DtkdDkdConfig config = new DtkdDkdConfig(2, 6, 3, 0.5, 10, true, HazardPolicy.STRICT);
        DistillationLossFunction loss = DistillationLossFunction.of(config);
        ComputationGraph graph = Fixtures.graph(loss, new Adam(0.01), DataType.FLOAT, 8);
        graph.setListeners(new DistillationListener());
        DataSet data = Fixtures.data(8, DataType.FLOAT, 9);
        INDArray teacherLogits = new Fixtures.LinearTeacher(DataType.FLOAT, 10).logits(data.getFeatures());
        DataSet packed = new DataSet(data.getFeatures(), TeacherLabels.pack(data.getLabels(), teacherLogits));
        graph.fit(new ViewIterator(packed, 4), 2);

        File file = new File(dir, "student.zip");
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        DistillationLossFunction restoredLoss = DistillationListener.lossFunctions(restored).get(0);
        assertThat(restoredLoss).isNotSameAs(loss).isEqualTo(loss);
        assertThat(restoredLoss.config()).isEqualTo(config);
        assertThat(restoredLoss.epoch()).contains(2);
        assertThat(restored.score(packed)).isEqualTo(graph.score(packed));
        assertThat(restored.outputSingle(packed.getFeatures())).isEqualTo(graph.outputSingle(packed.getFeatures()));
        assertThat(ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson()))
                .isEqualTo(graph.getConfiguration());
    }
}
