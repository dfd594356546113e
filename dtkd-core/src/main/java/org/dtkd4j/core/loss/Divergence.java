package org.dtkd4j.core.loss;

/**
 * The Kullback-Leibler divergences a distillation term is made of (the statistical divergence of two
 * distributions; a training run that blows up is reported as {@code org.dtkd4j.core.engine.TrainingDivergedException},
 * an unrelated notion). Each is a function {@code f(u, v)} of one row of temperature-scaled student logits
 * {@code u = s/T_stu} and teacher logits {@code v = t/T_tea}; this enum names them for every front end
 * ({@link LossBuilder#term}) and evaluates them, with their gradients {@code ∂f/∂u} and {@code ∂f/∂v}, in closed
 * form. The SameDiff graph builds the same three functions from graph ops.
 *
 * <p>Log-probabilities come from a log-softmax, so they are finite for finite inputs and every product
 * {@code p·log p} with an underflowed {@code p = 0} is 0 ({@code 0·log 0 = 0}). With {@code reference} set, the
 * arithmetic follows PyTorch instead where the two differ: DKD's target-class KL takes {@code log} of summed
 * probabilities, and the full KL's teacher-side gradient is NaN when a teacher probability is exactly 0, as torch's
 * {@code xlogy(p, p)} backward ({@code p/p}) makes it.
 */
public enum Divergence {

    /** {@code KL(softmax(v) ‖ softmax(u))}: the KD and DTKD term. */
    FULL {
        @Override
        double evaluate(double[] u, double[] v, int target, boolean reference, double[] gu, double[] gv) {
            double[] lq = RowMath.logSoftmax(u);
            double[] lp = RowMath.logSoftmax(v);
            int c = u.length;
            double[] p = new double[c];
            boolean underflow = false;
            double f = 0;
            for (int i = 0; i < c; i++) {
                p[i] = Math.exp(lp[i]);
                if (p[i] == 0) {
                    underflow = true;
                    f -= reference ? p[i] * lq[i] : 0;
                } else {
                    f += reference ? p[i] * lp[i] - p[i] * lq[i] : p[i] * (lp[i] - lq[i]);
                }
            }
            for (int i = 0; i < c; i++) {
                gu[i] = Math.exp(lq[i]) - p[i];
            }
            if (gv != null) {
                for (int i = 0; i < c; i++) {
                    gv[i] = reference && underflow ? Double.NaN : p[i] == 0 ? 0 : p[i] * ((lp[i] - lq[i]) - f);
                }
            }
            return f;
        }
    },

    /**
     * DKD's target-class KL: {@code KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s])}. The stable form takes the
     * non-target log-mass as {@code logsumexp_{c≠y}(u) − logsumexp(u)}; the reference form as {@code log} of the
     * summed probabilities, which is {@code −∞} when they underflow.
     */
    TARGET {
        @Override
        double evaluate(double[] u, double[] v, int y, boolean reference, double[] gu, double[] gv) {
            double[] lq = RowMath.logSoftmax(u);
            double[] lp = RowMath.logSoftmax(v);
            int c = u.length;
            double logPt = lp[y];
            double logQt = RowMath.logSumExp(lp, y);
            double pt = Math.exp(logPt);
            double qt = Math.exp(logQt);
            double logPs;
            double logQs;
            double ps;
            double qs;
            if (reference) {
                ps = Math.exp(lq[y]);
                qs = 0;
                for (int i = 0; i < c; i++) {
                    qs += i == y ? 0 : Math.exp(lq[i]);
                }
                logPs = Math.log(ps);
                logQs = Math.log(qs);
            } else {
                logPs = lq[y];
                logQs = RowMath.logSumExp(lq, y);
                ps = Math.exp(logPs);
                qs = Math.exp(logQs);
            }
            double f = plogp(pt, logPt, logPs, reference) + plogp(qt, logQt, logQs, reference);
            if (reference) {
                double gy = -pt / ps;
                double go = -qt / qs;
                double dot = 0;
                for (int i = 0; i < c; i++) {
                    dot += Math.exp(lq[i]) * (i == y ? gy : go);
                }
                for (int i = 0; i < c; i++) {
                    gu[i] = Math.exp(lq[i]) * ((i == y ? gy : go) - dot);
                }
            } else {
                for (int i = 0; i < c; i++) {
                    gu[i] = i == y ? ps - pt : Math.exp(lq[i] - logQs) * (qs - qt);
                }
            }
            if (gv != null) {
                double dy = logPt - logPs;
                double dOther = logQt - logQs;
                for (int i = 0; i < c; i++) {
                    gv[i] = i == y ? pt * qt * (dy - dOther) : pt * Math.exp(lp[i]) * (dOther - dy);
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
     * {@code v}, as the reference does (a teacher target more than ~1000 above the rest leaks through). Always
     * stable: the masked teacher target probability underflows on almost every row, so torch's NaN convention
     * would poison every temperature gradient of DTKD+DKD, for which there is no reference.
     */
    NON_TARGET {
        @Override
        double evaluate(double[] u, double[] v, int y, boolean reference, double[] gu, double[] gv) {
            double[] um = u.clone();
            double[] vm = v.clone();
            um[y] -= MASK;
            vm[y] -= MASK;
            return FULL.evaluate(um, vm, y, false, gu, gv);
        }
    };

    /** What DKD subtracts from the target logit (after division by the temperature) to suppress it. */
    static final double MASK = 1000.0;

    /**
     * Evaluates the divergence of one row.
     *
     * @param u         student logits divided by the student temperature, {@code [C]}
     * @param v         teacher logits divided by the teacher temperature, {@code [C]}
     * @param target    the target class (ignored by {@link #FULL})
     * @param reference follow PyTorch's arithmetic where it differs from the stable one
     * @param gu        receives {@code ∂f/∂u}, {@code [C]}
     * @param gv        receives {@code ∂f/∂v}, {@code [C]}; {@code null} when not needed
     * @return {@code f(u, v)}
     */
    abstract double evaluate(double[] u, double[] v, int target, boolean reference, double[] gu, double[] gv);
}
