package org.dtkd4j.core.perf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Keeps the forward activations of convolution layers for their backward pass (DL4J's {@link CacheMode}).
 *
 * <p>Under DL4J's default {@link CacheMode#NONE}, a {@code ConvolutionLayer} with a (oneDNN) helper computes its
 * convolution again in backprop to get the pre-activation it needs ({@code preOutput4d} in {@code backpropGradient}),
 * so a training step runs every convolution's forward twice. With {@link CacheMode#DEVICE} the training forward pass
 * keeps that pre-activation (in the graph's activation workspace, {@code WS_ALL_LAYERS_ACT}) and backprop reuses it:
 * the same arrays as recomputing them, so parameters after a step are bitwise identical (tested), one convolution
 * forward fewer per convolution layer and step, and one more activation-sized array alive per convolution layer
 * until the backward pass. Only training forward passes cache; inference ({@code output(false, ...)}) is unchanged.
 *
 * <p>The mode lives in three places that must agree: the graph configuration (it decides whether the
 * {@code FF_CACHE} workspace exists during a forward pass), each layer's configuration (read when a layer is built,
 * also from a checkpoint or a replica) and each live layer. {@link #apply} sets all three.
 */
public final class ForwardCache {

    private ForwardCache() {
    }

    /**
     * @param graph an initialised graph
     * @param on    whether training forward passes cache their activations for backprop
     */
    public static void apply(ComputationGraph graph, boolean on) {
        CacheMode mode = on ? CacheMode.DEVICE : CacheMode.NONE;
        graph.getConfiguration().setCacheMode(mode);
        for (GraphVertex v : graph.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                lv.getLayerConf().setCacheMode(mode);
            }
        }
        for (Layer l : graph.getLayers()) {
            l.conf().setCacheMode(mode);
        }
        graph.setCacheMode(mode);
    }

    /**
     * @param graph a graph
     * @return whether its training forward passes cache their activations ({@link #apply})
     */
    public static boolean isOn(ComputationGraph graph) {
        CacheMode mode = graph.getConfiguration().getCacheMode();
        return mode != null && mode != CacheMode.NONE;
    }
}
