package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DistillationConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The one factory for every distillation loss in a SameDiff graph, in the style of {@code sd.loss()}: inputs are
 * validated as far as their shapes and types are known when the graph is built, outputs are named
 * {@code <name>/<output>} (see {@link LossVariables}), and the input values are checked whenever the graph runs.
 * The config record selects the method ({@code DtkdConfig.defaults()}, {@code KdConfig}, ...) and describes its
 * loss ({@link DistillationConfig#build}); this class turns it into graph ops.
 *
 * <pre>{@code
 * SDVariable s = ...;                                          // student logits [N, C]
 * SDVariable t = sd.placeHolder("teacher", DataType.FLOAT, -1, C);
 * SDVariable y = sd.placeHolder("label", DataType.INT64, -1);
 * SDVariable epoch = sd.placeHolder("epoch", DataType.FLOAT);
 * LossVariables loss = SameDiffLosses.create(sd, "dtkd", s, t, y, epoch, DtkdConfig.defaults());
 * loss.total().markAsLoss();
 * }</pre>
 *
 * <p>The graph computes the formulas of the configuration records (and of
 * {@link org.dtkd4j.core.loss.DistillationLosses}, which it agrees with to floating-point tolerance), with
 * SameDiff's automatic gradients. Gradients flow through the DTKD temperatures unless
 * {@code detachTemperatures}; the teacher logits are always constants (stop-gradient).
 */
public final class SameDiffLosses {

    private SameDiffLosses() {
    }

    /**
     * Adds a loss to a graph.
     *
     * @param sd            the graph
     * @param name          prefix of the output names, non-empty, unique in the graph, without {@code ':'}
     * @param studentLogits student logits {@code [N, C]}, floating point (the loss's data type)
     * @param teacherLogits teacher logits {@code [N, C]}, same data type; ignored (may be {@code null}) for the
     *                      cross-entropy-only config
     * @param labels        integer class indices {@code [N]} or floating-point one-hot rows {@code [N, C]}
     * @param epoch         scalar reference epoch (1 for the first epoch) driving the warmup factor
     *                      {@code min(epoch/warmup, 1)}, e.g. a placeholder or a constant updated per epoch;
     *                      {@code null} for a factor of 1 (past warmup). Ignored by methods without warmup.
     * @param config        the loss and its hyper-parameters
     * @return the loss's named variables; minimise {@link LossVariables#total()}
     * @throws IllegalArgumentException if an input is missing, of the wrong type, or of a shape known to be wrong
     */
    public static LossVariables create(SameDiff sd, String name, SDVariable studentLogits, SDVariable teacherLogits,
                                       SDVariable labels, SDVariable epoch, DistillationConfig config) {
        return GraphBuilder.build(sd, name, studentLogits, teacherLogits, labels, epoch, config);
    }
}
