package org.dtkd4j.core.loss;

import java.util.Arrays;

/**
 * One row of {@link FloatKd}: KD's term and the cross-entropy of a student row {@code s} and a teacher row {@code t}
 * in float32, scratch space for one thread ({@link #fill} overwrites all of it). With {@code C} classes and the
 * temperature {@code T}:
 * <pre>
 *   ms = max_j s_j,  mt = max_j t_j
 *   es_j = exp((s_j − ms)/T),  et_j = exp((t_j − mt)/T),  e1_j = exp(s_j − ms)
 *   Ss = Σ es_j,  St = Σ et_j,  S1 = Σ e1_j,  D = Σ et_j·((t_j − mt)/T − (s_j − ms)/T)
 *   KD row   = T²·KL(softmax(t/T) ‖ softmax(s/T)) = T²·(D/St − log St + log Ss)
 *   CE row   = log S1 − (s_y − ms)
 *   ∂KD/∂s_j = T·(es_j/Ss − et_j/St),   ∂CE/∂s_j = e1_j/S1 − [j = y]
 * </pre>
 * The exponentials, sums and gradients are float32 (the row values are finished in double from the float sums). A
 * row's sums are sixteen running sums, sum {@code k} taking the entries {@code j ≡ k (mod 16)} of the first
 * {@code 16·⌊C/16⌋} in order, combined in a fixed tree, then the remaining entries added in order; the exponential is
 * Cody and Waite's reduction and a degree-7 Taylor polynomial in additions and multiplications ({@link #exp}). Every
 * operation is a correctly rounded IEEE 754 float operation in an order that does not depend on the vector width, so
 * the vector form ({@link FloatVectorKernels}) and the scalar form give the same bits, as for the double
 * {@link Exponentials}.
 */
final class FloatRow {

