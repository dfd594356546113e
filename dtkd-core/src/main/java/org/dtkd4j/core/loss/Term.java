package org.dtkd4j.core.loss;

/**
 * The named terms a loss is made of. Values are unweighted batch means (the weights, warmup factor and sum are
 * applied in {@link LossResult#total()}); {@link #outputName()} is the name used for graph outputs and logs.
 */
public enum Term {
    /** DTKD: {@code mean_n(T_tea·T_stu · KL(softmax(t/T_tea) ‖ softmax(s/T_stu)))}. */
    DTKD("L_dtkd"),
    /** Vanilla KD: {@code mean_n(T² · KL(softmax(t/T) ‖ softmax(s/T)))}. */
    KD("L_kd"),
    /** DKD's target-class KD: KL of the binary [target, non-target] distributions, times the temperature scale. */
    TCKD("L_tckd"),
    /** DKD's non-target-class KD: KL of the distributions with the target suppressed by {@code −1000}. */
    NCKD("L_nckd"),
    /** Mean cross-entropy of the student logits against the hard labels. */
    CE("L_ce");

    private final String outputName;

    Term(String outputName) {
        this.outputName = outputName;
    }

    /** @return the output name, e.g. {@code "L_dtkd"} */
    public String outputName() {
        return outputName;
    }
}
