package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DkdConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The SameDiff entry point of decoupled knowledge distillation (Zhao et al. 2022) as in mdistiller (formulas in
 * {@link DkdConfig}): {@code total = min(epoch/warmup, 1)·(alpha·L_tckd + beta·L_nckd) + ceWeight·L_ce}, with the
 * target class suppressed in NCKD by subtracting exactly 1000. Outputs {@code <name>/total}, {@code <name>/L_tckd},
 * {@code <name>/L_nckd}, {@code <name>/L_ce} and the others listed in {@link LossVariables}.
 */
public final class DKDLoss {

    private DKDLoss() {
    }

    /**
     * Adds DKD to a graph; the parameters are those of {@link SameDiffLosses#create}.
     *
     * @param sd            the graph
     * @param name          prefix of the output names
     * @param studentLogits student logits {@code [N, C]}
     * @param teacherLogits teacher logits {@code [N, C]}
     * @param labels        class indices {@code [N]} or one-hot rows {@code [N, C]}
     * @param epoch         scalar reference epoch, or {@code null} for a warmup factor of 1
     * @param config        DKD's hyper-parameters
     * @return the loss's named variables
     */
    public static LossVariables create(SameDiff sd, String name, SDVariable studentLogits, SDVariable teacherLogits,
                                       SDVariable labels, SDVariable epoch, DkdConfig config) {
        return SameDiffLosses.create(sd, name, studentLogits, teacherLogits, labels, epoch, config);
    }
}
