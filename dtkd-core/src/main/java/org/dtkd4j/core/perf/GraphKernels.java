package org.dtkd4j.core.perf;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The kernels of this package set on a live graph, for training or for inference. Both put {@link MaskReLU} in place
 * of its ReLU activation layers and {@link ResidualAdd} in place of its two-input sums (DL4J's numbers, bit for bit);
 * training adds {@link FusedBatchNorm} on its BatchNorm layers when asked, each applying the ReLU that alone takes
 * its output ({@link FusedBatchNorm#fuseRelu}). The engine calls {@link #training} on its student, and so does every
 * place that trains a copy of it (e.g. the Spark executors), so that all of them compute the same; a graph teacher
 * calls {@link #inference} on its frozen copy.
 */
public final class GraphKernels {

    private GraphKernels() {
    }

    /**
     * @param graph          an initialised graph that is going to be trained
     * @param fusedBatchNorm whether its BatchNorm layers run {@link FusedBatchNorm}
     */
    public static void training(ComputationGraph graph, boolean fusedBatchNorm) {
        inference(graph);
        if (fusedBatchNorm) {
            FusedBatchNorm.install(graph);
            FusedBatchNorm.fuseRelu(graph);
        }
    }

    /** @param graph an initialised graph */
    public static void inference(ComputationGraph graph) {
        MaskReLU.install(graph);
        ResidualAdd.install(graph);
    }
}
