package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DtkdConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The SameDiff entry point of DTKD (Wei &amp; Bai 2024, "Dynamic Temperature Knowledge Distillation",
 * arXiv:2404.12711), exactly as the official code computes it (formulas in {@link DtkdConfig}):
 * <pre>
 *   T_stu = 2·ms/(mt+ms)·T,   T_tea = 2·mt/(mt+ms)·T
 *   total = min(epoch/warmup, 1)·(alpha·L_dtkd + beta·L_kd) + ceWeight·L_ce
 * </pre>
 * Outputs {@code <name>/total}, {@code <name>/L_dtkd}, {@code <name>/L_kd}, {@code <name>/L_ce},
 * {@code <name>/T_stu}, {@code <name>/T_tea} and the others listed in {@link LossVariables}.
 *
 * <pre>{@code
 * SDVariable s = ...;                                          // student logits [N, C]
 * SDVariable t = sd.placeHolder("teacher", DataType.FLOAT, -1, C);
 * SDVariable y = sd.placeHolder("label", DataType.INT64, -1);
 * SDVariable epoch = sd.placeHolder("epoch", DataType.FLOAT);
 * LossVariables loss = DTKDLoss.create(sd, "dtkd", s, t, y, epoch, DtkdConfig.defaults());
 * loss.total().markAsLoss();
 * }</pre>
 */
public final class DTKDLoss {

    private DTKDLoss() {
    }

    /**
     * Adds DTKD to a graph; the parameters are those of {@link SameDiffLosses#create}.
     *
     * @param sd            the graph
     * @param name          prefix of the output names
     * @param studentLogits student logits {@code [N, C]}
     * @param teacherLogits teacher logits {@code [N, C]}
     * @param labels        class indices {@code [N]} or one-hot rows {@code [N, C]}
     * @param epoch         scalar reference epoch, or {@code null} for a warmup factor of 1
     * @param config        DTKD's hyper-parameters
     * @return the loss's named variables
     */
    public static LossVariables create(SameDiff sd, String name, SDVariable studentLogits, SDVariable teacherLogits,
                                       SDVariable labels, SDVariable epoch, DtkdConfig config) {
        return SameDiffLosses.create(sd, name, studentLogits, teacherLogits, labels, epoch, config);
    }
}
