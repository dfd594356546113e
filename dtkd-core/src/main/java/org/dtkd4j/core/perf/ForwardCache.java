package org.dtkd4j.core.perf;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps the forward activations of convolution layers for their backward pass (DL4J's {@link CacheMode}).
 *
 * <p>Under DL4J's default {@link CacheMode#NONE}, a {@code ConvolutionLayer} with a (oneDNN) helper computes its
 * convolution again in backprop to get the pre-activation it needs ({@code preOutput4d} in {@code backpropGradient}),
 * so a training step runs every convolution's forward twice. With {@link CacheMode#DEVICE} the training forward pass
 * keeps a copy of that pre-activation (in the graph's activation workspace, {@code WS_ALL_LAYERS_ACT}) and backprop
 * reuses it: the same arrays as recomputing them, so parameters after a step are bitwise identical (tested), one
 * convolution forward fewer per convolution layer and step, and one more activation-sized array alive per convolution
 * layer until the backward pass. Only training forward passes cache; inference ({@code output(false, ...)}) is
 * unchanged.
 *
 * <p>A live convolution layer on DL4J's oneDNN helper whose activation is the identity (every convolution of the zoo's
 * ResNets, which a BatchNorm follows) does without the copy: its pre-activation is its output, which stays in the
 * same workspace until the backward pass, and the backward pass of the identity reads nothing of it but its shape. Such
 * a layer gets a helper that computes exactly as DL4J's and keeps the array it returns as the layer's pre-activation,
 * and the live layer caches nothing itself; its configuration keeps {@link CacheMode#DEVICE}, so a clone or a replica
 * built from it caches by copying, as DL4J does.
 *
 * <p>The mode lives in three places that must agree: the graph configuration (it decides whether the
 * {@code FF_CACHE} workspace exists during a forward pass), each layer's configuration (read when a layer is built,
 * also from a checkpoint or a replica) and each live layer. {@link #apply} sets all three.
 */
public final class ForwardCache {

    private static final PrivateField<ConvolutionLayer, ConvolutionHelper> CONV_HELPER =
            new PrivateField<>(ConvolutionLayer.class, "helper");
    private static final PrivateField<AbstractLayer, INDArray> PRE_OUTPUT =
            new PrivateField<>(AbstractLayer.class, "preOutput");

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
        for (Layer l : graph.getLayers()) {
            if (l.getClass() == ConvolutionLayer.class) {
                keepOutput((ConvolutionLayer) l, on);
            }
        }
    }

    /**
     * @param graph a graph
     * @return whether its training forward passes cache their activations ({@link #apply})
     */
    public static boolean isOn(ComputationGraph graph) {
        CacheMode mode = graph.getConfiguration().getCacheMode();
        return mode != null && mode != CacheMode.NONE;
    }

    /**
     * @param graph a graph
     * @return how many of its convolution layers keep their output as their pre-activation instead of a copy
     */
    public static int keepingOutput(ComputationGraph graph) {
        int n = 0;
        for (Layer l : graph.getLayers()) {
            if (l instanceof ConvolutionLayer conv && CONV_HELPER.get(conv, "layer " + conv.getIndex())
                    instanceof OutputKeepingHelper) {
                n++;
            }
        }
        return n;
    }

    /** Puts in, or takes out, the helper that keeps a convolution's output as its pre-activation. */
    private static void keepOutput(ConvolutionLayer layer, boolean on) {
        String what = "convolution layer " + layer.getIndex();
        ConvolutionHelper helper = CONV_HELPER.get(layer, what);
        boolean identity = ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer())
                .getActivationFn() instanceof ActivationIdentity;
        if (on && identity && helper != null && helper.getClass() == MKLDNNConvHelper.class) {
            CONV_HELPER.set(layer, new OutputKeepingHelper(layer), what);
            layer.setCacheMode(CacheMode.NONE);
        } else if (!on && helper instanceof OutputKeepingHelper) {
            CONV_HELPER.set(layer, new MKLDNNConvHelper(layer.getParam("W").dataType()), what);
            PRE_OUTPUT.set(layer, null, what);
        }
    }

    /** DL4J's oneDNN convolution helper that also hands the pre-activation it computes to its layer. */
    private static final class OutputKeepingHelper extends MKLDNNConvHelper {

        private final ConvolutionLayer layer;

        OutputKeepingHelper(ConvolutionLayer layer) {
            super(layer.getParam("W").dataType());
            this.layer = layer;
        }

        @Override
        public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides,
                                  int[] pad, org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode mode,
                                  org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo fwdAlgo,
                                  ConvolutionMode convolutionMode, int[] dilation, CNN2DFormat format,
                                  LayerWorkspaceMgr workspaceMgr) {
            INDArray z = super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                    dilation, format, workspaceMgr);
            PRE_OUTPUT.set(layer, z, "convolution layer " + layer.getIndex());
            return z;
        }
    }
}
