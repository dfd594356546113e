package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.Arrays;

/**
 * The per-row temperatures of one batch: fixed ({@code T} for every row), DTKD's dynamic
 * {@code T_stu = 2·ms/(mt+ms)·T}, {@code T_tea = 2·mt/(mt+ms)·T}, evaluated in exactly this order
 * ({@code 2*ms}, {@code /(mt+ms)}, {@code *T}), or NormKD's normalised {@code T = T_norm·std(z)}, with the hazard
 * policy applied. A term on these temperatures is scaled per row by {@code T_stu·T_tea}, or by {@code T_tea²} for
 * normalised temperatures ({@link #scale(int)}).
 */
final class Temperatures {

    final double[] student;
    final double[] teacher;
    final double[] studentMax;
    final double[] teacherMax;
    /** First arg-max of each student row: where the gradient through {@code ms} goes. */
    final int[] studentArgMax;
    /** {@code ∂T_stu/∂ms = −∂T_tea/∂ms = 2·T·mt/(ms+mt)²}; 0 on guarded rows and when there is no gradient path. */
    final double[] slope;
    final boolean[] guarded;
    final int guardedRows;
    /** Whether gradients flow through the temperatures. */
    final boolean differentiable;
    /** NormKD's per-row scale {@code T_tea²} (of the unguarded teacher std); {@code null}: {@code T_stu·T_tea}. */
    private final double[] teacherSquared;
    /**
     * NormKD's {@code ∂T_stu/∂s_j = T_norm·(s_j − mean(s))/((C−1)·std(s))} per row, {@code null} for the other
     * temperatures; a guarded row has none (its distillation gradient is zero).
     */
    final double[][] studentSlopeBySample;

    private Temperatures(double[] student, double[] teacher, double[] studentMax, double[] teacherMax,
                         int[] studentArgMax, double[] slope, boolean[] guarded, boolean differentiable,
                         double[] teacherSquared, double[][] studentSlopeBySample) {
        this.student = student;
        this.teacher = teacher;
        this.studentMax = studentMax;
        this.teacherMax = teacherMax;
        this.studentArgMax = studentArgMax;
        this.slope = slope;
        this.guarded = guarded;
        int count = 0;
        for (boolean g : guarded) {
            count += g ? 1 : 0;
        }
        this.guardedRows = count;
        this.differentiable = differentiable;
        this.teacherSquared = teacherSquared;
        this.studentSlopeBySample = studentSlopeBySample;
    }

    /** The fixed temperature {@code T} on every row (KD, DKD); {@code tasks} split the rows across threads. */
    static Temperatures fixed(double[][] s, double[][] t, double temperature, RowTasks tasks) {
        int n = s.length;
        double[] value = new double[n];
        Arrays.fill(value, temperature);
        Maxima m = Maxima.of(s, t, tasks);
        return new Temperatures(value, value.clone(), m.student, m.teacher, m.argMax, new double[n], new boolean[n],
                false, null, null);
    }

    /**
     * DTKD's per-sample temperatures; {@code tasks} split the rows across threads.
     *
     * @throws HazardException under {@link HazardPolicy#STRICT} on the first hazardous row
     */
    static Temperatures dynamic(double[][] s, double[][] t, double temperature, HazardPolicy policy,
                                boolean detach, RowTasks tasks) {
        int n = s.length;
        double[] tStu = new double[n];
        double[] tTea = new double[n];
        Maxima m = Maxima.of(s, t, tasks);
        double[] ms = m.student;
        double[] mt = m.teacher;
        double[] slope = new double[n];
        boolean[] guarded = new boolean[n];
        for (int i = 0; i < n; i++) {
            double sum = mt[i] + ms[i];
            double a = 2 * ms[i] / sum * temperature;
            double b = 2 * mt[i] / sum * temperature;
            boolean hazardous = !(Double.isFinite(a) && Double.isFinite(b) && a > 0 && b > 0);
            if (hazardous && policy == HazardPolicy.STRICT) {
                throw new HazardException(i, describe(i, ms[i], mt[i], a, b));
            }
            if (hazardous && policy == HazardPolicy.GUARDED) {
                guarded[i] = true;
                tStu[i] = temperature;
                tTea[i] = temperature;
            } else {
                tStu[i] = a;
                tTea[i] = b;
                slope[i] = detach ? 0 : 2 * temperature * mt[i] / (sum * sum);
            }
        }
        return new Temperatures(tStu, tTea, ms, mt, m.argMax, slope, guarded, !detach, null, null);
    }

