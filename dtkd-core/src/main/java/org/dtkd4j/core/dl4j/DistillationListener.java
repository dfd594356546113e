package org.dtkd4j.core.dl4j;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the epoch of every {@link DistillationLossFunction} in a network's output layers in step with training,
 * so that the warmup factor {@code min(epoch/warmup, 1)} follows the real epoch during {@code fit}.
 *
 * <p>DL4J counts epochs from 0, the reference trainer from 1: during DL4J epoch {@code e} the losses get reference
 * epoch {@code e + 1}, so the first epoch trains with factor {@code 1/warmup}, as in the reference. The epoch is
 * synchronised at the start of each epoch and before each training step, which also covers training loops that
 * call {@code fit(DataSet)} and increment the epoch count themselves.
 */
public class DistillationListener extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public void onEpochStart(Model model) {
        synchronize(model);
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        synchronize(model);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        synchronize(model);
    }

    /**
     * Sets every distillation loss of the model to the reference epoch matching the model's DL4J epoch count.
     *
     * @param model a {@link MultiLayerNetwork} or {@link ComputationGraph}
     */
    public static void synchronize(Model model) {
        int referenceEpoch = dl4jEpoch(model) + 1;
        for (DistillationLossFunction loss : lossFunctions(model)) {
            loss.setEpoch(referenceEpoch);
        }
    }

    /**
     * @param model a {@link MultiLayerNetwork} or {@link ComputationGraph}
     * @return the distillation losses of its output and loss layers, in layer order
     */
    public static List<DistillationLossFunction> lossFunctions(Model model) {
        List<DistillationLossFunction> out = new ArrayList<>();
        for (Layer layer : layers(model)) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            ILossFunction loss = conf instanceof BaseOutputLayer o ? o.getLossFn()
                    : conf instanceof LossLayer l ? l.getLossFn() : null;
            if (loss instanceof DistillationLossFunction d) {
                out.add(d);
            }
        }
        return out;
    }

    private static Layer[] layers(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            return net.getLayers();
        }
        if (model instanceof ComputationGraph graph) {
            return graph.getLayers();
        }
        throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, found "
                + (model == null ? "null" : model.getClass().getName()));
    }

    private static int dl4jEpoch(Model model) {
        if (model instanceof MultiLayerNetwork net) {
            return net.getEpochCount();
        }
        if (model instanceof ComputationGraph graph) {
            return graph.getEpochCount();
        }
        throw new IllegalArgumentException("expected a MultiLayerNetwork or ComputationGraph, found "
                + (model == null ? "null" : model.getClass().getName()));
    }
}
