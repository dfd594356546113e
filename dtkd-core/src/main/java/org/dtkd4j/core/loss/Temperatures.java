package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.Arrays;

/**
 * The per-row temperatures of one batch: fixed ({@code T} for every row) or DTKD's dynamic
 * {@code T_stu = 2·ms/(mt+ms)·T}, {@code T_tea = 2·mt/(mt+ms)·T}, evaluated in exactly this order
 * ({@code 2*ms}, {@code /(mt+ms)}, {@code *T}) with the hazard policy applied.
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

    private Temperatures(double[] student, double[] teacher, double[] studentMax, double[] teacherMax,
                         int[] studentArgMax, double[] slope, boolean[] guarded, boolean differentiable) {
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
    }

    /** The fixed temperature {@code T} on every row (KD, DKD). */
    static Temperatures fixed(double[][] s, double[][] t, double temperature) {
        int n = s.length;
        double[] value = new double[n];
        Arrays.fill(value, temperature);
        int[] argMax = new int[n];
        double[] ms = new double[n];
        double[] mt = new double[n];
        for (int i = 0; i < n; i++) {
            argMax[i] = RowMath.argMaxFirst(s[i]);
            ms[i] = s[i][argMax[i]];
            mt[i] = t[i][RowMath.argMaxFirst(t[i])];
        }
        return new Temperatures(value, value.clone(), ms, mt, argMax, new double[n], new boolean[n], false);
    }

    /**
     * DTKD's per-sample temperatures.
     *
     * @throws HazardException under {@link HazardPolicy#STRICT} on the first hazardous row
     */
    static Temperatures dynamic(double[][] s, double[][] t, double temperature, HazardPolicy policy,
                                boolean detach) {
        int n = s.length;
        double[] tStu = new double[n];
        double[] tTea = new double[n];
        double[] ms = new double[n];
        double[] mt = new double[n];
        int[] argMax = new int[n];
        double[] slope = new double[n];
        boolean[] guarded = new boolean[n];
        for (int i = 0; i < n; i++) {
            argMax[i] = RowMath.argMaxFirst(s[i]);
            ms[i] = s[i][argMax[i]];
            mt[i] = t[i][RowMath.argMaxFirst(t[i])];
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
        return new Temperatures(tStu, tTea, ms, mt, argMax, slope, guarded, !detach);
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
        return new Temperatures(student, teacher, studentMax, teacherMax, studentArgMax, slope, g, differentiable);
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
}
