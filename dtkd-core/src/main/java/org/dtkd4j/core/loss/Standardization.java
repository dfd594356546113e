package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.Arrays;

/**
 * Logit standardisation (Sun, Ren, Li, Wang &amp; Cao 2024, "Logit Standardization in Knowledge Distillation", CVPR)
 * of a batch, exactly as the official code computes it: per row {@code z̃ = (z − mean(z)) / (1e-7 + std(z))} with
 * the unbiased standard deviation (divisor {@code C − 1}), for the student and the teacher alike, and the gradient
 * through it (through the mean and the std; the std's path is 0 where the std is 0, as torch's).
 *
 * <p>A row whose logits are all equal has {@code std = 0}: the official code gives {@code z̃ = 0} there with a
 * student gradient of order {@code 1e7} ({@code (g − mean g)/1e-7}, the centering alone). Under
 * {@link HazardPolicy#GUARDED} such a row (student or teacher) has {@code z̃ = 0} with zero gradient and is counted
 * as guarded; {@link HazardPolicy#OFFICIAL} keeps the official gradient; {@link HazardPolicy#STRICT} throws a
 * {@link HazardException} naming the row. The mean is a plain sum divided by {@code C}; the std is exactly 0 on a
 * constant row, as torch's running (Welford) update gives it, and otherwise {@code sqrt(Σ(z − mean)²/(C − 1))} of
 * the centred row (two passes; equal to the running update up to rounding).
 */
final class Standardization {

    /** What the official code adds to the std. */
    static final double EPSILON = 1e-7;

    final double[][] student;
    final double[][] teacher;
    /** Rows whose student or teacher logits are all equal, guarded (GUARDED only). */
    final boolean[] guarded;
    private final double[][] centered;
    private final double[] std;
    private final boolean[] constantStudent;

    private Standardization(double[][] student, double[][] teacher, boolean[] guarded, double[][] centered,
                            double[] std, boolean[] constantStudent) {
        this.student = student;
        this.teacher = teacher;
        this.guarded = guarded;
        this.centered = centered;
        this.std = std;
        this.constantStudent = constantStudent;
    }

    /**
     * @param tasks how the rows are split across threads
     * @throws HazardException under {@link HazardPolicy#STRICT}, on the first row whose student or teacher logits
     *                         are all equal
     */
    static Standardization of(double[][] s, double[][] t, HazardPolicy policy, RowTasks tasks) {
        int n = s.length;
        boolean guard = policy == HazardPolicy.GUARDED;
        boolean[] guarded = new boolean[n];
        boolean[] constantStudent = new boolean[n];
        ConstantRows constant = ConstantRows.of(s, t, policy,
                side -> "logit standardisation divides by its epsilon 1e-7 alone");
        boolean[] studentConstant = constant.student();
        boolean[] teacherConstant = constant.teacher();
        for (int i = 0; i < n; i++) {
            guarded[i] = guard && (studentConstant[i] || teacherConstant[i]);
            constantStudent[i] = guard && studentConstant[i];
        }
        double[][] zs = new double[n][];
        double[][] zt = new double[n][];
        double[][] centered = new double[n][];
        double[] std = new double[n];
        tasks.run(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                centered[i] = RowMath.centre(s[i]);
                std[i] = std(centered[i], studentConstant[i]);
                zs[i] = guard && studentConstant[i] ? new double[s[i].length]
                        : RowMath.divide(centered[i], EPSILON + std[i]);
                double[] teacherZ = RowMath.centre(t[i]);
                if (guard && teacherConstant[i]) {
                    Arrays.fill(teacherZ, 0);
                } else {
                    double d = EPSILON + std(teacherZ, teacherConstant[i]);
                    for (int k = 0; k < teacherZ.length; k++) {
                        teacherZ[k] /= d;
                    }
                }
                zt[i] = teacherZ;
            }
        });
        return new Standardization(zs, zt, guarded, centered, std, constantStudent);
    }

    /**
     * @param g     {@code [N][C]} gradient with respect to the standardised student logits, overwritten
     * @param tasks how the rows are split across threads
     * @return {@code g}, now the gradient with respect to the raw student logits
     */
    double[][] backward(double[][] g, RowTasks tasks) {
        tasks.run(g.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                backward(i, g[i]);
            }
        });
        return g;
    }

    private void backward(int i, double[] g) {
        int c = g.length;
        if (constantStudent[i]) {
            Arrays.fill(g, 0);
            return;
        }
        double d = EPSILON + std[i];
        double mean = 0;
        for (double v : g) {
            mean += v;
        }
        mean /= c;
        double throughStd = std[i] == 0 ? 0 : RowMath.dot(g, centered[i]) / (d * d) / ((c - 1) * std[i]);
        for (int k = 0; k < c; k++) {
            g[k] = (g[k] - mean) / d - throughStd * centered[i][k];
        }
    }

    /**
     * @param centered a row minus its mean
     * @param constant whether the row's entries are all equal
     * @return the unbiased std: exactly 0 on a constant row (whose centred entries may differ from 0 by the
     *         rounding of the mean), else {@code sqrt(Σ centered²/(C − 1))}
     */
    private static double std(double[] centered, boolean constant) {
        return constant ? 0 : RowMath.std(centered);
    }
}
