package org.dtkd4j.core.optim;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BatchNorm running variance with PyTorch's update: the <em>unbiased</em> batch variance, as the reference trains.
 *
 * <p>In training mode a BatchNorm layer normalises with the batch mean {@code μ} and the biased batch variance
 * {@code σ²} over the {@code n} values of each channel ({@code n = N·H·W} for images, {@code N} for vectors), and
 * updates its running statistics with decay {@code d} (PyTorch's {@code momentum} is {@code 1 − d}; 0.1 ⇔
 * {@code d = 0.9}):
 * <pre>
 *   running_mean ← d·running_mean + (1 − d)·μ
 *   running_var  ← d·running_var  + (1 − d)·σ²·n/(n − 1)      (PyTorch)
 *   running_var  ← d·running_var  + (1 − d)·σ²                (DL4J 1.0.0-M2.1)
 * </pre>
 * DL4J applies its update as a "gradient" of the running statistics ({@code (1 − d)·(running − batch)}, subtracted
 * by a no-op updater). This listener rewrites that gradient in {@code onGradientCalculation}, before the updater, to
 * {@code (n·g − (1 − d)·running_var)/(n − 1)}, which turns the update into PyTorch's; for layers storing
 * {@code log10(std)} ({@code useLogStd}) it rewrites the log-space step the same way. The running mean is left
 * alone (the two agree). {@code n} is read from each layer's activations in {@code onForwardPass}, per thread, so
 * one instance may serve the worker replicas of a {@code ParallelWrapper}. Layers with {@code n < 2} are left
 * alone (PyTorch refuses to train them).
 *
 * <p>Works for {@link ComputationGraph} and {@link MultiLayerNetwork}; frozen BatchNorm layers (which do not update
 * their statistics) are left alone. Add it once per network.
 */
public final class TorchBatchNorm extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Values per channel of each BatchNorm layer's last training forward pass, keyed by gradient-table prefix. */
    private final transient ThreadLocal<Map<String, Long>> valuesPerChannel = ThreadLocal.withInitial(HashMap::new);

    private Map<String, Long> counts() {
        return valuesPerChannel.get();
    }

    /** @return a fresh instance in place of a deserialized one (the per-thread state is not serialized) */
    private Object readResolve() {
        return new TorchBatchNorm();
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        Map<String, Long> counts = counts();
        counts.clear();
        if (model instanceof ComputationGraph graph) {
            for (Layer layer : graph.getLayers()) {
                if (layer.conf().getLayer() instanceof BatchNormalization bn) {
                    INDArray a = activations.get(bn.getLayerName());
                    if (a != null) {
                        counts.put(bn.getLayerName(), a.length() / bn.getNOut());
                    }
                }
            }
        }
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        Map<String, Long> counts = counts();
        counts.clear();
        if (model instanceof MultiLayerNetwork net) {
            Layer[] layers = net.getLayers();
            for (int i = 0; i < layers.length && i + 1 < activations.size(); i++) {
                if (layers[i].conf().getLayer() instanceof BatchNormalization bn) {
                    counts.put(String.valueOf(i), activations.get(i + 1).length() / bn.getNOut());
                }
            }
        }
    }

    @Override
    public void onGradientCalculation(Model model) {
        Map<String, Long> counts = counts();
        Map<String, INDArray> gradients = model.gradient().gradientForVariable();
        Map<String, INDArray> params = model.paramTable(false);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            long n = e.getValue();
            if (n < 2) {
                continue;
            }
            BatchNormalization bn = conf(model, e.getKey());
            double decay = bn.getDecay();
            String prefix = e.getKey() + "_";
            if (bn.isUseLogStd()) {
                String key = prefix + BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
                correctLogStd(gradients.get(key), params.get(key), n, decay);
            } else {
                String key = prefix + BatchNormalizationParamInitializer.GLOBAL_VAR;
                // var − g' = d·var + (1−d)·σ²·n/(n−1) with g = (1−d)·(var − σ²)
                gradients.get(key).muli(n).subi(params.get(key).mul(1 - decay)).divi(n - 1);
            }
        }
        counts.clear();
    }

    /**
     * DL4J's log-space step {@code g = log10(v / v₁)/2}, with {@code v = 10^(2s)} and {@code v₁ = d·v + (1−d)·σ²},
     * rewritten to {@code log10(v / v₁')/2} with {@code v₁' = d·v + (1−d)·σ²·n/(n−1) = (n·v₁ − d·v)/(n−1)}.
     */
    private static void correctLogStd(INDArray step, INDArray log10Std, long n, double decay) {
        double ln100 = 2 * Math.log(10);
        INDArray v = Transforms.exp(log10Std.mul(ln100), false);
        INDArray v1 = Transforms.exp(step.mul(-ln100), false).muli(v);
        INDArray corrected = v1.muli(n).subi(v.mul(decay)).divi(n - 1);
        step.assign(Transforms.log(v.divi(corrected), false).divi(ln100));
    }

    private static BatchNormalization conf(Model model, String key) {
        Layer layer = model instanceof ComputationGraph graph ? graph.getLayer(key)
                : ((MultiLayerNetwork) model).getLayer(Integer.parseInt(key));
        return (BatchNormalization) layer.conf().getLayer();
    }

    @Override
    public String toString() {
        return "TorchBatchNorm";
    }
}
