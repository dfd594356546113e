package org.dtkd4j.core.optim;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.Serializable;
import java.util.Map;

/**
 * L2 weight decay with PyTorch's {@code SGD(weight_decay=λ)} semantics: {@code g ← g + λ·w} for <em>every</em>
 * trainable parameter (weights, biases, BatchNorm γ and β), before momentum, as the DTKD reference trains.
 *
 * <p>Why a listener: DL4J's {@code l2(λ)} adds {@code λ·w} before the updater too, but
 * {@code BatchNormalization.getRegularizationByParam} returns no regularization for γ and β, so BatchNorm would not
 * decay; its {@code weightDecay(λ)} is decoupled (applied after the updater, scaled by the learning rate), which is
 * AdamW-style, not the reference's. This listener runs in {@code onGradientCalculation}, after backpropagation and
 * before DL4J divides gradients by the minibatch size, so it adds {@code N·λ·w}, which the division turns into
 * {@code λ·w}. Parameters DL4J does not divide by the minibatch (BatchNorm running mean and variance: not trainable)
 * and parameters with a {@link NoOp} updater (frozen layers) are left alone.
 *
 * <p>Use it instead of, never together with, DL4J's {@code l2}/{@code weightDecay} on the same network.
 */
public final class TorchWeightDecay extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double lambda;

    /** @param lambda the weight decay coefficient λ, finite and &gt;= 0 (the reference uses 5e-4) */
    public TorchWeightDecay(double lambda) {
        if (!(lambda >= 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException("TorchWeightDecay.lambda must be finite and >= 0, found " + lambda);
        }
        this.lambda = lambda;
    }

    /** @return the weight decay coefficient */
    public double lambda() {
        return lambda;
    }

    @Override
    public void onGradientCalculation(Model model) {
        if (lambda == 0) {
            return;
        }
        double scaled = lambda * model.batchSize();
        Map<String, INDArray> params = model.paramTable(false);
        for (Map.Entry<String, INDArray> e : model.gradient().gradientForVariable().entrySet()) {
            String key = e.getKey();
            int sep = key.lastIndexOf('_');
            Trainable layer = layerOf(model, key.substring(0, sep));
            String param = key.substring(sep + 1);
            if (layer.getConfig().getUpdaterByParam(param) instanceof NoOp || !layer.updaterDivideByMinibatch(param)) {
                continue;
            }
            INDArray w = params.get(key);
            if (!HostLoops.addScaled(e.getValue(), w, scaled)) {
                e.getValue().addi(w.mul(scaled));
            }
        }
    }

    private static Trainable layerOf(Model model, String layerKey) {
        if (model instanceof ComputationGraph) {
            return ((ComputationGraph) model).getLayer(layerKey);
        }
        if (model instanceof MultiLayerNetwork) {
            return ((MultiLayerNetwork) model).getLayer(Integer.parseInt(layerKey));
        }
        throw new IllegalArgumentException("TorchWeightDecay supports ComputationGraph and MultiLayerNetwork, found "
                + model.getClass().getName());
    }

    @Override
    public String toString() {
        return "TorchWeightDecay(" + lambda + ")";
    }
}