    /** The number of running sums of a row (and the block the vector form works in). */
    static final int SUMS = 16;
    /**
     * Arguments below it give 0: {@code exp(−87) ≈ 1.6·10^−38} is the smallest result kept normal (the results
     * flushed are below {@code 1.7·10^−38}, far under a float's rounding of the sums they enter, which are at least 1).
     */
    static final float LOWEST = -87f;
    static final float INV_LN2 = 1.44269504088896341f;
    /** {@code ln 2} split so that {@code k·LN2_HI} is exact for {@code |k| ≤ 2^11} (Cephes' constants). */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** {@code 1.5·2^23}: adding it rounds a float of magnitude below {@code 2^22} to an integer. */
    static final float SHIFTER = 0x1.8p23f;
    /** Adding it to an integer {@code k} puts {@code k + 127}, the biased exponent of {@code 2^k}, in the low bits. */
    static final float SCALE_SHIFTER = SHIFTER + 127;
    /** The Taylor coefficients {@code 1/j!} of {@code exp(r)}, {@code j = 7, 6, ..., 0}, in Horner's order. */
    static final float[] HORNER = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1, 1};
    /** Whether the vector form runs: with {@link Exponentials}' vector form, on a CPU with 8 or more floats per vector. */
    static final boolean VECTOR = Exponentials.vectorised() && FloatVectorKernels.preferredLanes() >= 8;

    private final boolean vector;
    private final int c;
    /** The largest multiple of {@link #SUMS} up to {@link #c}: the vector form's part of a row. */
    private final int bound;
    final float[] es;
    final float[] et;
    final float[] e1;
    private final float[] partial = new float[SUMS];
    private float temperature;
    private boolean distills;
    /** {@code ms}, {@code mt}: the row maxima. */
    float studentMax;
    float teacherMax;
    private float studentSum;
    private float teacherSum;
    private float ceSum;
    private float cross;

    /**
     * @param c      the number of classes
     * @param vector whether to run the vector form (only where {@link #VECTOR}; the scalar form gives the same bits)
     */
    FloatRow(int c, boolean vector) {
        this.vector = vector;
        this.c = c;
        this.bound = c - c % SUMS;
        es = new float[c];
        et = new float[c];
        e1 = new float[c];
    }

    /**
     * Computes a row's exponentials and sums.
     *
     * @param s           student logits {@code s[sOff, sOff + C)}
     * @param t           teacher logits {@code t[tOff, tOff + C)}, {@code null} for the cross-entropy alone
     * @param temperature KD's temperature (unused without teacher)
     * @return whether every logit of the row is finite (if not, the row's values are meaningless)
     */
    boolean fill(float[] s, int sOff, float[] t, int tOff, float temperature) {
        this.temperature = temperature;
        this.distills = t != null;
        studentMax = maxChecked(s, sOff);
        boolean finite = !Float.isNaN(studentMax);
        if (distills) {
            teacherMax = maxChecked(t, tOff);
            finite &= !Float.isNaN(teacherMax);
        }
        if (!finite) {
            return false;
        }
        ceSum = expSum(s, sOff, studentMax, 1, e1);
        if (distills) {
            studentSum = expSum(s, sOff, studentMax, temperature, es);
            teacherSum = expSum(t, tOff, teacherMax, temperature, et);
            cross = crossSum(s, sOff, t, tOff);
        }
        return true;
    }

    /** @return {@code T²·(D/St − log St + log Ss)}, KD's row value */
    double kd() {
        double kl = (double) cross / teacherSum - Math.log(teacherSum) + Math.log(studentSum);
        return (double) temperature * temperature * kl;
    }

    /** @return {@code log S1 − (s_y − ms)}, the cross-entropy of the row filled from {@code s[sOff, ...)} */
    double crossEntropy(float[] s, int sOff, int y) {
        return Math.log(ceSum) - ((double) s[sOff + y] - studentMax);
    }

    /**
     * Writes the gradient of the weighted batch mean, times {@code factor}:
     * {@code out[j] = ((∂KD/∂s_j)/N·kdWeight + (∂CE/∂s_j)/N·ceWeight)·factor} (the KD part only when filled with a
     * teacher).
     */
    void gradient(int y, float invN, float kdWeight, float ceWeight, float factor, float[] out) {
        float c1 = invN / ceSum;
        if (!distills) {
            int j = vector ? bound : 0;
            if (vector) {
                FloatVectorKernels.crossEntropyGradient(e1, c1, ceWeight, factor, out, bound);
            }
            for (; j < c; j++) {
                out[j] = e1[j] * c1 * ceWeight * factor;
            }
            out[y] = (e1[y] * c1 - invN) * ceWeight * factor;
            return;
        }
        float a = temperature * invN / studentSum;
        float b = temperature * invN / teacherSum;
        int j = vector ? bound : 0;
        if (vector) {
            FloatVectorKernels.gradient(es, et, e1, a, b, c1, kdWeight, ceWeight, factor, out, bound);
        }
        for (; j < c; j++) {
            out[j] = ((es[j] * a - et[j] * b) * kdWeight + (e1[j] * c1) * ceWeight) * factor;
        }
        out[y] = ((es[y] * a - et[y] * b) * kdWeight + (e1[y] * c1 - invN) * ceWeight) * factor;
    }

    /**
     * Writes the terms' gradients of the batch means: {@code kd[j] = (∂KD/∂s_j)/N} (when filled with a teacher),
     * {@code ce[j] = (∂CE/∂s_j)/N}, and their weighted sum {@code total[j]}, each the float {@link #gradient} computes
     * (so {@code total} times a factor is what {@link #gradient} writes).
     */
    void terms(int y, float invN, float kdWeight, float ceWeight, double[] kd, double[] ce, double[] total) {
        float c1 = invN / ceSum;
        float a = distills ? temperature * invN / studentSum : 0;
        float b = distills ? temperature * invN / teacherSum : 0;
        for (int j = 0; j < c; j++) {
            float g = j == y ? e1[j] * c1 - invN : e1[j] * c1;
            ce[j] = g;
            if (distills) {
                float k = es[j] * a - et[j] * b;
                kd[j] = k;
                total[j] = k * kdWeight + g * ceWeight;
            } else {
                total[j] = g * ceWeight;
            }
        }
    }

    /**
     * @param x any float
     * @return {@code exp(x)} in float32 for {@code x ≤ 0} (the only arguments a row takes), 0 below
     *         {@link #LOWEST}: Cody and Waite's reduction {@code k = round(x/ln 2)}, {@code r = x − k·ln 2} and
     *         {@code exp(r)} by its degree-7 Taylor polynomial (truncation below {@code 4·10^−9} relative for
     *         {@code |r| ≤ ln 2/2}), times {@code 2^k} by bits
     */
    static float exp(float x) {
        boolean low = x < LOWEST;
        float v = low ? LOWEST : x;
        float k = v * INV_LN2 + SHIFTER - SHIFTER;
        float r = v - k * LN2_HI - k * LN2_LO;
        float p = HORNER[0];
        for (int j = 1; j < HORNER.length; j++) {
            p = p * r + HORNER[j];
        }
        float e = p * Float.intBitsToFloat(Float.floatToRawIntBits(k + SCALE_SHIFTER) << 23);
        return low ? 0f : e;
    }

    /** @return the row maximum, NaN if an entry is not finite */
    private float maxChecked(float[] x, int off) {
        float max = Float.NEGATIVE_INFINITY;
        float check = 0;
        int j = 0;
        if (vector) {
            FloatVectorKernels.maxAndCheck(x, off, bound, partial);
            max = partial[0];
            check = partial[1];
            j = bound;
        }
        for (; j < c; j++) {
            float v = x[off + j];
            max = Math.max(max, v);
            check += v - v;
        }
        return max + check;
    }

    /** {@code out[j] = exp((x[off + j] − shift)/divisor)}; @return their sum in the row's order */
    private float expSum(float[] x, int off, float shift, float divisor, float[] out) {
        Arrays.fill(partial, 0);
        int j = 0;
        if (vector) {
            FloatVectorKernels.expSums(x, off, bound, shift, divisor, out, partial);
            j = bound;
        }
        for (; j < bound; j++) {
            out[j] = exp((x[off + j] - shift) / divisor);
            partial[j % SUMS] += out[j];
        }
        float sum = combined();
        for (; j < c; j++) {
            out[j] = exp((x[off + j] - shift) / divisor);
            sum += out[j];
        }
        return sum;
    }

    /** @return {@code D = Σ et_j·((t_j − mt)/T − (s_j − ms)/T)} in the row's order */
    private float crossSum(float[] s, int sOff, float[] t, int tOff) {
        Arrays.fill(partial, 0);
        int j = 0;
        if (vector) {
            FloatVectorKernels.crossSums(s, sOff, studentMax, t, tOff, teacherMax, temperature, et, bound, partial);
            j = bound;
        }
        for (; j < bound; j++) {
            partial[j % SUMS] += crossTerm(s, sOff, t, tOff, j);
        }
        float sum = combined();
        for (; j < c; j++) {
            sum += crossTerm(s, sOff, t, tOff, j);
        }
        return sum;
    }

    private float crossTerm(float[] s, int sOff, float[] t, int tOff, int j) {
        return et[j] * ((t[tOff + j] - teacherMax) / temperature - (s[sOff + j] - studentMax) / temperature);
    }

    /** @return the sixteen running sums combined in a fixed tree */
    private float combined() {
        float[] p = partial;
        return (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7])))
                + (((p[8] + p[9]) + (p[10] + p[11])) + ((p[12] + p[13]) + (p[14] + p[15])));
    }
}
