package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Stops a training step whose loss or gradient is not finite, before the updater applies it: in
 * {@code onGradientCalculation} it throws an {@link IllegalStateException} naming the loss (or the gradient's L2 norm
 * and the loss). Put it first in a network's listener list, so that no other listener counts or changes a stopped
 * step. Serializable, so that it can travel with a network's listeners to the workers of a cluster.
 */
public final class DivergenceGuard extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public void onGradientCalculation(Model model) {
        double score = model.score();
        if (!Double.isFinite(score)) {
            throw new IllegalStateException("the loss is " + score);
        }
        double norm = model.gradient().gradient().norm2Number().doubleValue();
        if (!Double.isFinite(norm)) {
            throw new IllegalStateException("the gradient norm is " + norm + " (loss " + score + ")");
        }
    }
}
