package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

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
     * @param term     the term being evaluated (names the result)
     * @param div      its divergence
     * @param s        student logits {@code [N][C]}
     * @param t        teacher logits {@code [N][C]}
     * @param targets  target classes {@code [N]}
     * @param temps    the temperatures of every row
     * @param policy   {@link HazardPolicy#OFFICIAL} selects the reference arithmetic; {@link HazardPolicy#STRICT}
     *                 rejects DKD rows whose student probability mass underflows
     */
    static TermResult tempered(Term term, Divergence div, double[][] s, double[][] t, int[] targets,
                               Temperatures temps, HazardPolicy policy) {
        if (policy == HazardPolicy.STRICT && div == Divergence.TARGET) {
            rejectUnderflow(temps, s, targets);
        }
        int n = s.length;
        int c = s[0].length;
        double[] perSample = new double[n];
        double[][] grad = new double[n][c];
        boolean reference = policy == HazardPolicy.OFFICIAL;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double a = temps.student[i];
            double b = temps.teacher[i];
            double[] u = RowMath.divide(s[i], a);
            double[] v = RowMath.divide(t[i], b);
            double[] gu = new double[c];
            double[] gv = temps.hasGradient(i) ? new double[c] : null;
            double f = div.evaluate(u, v, targets[i], reference, gu, gv);
            double scale = temps.scale(i);
            perSample[i] = f * scale;
            sum += perSample[i];
            if (temps.normalized()) {
                normalizedGradient(grad[i], temps.studentSlopeBySample[i], scale / a, u, gu, n);
                continue;
            }
            for (int j = 0; j < c; j++) {
                grad[i][j] = b * gu[j] / n;
            }
            if (gv != null) {
                double dRda = b * (f - RowMath.dot(u, gu));
                double dRdb = a * (f - RowMath.dot(v, gv));
                grad[i][temps.studentArgMax[i]] += temps.slope[i] * (dRda - dRdb) / n;
            }
        }
        return new TermResult(term, sum / n, perSample, grad);
    }

    /**
     * NormKD's row gradient of {@code R = T_tea²·f(s/T_stu, t/T_tea)} with {@code T_stu = T_norm·std(s)}:
     * {@code ∂R/∂s_j = (T_tea²/T_stu)·(∂f/∂u_j − (Σ_k u_k ∂f/∂u_k)·∂T_stu/∂s_j)}; a guarded row ({@code slope}
     * {@code null}) has none.
     */
    private static void normalizedGradient(double[] grad, double[] slope, double factor, double[] u, double[] gu,
                                           int n) {
        if (slope == null) {
            return;
        }
        double dRda = -factor * RowMath.dot(u, gu);
        for (int j = 0; j < grad.length; j++) {
            grad[j] = (factor * gu[j] + dRda * slope[j]) / n;
        }
    }

    /** Mean cross-entropy {@code mean_n(logsumexp(s_n) − s_{n,y})}, gradient {@code (softmax(s) − onehot(y))/N}. */
    static TermResult crossEntropy(double[][] s, int[] targets) {
        int n = s.length;
        int c = s[0].length;
        double[] perSample = new double[n];
        double[][] grad = new double[n][c];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] lq = RowMath.logSoftmax(s[i]);
            perSample[i] = -lq[targets[i]];
            sum += perSample[i];
            for (int j = 0; j < c; j++) {
                grad[i][j] = (Math.exp(lq[j]) - (j == targets[i] ? 1 : 0)) / n;
            }
        }
        return new TermResult(Term.CE, sum / n, perSample, grad);
    }

    /**
     * STRICT for DKD: the reference takes {@code log} of the student's target and non-target probability mass, so
     * a row where either underflows to 0 is rejected.
     *
     * @throws HazardException on the first such row
     */
    static void rejectUnderflow(Temperatures temps, double[][] s, int[] targets) {
        for (int i = 0; i < s.length; i++) {
            rejectUnderflow(i, RowMath.divide(s[i], temps.student[i]), targets[i], temps.student[i]);
        }
    }

    private static void rejectUnderflow(int row, double[] u, int y, double temperature) {
        double[] lq = RowMath.logSoftmax(u);
        double nonTarget = 0;
        for (int j = 0; j < lq.length; j++) {
            nonTarget += j == y ? 0 : Math.exp(lq[j]);
        }
        double targetP = Math.exp(lq[y]);
        if (targetP == 0 || nonTarget == 0) {
            throw new HazardException(row, "row " + row + ": at T_stu=" + temperature + " the student's "
                    + (targetP == 0 ? "target" : "non-target") + " probability underflows to 0 (log p_target="
                    + lq[y] + ", log p_non-target=" + RowMath.logSumExp(lq, y)
                    + "), so DKD's target-class KL takes log 0");
        }
    }
}
