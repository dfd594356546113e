package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.Arrays;

/**
 * Evaluates a tempered divergence term over a batch, and cross-entropy, with closed-form gradients.
 *
 * <p>For a row with temperatures {@code a = T_stu}, {@code b = T_tea}, scaled logits {@code u = s/a},
 * {@code v = t/b} and divergence {@code f(u, v)}, the row value is {@code R = a·b·f}. Its gradient is
 * <pre>
 *   ∂R/∂s_j = b · ∂f/∂u_j                                    (direct path)
 *   ∂R/∂a   = b · (f − Σ_j u_j ∂f/∂u_j),   ∂R/∂b = a · (f − Σ_j v_j ∂f/∂v_j)
 *   ∂R/∂ms  = (2·T·mt/(ms+mt)²) · (∂R/∂a − ∂R/∂b)            (added at the first arg-max of s)
 * </pre>
 * since {@code ∂a/∂ms = −∂b/∂ms = 2·T·mt/(ms+mt)²}; the teacher logits are constants. NormKD's normalised
 * temperatures scale the row by {@code b²} instead and take the gradient through {@code a = T_norm·std(s)}
 * ({@link #normalizedGradient}). Values and gradients are
 * those of the batch mean (gradients carry the factor {@code 1/N}).
 */
final class TermEvaluator {

    private TermEvaluator() {
    }

    /**
     * @param terms    the terms being evaluated (name the results)
     * @param divs     their divergences, one per term, all on the same temperatures; evaluated together, row by
     *                 row, so that a masked softmax reuses the exponentials of the unmasked one computed before it
     *                 on the same row (see {@link SoftmaxRow})
     * @param s        student logits {@code [N][C]}
     * @param t        teacher logits {@code [N][C]}
     * @param targets  target classes {@code [N]}
     * @param temps    the temperatures of every row
     * @param policy   {@link HazardPolicy#OFFICIAL} selects the reference arithmetic; {@link HazardPolicy#STRICT}
     *                 rejects DKD rows whose student probability mass underflows
     * @param tasks    how the rows are split across threads
     * @return one result per term, in order
     */
    static TermResult[] tempered(Term[] terms, Divergence[] divs, double[][] s, double[][] t, int[] targets,
                                 Temperatures temps, HazardPolicy policy, RowTasks tasks) {
        if (policy == HazardPolicy.STRICT && Arrays.asList(divs).contains(Divergence.TARGET)) {
            rejectUnderflow(temps, s, targets);
        }
        int n = s.length;
        int c = s[0].length;
        double[][] perSample = new double[divs.length][n];
        double[][][] grad = new double[divs.length][n][];
        boolean reference = policy == HazardPolicy.OFFICIAL;
        tasks.run(n, (from, to) -> {
            SoftmaxRow stu = new SoftmaxRow(c);
            SoftmaxRow tea = new SoftmaxRow(c);
            SoftmaxRow stuMasked = stu.masked();
            SoftmaxRow teaMasked = tea.masked();
            double[] gv = new double[c];
            for (int i = from; i < to; i++) {
                for (int k = 0; k < divs.length; k++) {
                    grad[k][i] = new double[c];
                    boolean masked = divs[k].masksTarget();
                    SoftmaxRow su = (masked ? stuMasked : stu).fill(s[i], temps.student[i], targets[i]);
                    SoftmaxRow te = (masked ? teaMasked : tea).fill(t[i], temps.teacher[i], targets[i]);
                    perSample[k][i] = row(divs[k], i, su, te, targets[i], temps, reference, grad[k][i], gv, n);
                }
            }
        });
        TermResult[] out = new TermResult[divs.length];
        for (int k = 0; k < divs.length; k++) {
            out[k] = new TermResult(terms[k], sumInOrder(perSample[k]) / n, perSample[k], grad[k]);
        }
        return out;
    }

