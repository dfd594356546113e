package org.dtkd4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.Collections;
import java.util.Map;

/**
 * The per-block state and arithmetic of {@link SgdMomentum}: {@code v ← μ·v + g}, then the update {@code lr·v}
 * replaces the gradient in place (DL4J subtracts the update from the parameters).
 */
final class SgdMomentumUpdater implements GradientUpdater<SgdMomentum> {

    /** Name of the momentum buffer in the updater state map. */
    static final String V_STATE = "V";

    private final SgdMomentum config;
    private INDArray v;

    SgdMomentumUpdater(SgdMomentum config) {
        this.config = config;
    }

    @Override
    public SgdMomentum getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (config.momentum() == 0) {
            if (!stateMap.isEmpty()) {
                throw new IllegalStateException("SgdMomentum with momentum 0 has no state, found keys " + stateMap.keySet());
            }
            return;
        }
        if (stateMap.size() != 1 || !stateMap.containsKey(V_STATE)) {
            throw new IllegalStateException("SgdMomentum state must hold exactly [" + V_STATE + "], found keys "
                    + stateMap.keySet());
        }
        v = stateMap.get(V_STATE);
        if (initialize) {
            v.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        return v == null ? Collections.emptyMap() : Collections.singletonMap(V_STATE, v);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        if (initialize) {
            viewArray.assign(0);
        }
        v = Shape.newShapeNoCopy(viewArray, gradientShape, gradientOrder == 'f');
        if (v == null) {
            throw new IllegalStateException("Cannot view the momentum state of length " + viewArray.length()
                    + " as the gradient shape " + java.util.Arrays.toString(gradientShape));
        }
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        double lr = config.getLearningRate(iteration, epoch);
        if (config.momentum() == 0) {
            gradient.muli(lr);
            return;
        }
        if (v == null) {
            throw new IllegalStateException("SgdMomentum updater used before its state was set");
        }
        if (HostLoops.momentum(v, gradient, config.momentum(), lr)) {
            return;
        }
        INDArray g = gradient.reshape(v.shape());
        v.muli(config.momentum()).addi(g);
        gradient.assign(v.reshape(gradient.shape())).muli(lr);
    }
}
