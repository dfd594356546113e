package org.dtkd4j.core.loss;

/**
 * The Kullback-Leibler divergences a distillation term is made of (the statistical divergence of two
 * distributions; a training run that blows up is reported as {@code org.dtkd4j.core.engine.TrainingDivergedException},
 * an unrelated notion). Each is a function {@code f(u, v)} of one row of temperature-scaled student logits
 * {@code u = s/T_stu} and teacher logits {@code v = t/T_tea}; this enum names them for every front end
 * ({@link LossBuilder#term}) and evaluates them, with their gradients {@code ∂f/∂u} and {@code ∂f/∂v}, in closed
 * form. The SameDiff graph builds the same three functions from graph ops.
 *
 * <p>Probabilities and log-probabilities come from one {@link SoftmaxRow} per row and network (softmax and
 * log-softmax as PyTorch computes them, each exponential once), so log-probabilities are finite for finite inputs
 * and every product {@code p·log p} with an underflowed {@code p = 0} is 0 ({@code 0·log 0 = 0}). With
 * {@code reference} set, the arithmetic follows PyTorch instead where the two differ: DKD's target-class KL takes
 * {@code log} of summed probabilities, and the full KL's teacher-side gradient is NaN when a teacher probability is
 * exactly 0, as torch's {@code xlogy(p, p)} backward ({@code p/p}) makes it.
 */
public enum Divergence {

    /** {@code KL(softmax(v) ‖ softmax(u))}: the KD and DTKD term. */
    FULL(false) {
        @Override
        double evaluate(SoftmaxRow student, SoftmaxRow teacher, int target, boolean reference, double[] gu,
                        double[] gv) {
            double[] q = student.prob;
            double[] p = teacher.prob;
            int c = p.length;
            boolean underflow = false;
            double f = 0;
            for (int i = 0; i < c; i++) {
                double lq = student.logProb(i);
                if (p[i] == 0) {
                    underflow = true;
                    f -= reference ? p[i] * lq : 0;
                } else {
                    double lp = teacher.logProb(i);
                    f += reference ? p[i] * lp - p[i] * lq : p[i] * (lp - lq);
                }
                gu[i] = q[i] - p[i];
            }
            if (gv != null) {
                for (int i = 0; i < c; i++) {
                    gv[i] = reference && underflow ? Double.NaN
                            : p[i] == 0 ? 0 : p[i] * ((teacher.logProb(i) - student.logProb(i)) - f);
                }
            }
            return f;
        }
    },

    /**
     * DKD's target-class KL: {@code KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s])}. The stable form takes the
     * non-target log-mass as {@code logsumexp_{c≠y}(u) − logsumexp(u)} where the summed probabilities underflow; the
     * reference form takes {@code log} of the summed probabilities, which is {@code −∞} when they underflow.
     */
    TARGET(false) {
        @Override
        double evaluate(SoftmaxRow student, SoftmaxRow teacher, int y, boolean reference, double[] gu,
                        double[] gv) {
            double[] q = student.prob;
            int c = q.length;
            double logPt = teacher.logProb(y);
            double pt = teacher.prob[y];
            double qt = teacher.massExcept(y);
            double logQt = teacher.logMassExcept(y, qt);
            double ps = q[y];
            double qs = student.massExcept(y);
            double logPs = reference ? Math.log(ps) : student.logProb(y);
            double logQs = reference ? Math.log(qs) : student.logMassExcept(y, qs);
            double f = plogp(pt, logPt, logPs, reference) + plogp(qt, logQt, logQs, reference);
            if (reference) {
                double gy = -pt / ps;
                double go = -qt / qs;
                double dot = 0;
                for (int i = 0; i < c; i++) {
                    dot += q[i] * (i == y ? gy : go);
                }
                for (int i = 0; i < c; i++) {
                    gu[i] = q[i] * ((i == y ? gy : go) - dot);
                }
            } else {
                for (int i = 0; i < c; i++) {
                    gu[i] = i == y ? ps - pt : student.shareExcept(i, qs, logQs) * (qs - qt);
                }
            }
            if (gv != null) {
                double dy = logPt - logPs;
                double dOther = logQt - logQs;
                for (int i = 0; i < c; i++) {
                    gv[i] = i == y ? pt * qt * (dy - dOther) : pt * teacher.prob[i] * (dOther - dy);
                }
            }
            return f;
        }

        /** {@code P·(log P − log S)}, with {@code P·log P = 0} at {@code P = 0} as torch's {@code xlogy}. */
        private double plogp(double p, double logP, double logS, boolean reference) {
            if (p == 0) {
                return reference ? -p * logS : 0;
            }
            return reference ? p * logP - p * logS : p * (logP - logS);
        }
    },

    /**
     * DKD's non-target KL: the full KL after subtracting exactly 1000 from the target entry of {@code u} and
     * {@code v}, as the reference does (a teacher target more than ~1000 above the rest leaks through). Its rows are
     * {@linkplain #masksTarget() masked} so. Always stable: the masked teacher target probability underflows on almost
     * every row, so torch's NaN convention would poison every temperature gradient of DTKD+DKD, for which there is no
     * reference.
     */
    NON_TARGET(true) {
        @Override
        double evaluate(SoftmaxRow student, SoftmaxRow teacher, int y, boolean reference, double[] gu,
                        double[] gv) {
            return FULL.evaluate(student, teacher, y, false, gu, gv);
        }
    };

    /** What DKD subtracts from the target logit (after division by the temperature) to suppress it. */
    static final double MASK = 1000.0;

    private final boolean masksTarget;

    Divergence(boolean masksTarget) {
        this.masksTarget = masksTarget;
    }

    /** @return whether the softmax rows of this divergence have the target logit lowered by {@link #MASK} */
    boolean masksTarget() {
        return masksTarget;
    }

    /**
     * Evaluates the divergence of one row. The gradients are with respect to the scaled rows {@code u}, {@code v}
     * (the mask is a constant shift).
     *
     * @param student   the softmax of the student's row {@code u = s/T_stu} ({@linkplain #masksTarget() masked} for
     *                  this divergence)
     * @param teacher   the softmax of the teacher's row {@code v = t/T_tea}, likewise
     * @param target    the target class (ignored by {@link #FULL})
     * @param reference follow PyTorch's arithmetic where it differs from the stable one
     * @param gu        receives {@code ∂f/∂u}, {@code [C]}
     * @param gv        receives {@code ∂f/∂v}, {@code [C]}; {@code null} when not needed
     * @return {@code f(u, v)}
     */
    abstract double evaluate(SoftmaxRow student, SoftmaxRow teacher, int target, boolean reference, double[] gu,
                             double[] gv);
}
