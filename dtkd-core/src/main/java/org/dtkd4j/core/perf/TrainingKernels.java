package org.dtkd4j.core.perf;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The kernels the engine's student trains on, set on a live graph: {@link MaskReLU} in place of its ReLU activation
 * layers (DL4J's numbers), and {@link FusedBatchNorm} on its BatchNorm layers when asked. The engine calls it on its
 * student, and so does every place that trains a copy of it (e.g. the Spark executors), so that all of them compute
 * the same.
 */
public final class TrainingKernels {

    private TrainingKernels() {
    }

    /**
     * @param graph          an initialised graph
     * @param fusedBatchNorm whether its BatchNorm layers run {@link FusedBatchNorm}
     */
    public static void install(ComputationGraph graph, boolean fusedBatchNorm) {
        if (fusedBatchNorm) {
            FusedBatchNorm.install(graph);
        }
        MaskReLU.install(graph);
    }
}