    /**
     * One row of a term: writes its gradient (of the batch mean) into {@code gu}.
     *
     * @param gv scratch space for {@code ∂f/∂v}
     * @return the row's value {@code scale·f}
     */
    private static double row(Divergence div, int i, SoftmaxRow stu, SoftmaxRow tea, int target, Temperatures temps,
                              boolean reference, double[] gu, double[] gv, int n) {
        double a = temps.student[i];
        double b = temps.teacher[i];
        boolean throughTemperatures = temps.hasGradient(i);
        double f = div.evaluate(stu, tea, target, reference, gu, throughTemperatures ? gv : null);
        double scale = temps.scale(i);
        if (temps.normalized()) {
            normalizedGradient(gu, temps.studentSlopeBySample[i], scale / a, stu.scaled, n);
            return f * scale;
        }
        double dRda = throughTemperatures ? b * (f - RowMath.dot(stu.scaled, gu)) : 0;
        double dRdb = throughTemperatures ? a * (f - RowMath.dot(tea.scaled, gv)) : 0;
        for (int j = 0; j < gu.length; j++) {
            gu[j] = b * gu[j] / n;
        }
        if (throughTemperatures) {
            gu[temps.studentArgMax[i]] += temps.slope[i] * (dRda - dRdb) / n;
        }
        return f * scale;
    }

    /**
     * NormKD's row gradient of {@code R = T_tea²·f(s/T_stu, t/T_tea)} with {@code T_stu = T_norm·std(s)}:
     * {@code ∂R/∂s_j = (T_tea²/T_stu)·(∂f/∂u_j − (Σ_k u_k ∂f/∂u_k)·∂T_stu/∂s_j)}, written over {@code gu}
     * ({@code ∂f/∂u}); a guarded row ({@code slope} {@code null}) has none.
     */
    private static void normalizedGradient(double[] gu, double[] slope, double factor, double[] u, int n) {
        if (slope == null) {
            Arrays.fill(gu, 0);
            return;
        }
        double dRda = -factor * RowMath.dot(u, gu);
        for (int j = 0; j < gu.length; j++) {
            gu[j] = (factor * gu[j] + dRda * slope[j]) / n;
        }
    }

    /** Mean cross-entropy {@code mean_n(logsumexp(s_n) − s_{n,y})}, gradient {@code (softmax(s) − onehot(y))/N}. */
    static TermResult crossEntropy(double[][] s, int[] targets, RowTasks tasks) {
        int n = s.length;
        int c = s[0].length;
        double[] perSample = new double[n];
        double[][] grad = new double[n][];
        tasks.run(n, (from, to) -> {
            SoftmaxRow row = new SoftmaxRow(c);
            for (int i = from; i < to; i++) {
                row.fill(s[i], 1, targets[i]);
                int y = targets[i];
                perSample[i] = -row.logProb(y);
                double[] g = new double[c];
                grad[i] = g;
                for (int j = 0; j < c; j++) {
                    g[j] = row.prob[j] / n;
                }
                g[y] = (row.prob[y] - 1) / n;
            }
        });
        return new TermResult(Term.CE, sumInOrder(perSample) / n, perSample, grad);
    }

    /** @return {@code Σ_i x_i}, summed in index order (whatever the split of the rows that produced them) */
    static double sumInOrder(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum;
    }

    /**
     * STRICT for DKD: the reference takes {@code log} of the student's target and non-target probability mass, so
     * a row where either underflows to 0 is rejected.
     *
     * @throws HazardException on the first such row
     */
    static void rejectUnderflow(Temperatures temps, double[][] s, int[] targets) {
        SoftmaxRow row = new SoftmaxRow(s[0].length);
        for (int i = 0; i < s.length; i++) {
            int y = targets[i];
            row.fill(s[i], temps.student[i], y);
            double targetP = row.prob[y];
            double nonTarget = row.massExcept(y);
            if (targetP == 0 || nonTarget == 0) {
                throw new HazardException(i, "row " + i + ": at T_stu=" + temps.student[i] + " the student's "
                        + (targetP == 0 ? "target" : "non-target") + " probability underflows to 0 (log p_target="
                        + row.logProb(y) + ", log p_non-target=" + row.logMassExcept(y, nonTarget)
                        + "), so DKD's target-class KL takes log 0");
            }
        }
    }
}
