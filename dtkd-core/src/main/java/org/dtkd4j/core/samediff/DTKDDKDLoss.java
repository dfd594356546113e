package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DtkdDkdConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The SameDiff entry point of DTKD+DKD: DKD's target and non-target terms computed with the per-sample DTKD
 * temperatures, each scaled by {@code T_stu·T_tea} instead of {@code T²} (this library's definition; the reference
 * code has no such loss). With {@code p^s = softmax(s/T_stu)}, {@code p^t = softmax(t/T_tea)}:
 * <pre>
 *   L_tckd = mean_n( T_stu·T_tea · KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s]) )
 *   L_nckd = mean_n( T_stu·T_tea · KL(softmax(t/T_tea − 1000·1_y) ‖ softmax(s/T_stu − 1000·1_y)) )
 *   total  = min(epoch/warmup, 1)·(alpha·L_tckd + beta·L_nckd) + ceWeight·L_ce
 * </pre>
 * It equals DKD when {@code ms = mt}. Outputs as {@link DKDLoss}, plus the temperatures.
 */
public final class DTKDDKDLoss {

    private DTKDDKDLoss() {
    }

    /**
     * Adds DTKD+DKD to a graph; the parameters are those of {@link SameDiffLosses#create}.
     *
     * @param sd            the graph
     * @param name          prefix of the output names
     * @param studentLogits student logits {@code [N, C]}
     * @param teacherLogits teacher logits {@code [N, C]}
     * @param labels        class indices {@code [N]} or one-hot rows {@code [N, C]}
     * @param epoch         scalar reference epoch, or {@code null} for a warmup factor of 1
     * @param config        the hyper-parameters
     * @return the loss's named variables
     */
    public static LossVariables create(SameDiff sd, String name, SDVariable studentLogits, SDVariable teacherLogits,
                                       SDVariable labels, SDVariable epoch, DtkdDkdConfig config) {
        return SameDiffLosses.create(sd, name, studentLogits, teacherLogits, labels, epoch, config);
    }
}
