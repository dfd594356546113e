package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds inference-mode BatchNorm layers into the convolutions before them, for a frozen network.
 *
 * <p>In inference a BatchNorm layer computes, per channel {@code c}, {@code y = γ_c (x - μ_c) / sqrt(σ²_c + ε) + β_c}
 * with its running mean {@code μ} and variance {@code σ²}: an affine map. When its only input is a 2D convolution
 * {@code x = W * in + b} with the identity activation whose output feeds nothing else, the pair equals one convolution
 * with {@code W'_c = s_c W_c} and {@code b'_c = s_c (b_c - μ_c) + β_c}, {@code s_c = γ_c / sqrt(σ²_c + ε)}
 * (Ioffe &amp; Szegedy 2015, §3.2; the standard inference fold). The folded convolution keeps the identity activation:
 * DL4J 1.0.0-M2.1's BatchNormalization layer ignores the activation it is configured with ({@code activate} returns
 * its {@code preOutput}), so there is none to carry over. The folded network computes the same logits up to
 * floating-point rounding, with one layer and one pass over each such activation fewer.
 *
 * <p>Folded: a vertex holding exactly {@link ConvolutionLayer} (not a subclass: depthwise, separable, 1D, 3D and
 * deconvolutions keep their BatchNorm), identity activation, no dropout or weight noise, not a network output, whose
 * only consumer is a {@link BatchNormalization} vertex with no input preprocessor and the same data format, reading
 * nothing else. Any other BatchNorm is left as it is. BatchNorm statistics stored as variance or as
 * {@code log10} standard deviation ({@code useLogStd}), and locked {@code γ}/{@code β}, are all handled.
 */
final class BatchNormFolding {

    private BatchNormFolding() {
    }

    /**
     * The result of a fold.
     *
     * @param conf   the folded configuration (a new object)
     * @param params the folded network's flat parameters
     * @param folded how many BatchNorm layers were folded away
     */
    record Folded(ComputationGraphConfiguration conf, INDArray params, int folded) {
    }

    /**
     * @param conf   a graph configuration (not modified)
     * @param params its flat parameters (not modified)
     * @return the folded configuration and parameters (the same network when nothing can be folded)
     */
    static Folded fold(ComputationGraphConfiguration conf, INDArray params) {
        ComputationGraph original = new ComputationGraph(conf.clone());
        original.init(params, true);
        ComputationGraphConfiguration out = conf.clone();
        Map<String, GraphVertex> vertices = out.getVertices();
        Map<String, List<String>> inputs = out.getVertexInputs();
        Map<String, String> bnOfConv = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : vertices.entrySet()) {
            String conv = e.getKey();
            if (foldableConv(e.getValue()) && !out.getNetworkOutputs().contains(conv)) {
                List<String> consumers = consumers(inputs, conv);
                if (consumers.size() == 1 && foldableBatchNorm(vertices.get(consumers.get(0)),
                        inputs.get(consumers.get(0)), conv, (ConvolutionLayer) layer(e.getValue()))) {
                    bnOfConv.put(conv, consumers.get(0));
                }
            }
        }
        if (bnOfConv.isEmpty()) {
            return new Folded(out, params.dup(), 0);
        }
        Map<String, INDArray[]> foldedParams = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : bnOfConv.entrySet()) {
            String conv = pair.getKey();
            String bn = pair.getValue();
            ConvolutionLayer c = (ConvolutionLayer) layer(vertices.get(conv));
            BatchNormalization b = (BatchNormalization) layer(vertices.get(bn));
            foldedParams.put(conv, foldedWeights(original, conv, c, bn, b));
            c.setHasBias(true);
            vertices.remove(bn);
            inputs.remove(bn);
            for (List<String> in : inputs.values()) {
                in.replaceAll(v -> v.equals(bn) ? conv : v);
            }
            out.getNetworkOutputs().replaceAll(v -> v.equals(bn) ? conv : v);
        }
        out.setTopologicalOrder(null);
        out.setTopologicalOrderStr(null);
        ComputationGraph folded = new ComputationGraph(out);
        folded.init();
        for (org.deeplearning4j.nn.api.Layer l : folded.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            INDArray[] wb = foldedParams.get(name);
            if (wb != null) {
                l.setParam(ConvolutionParamInitializer.WEIGHT_KEY, wb[0]);
                l.setParam(ConvolutionParamInitializer.BIAS_KEY, wb[1]);
            } else {
                for (Map.Entry<String, INDArray> p : original.getLayer(name).paramTable().entrySet()) {
                    l.setParam(p.getKey(), p.getValue());
                }
            }
        }
        return new Folded(out, folded.params(), bnOfConv.size());
    }

    /** @return {W', b'}: the convolution's weights and bias with the BatchNorm folded in */
    private static INDArray[] foldedWeights(ComputationGraph original, String conv, ConvolutionLayer c, String bn,
                                            BatchNormalization b) {
        org.deeplearning4j.nn.api.Layer cl = original.getLayer(conv);
        org.deeplearning4j.nn.api.Layer bl = original.getLayer(bn);
        INDArray w = cl.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        long channels = w.size(0);
        INDArray bias = c.hasBias() ? cl.getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(channels)
                : Nd4j.zeros(w.dataType(), channels);
        INDArray mean = bl.getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN).reshape(channels);
        INDArray var;
        if (b.isUseLogStd()) {
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(new long[]{channels}, 10.0, w.dataType()),
                    bl.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).reshape(channels), true);
            var = std.mul(std);
        } else {
            var = bl.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR).reshape(channels).dup();
        }
        INDArray gamma = b.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{channels}, b.getGamma(), w.dataType())
                : bl.getParam(BatchNormalizationParamInitializer.GAMMA).reshape(channels);
        INDArray beta = b.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[]{channels}, b.getBeta(), w.dataType())
                : bl.getParam(BatchNormalizationParamInitializer.BETA).reshape(channels);
        INDArray scale = gamma.div(Transforms.sqrt(var.addi(b.getEps()), false));
        INDArray flat = w.dup('c').reshape(channels, w.length() / channels);
        flat.muliColumnVector(scale.reshape(channels, 1));
        INDArray b2 = bias.sub(mean).muli(scale).addi(beta).reshape(1, channels);
        return new INDArray[]{flat.reshape(w.shape()), b2};
    }

    private static boolean foldableConv(GraphVertex v) {
        return v instanceof LayerVertex lv && lv.getLayerConf().getLayer().getClass() == ConvolutionLayer.class
                && lv.getLayerConf().getLayer() instanceof ConvolutionLayer c
                && (c.getActivationFn() == null || c.getActivationFn() instanceof ActivationIdentity)
                && c.getIDropout() == null && c.getWeightNoise() == null;
    }

    private static boolean foldableBatchNorm(GraphVertex v, List<String> in, String conv, ConvolutionLayer c) {
        return v instanceof LayerVertex lv && lv.getPreProcessor() == null
                && lv.getLayerConf().getLayer() instanceof BatchNormalization b && in != null
                && in.equals(List.of(conv)) && b.getCnn2DFormat() == c.getCnn2dDataFormat() && b.getIDropout() == null;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layer(GraphVertex v) {
        return ((LayerVertex) v).getLayerConf().getLayer();
    }

    private static List<String> consumers(Map<String, List<String>> inputs, String vertex) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : inputs.entrySet()) {
            for (String in : e.getValue()) {
                if (in.equals(vertex)) {
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }
}
