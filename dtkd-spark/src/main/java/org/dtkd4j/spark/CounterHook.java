package org.dtkd4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.perf.GraphKernels;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives each executor's copy of the student the driver's epoch and iteration counters, and the driver's BatchNorm
 * kernels, before its first step.
 *
 * <p>DL4J's parameter-averaging worker builds its copy from {@code ComputationGraphConfiguration.clone()}, which
 * copies neither counter (DL4J 1.0.0-M2.1): without this hook every executor trains at epoch 0 and iteration 0, so
 * the distillation warmup factor stays {@code 1/warmup} and epoch-based learning-rate steps never happen. A new copy
 * also has DL4J's own BatchNorm helpers and ReLU; the hook gives it the engine's training kernels ({@link GraphKernels}), with
 * {@link FusedBatchNorm} when the driver's student runs it, so that the executors compute what the engine computes.
 * The driver sets the counters before each round ({@link #set}); the hook travels with the round's tasks, one copy
 * per task.
 */
final class CounterHook implements TrainingHook {

    private static final long serialVersionUID = 1L;

    private int epoch;
    private int iteration;
    private boolean fusedBatchNorm;
    private transient boolean applied;

    /**
     * @param epoch          the driver's epoch counter (DL4J's, from 0)
     * @param iteration      the driver's iteration counter at the start of the round
     * @param fusedBatchNorm whether the driver's student runs {@link FusedBatchNorm}
     */
    void set(int epoch, int iteration, boolean fusedBatchNorm) {
        this.epoch = epoch;
        this.iteration = iteration;
        this.fusedBatchNorm = fusedBatchNorm;
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        if (!applied) {
            if (!(model instanceof ComputationGraph graph)) {
                throw new IllegalArgumentException("expected the student ComputationGraph, found "
                        + model.getClass().getName());
            }
            ComputationGraphConfiguration conf = graph.getConfiguration();
            conf.setEpochCount(epoch);
            conf.setIterationCount(iteration);
            GraphKernels.training(graph, fusedBatchNorm);
            applied = true;
        }
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        throw new UnsupportedOperationException("the student trains on MultiDataSets, found a DataSet");
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
        throw new UnsupportedOperationException("the student trains on MultiDataSets, found a DataSet");
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
        // the counters advance with the copy's own steps
    }
}
