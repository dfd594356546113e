package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.KdConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The SameDiff entry point of vanilla knowledge distillation (Hinton, Vinyals &amp; Dean 2015) as in mdistiller
 * (formulas in {@link KdConfig}): {@code total = kdWeight·L_kd + ceWeight·L_ce}, no warmup. Outputs
 * {@code <name>/total}, {@code <name>/L_kd}, {@code <name>/L_ce} and the others listed in {@link LossVariables}.
 */
public final class KDLoss {

    private KDLoss() {
    }

    /**
     * Adds KD to a graph; the parameters are those of {@link SameDiffLosses#create}.
     *
     * @param sd            the graph
     * @param name          prefix of the output names
     * @param studentLogits student logits {@code [N, C]}
     * @param teacherLogits teacher logits {@code [N, C]}
     * @param labels        class indices {@code [N]} or one-hot rows {@code [N, C]}
     * @param config        KD's hyper-parameters
     * @return the loss's named variables
     */
    public static LossVariables create(SameDiff sd, String name, SDVariable studentLogits, SDVariable teacherLogits,
                                       SDVariable labels, KdConfig config) {
        return SameDiffLosses.create(sd, name, studentLogits, teacherLogits, labels, null, config);
    }
}