    /**
     * NormKD's per-sample temperatures {@code T_stu = T_norm·std(s)}, {@code T_tea = T_norm·std(t)} (unbiased std of
     * the raw row, two-pass: the mean a plain sum divided by {@code C}, as torch's full reduction), with the
     * gradient through {@code std(s)}. A row whose student or teacher logits are all equal has {@code std = 0}:
     * OFFICIAL keeps {@code T = 0} (NaN, as the official code); STRICT throws; GUARDED gives the constant side
     * {@code T_norm} (its softmax is uniform at any temperature, the limit {@code std → 0}), keeps the scale
     * {@code T_tea²} of the raw teacher temperature (so a constant teacher row contributes 0 and a constant student
     * row {@code T_tea²·KL(p ‖ uniform)}), and gives the row no distillation gradient. {@code tasks} split the rows
     * across threads.
     *
     * @throws HazardException under {@link HazardPolicy#STRICT} on the first constant row
     */
    static Temperatures normalized(double[][] s, double[][] t, double tNorm, HazardPolicy policy, RowTasks tasks) {
        int n = s.length;
        double[] tStu = new double[n];
        double[] tTea = new double[n];
        double[] scale = new double[n];
        double[][] slope = new double[n][];
        ConstantRows constant = ConstantRows.of(s, t, policy,
                side -> "NormKD's temperature T_" + side.subscript() + " = T_norm·std = 0");
        boolean[] studentConstant = constant.student();
        boolean[] teacherConstant = constant.teacher();
        boolean[] guarded = new boolean[n];
        tasks.run(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                int c = s[i].length;
                double[] centered = RowMath.centre(s[i]);
                double stdS = RowMath.std(centered);
                double[] teacherCentered = RowMath.centre(t[i]);
                double stdT = RowMath.std(teacherCentered);
                tStu[i] = tNorm * stdS;
                tTea[i] = tNorm * stdT;
                scale[i] = tTea[i] * tTea[i];
                guarded[i] = policy == HazardPolicy.GUARDED && (studentConstant[i] || teacherConstant[i]);
                if (guarded[i]) {
                    scale[i] = teacherConstant[i] ? 0 : scale[i];
                    tStu[i] = studentConstant[i] ? tNorm : tStu[i];
                    tTea[i] = teacherConstant[i] ? tNorm : tTea[i];
                    continue;
                }
                for (int j = 0; j < c; j++) {
                    centered[j] = tNorm * centered[j] / ((c - 1) * stdS);
                }
                slope[i] = centered;
            }
        });
        Maxima m = Maxima.of(s, t, tasks);
        return new Temperatures(tStu, tTea, m.student, m.teacher, m.argMax, new double[n], guarded, false, scale,
                slope);
    }

    /** @return the factor of row {@code i}'s divergence: {@code T_tea²} if normalised, else {@code T_stu·T_tea} */
    double scale(int i) {
        return teacherSquared == null ? teacher[i] * student[i] : teacherSquared[i];
    }

    /** @return whether these are normalised temperatures (scaled by {@code T_tea²}, gradient through {@code std(s)}) */
    boolean normalized() {
        return teacherSquared != null;
    }

    /**
     * @param rows rows guarded before the temperatures were formed (e.g. by logit standardisation)
     * @return these temperatures with those rows also counted as guarded
     */
    Temperatures withGuarded(boolean[] rows) {
        boolean[] g = guarded.clone();
        for (int i = 0; i < g.length; i++) {
            g[i] |= rows[i];
        }
        return new Temperatures(student, teacher, studentMax, teacherMax, studentArgMax, slope, g, differentiable,
                teacherSquared, studentSlopeBySample);
    }

    /** @return whether row {@code i} has a gradient path through its temperatures */
    boolean hasGradient(int i) {
        return differentiable && !guarded[i];
    }

    /** @return the explanation of a hazardous row, naming the row and its maxima */
    static String describe(int row, double ms, double mt, double tStu, double tTea) {
        return "row " + row + ": student max ms=" + ms + " and teacher max mt=" + mt + " (ms+mt=" + (mt + ms)
                + ") give T_stu=" + tStu + ", T_tea=" + tTea + "; DTKD needs both finite and > 0";
    }

    /** The row maxima of a batch and the first arg-max of each student row. */
    private record Maxima(int[] argMax, double[] student, double[] teacher) {
        static Maxima of(double[][] s, double[][] t, RowTasks tasks) {
            int n = s.length;
            int[] argMax = new int[n];
            double[] ms = new double[n];
            double[] mt = new double[n];
            tasks.run(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    argMax[i] = RowMath.argMaxFirst(s[i]);
                    ms[i] = s[i][argMax[i]];
                    mt[i] = t[i][RowMath.argMaxFirst(t[i])];
                }
            });
            return new Maxima(argMax, ms, mt);
        }
    }
}
