package org.dtkd4j.core.loss;

/**
 * One row of tempered logits and its softmax, every exponential evaluated once. For a row {@code z} and a
 * temperature {@code T}, the scaled row is {@code u = z/T}; the logits {@code x} of the softmax are {@code u}, or
 * {@code u} with one entry lowered by exactly {@link Divergence#MASK} (DKD's non-target KL). Then, in PyTorch's order,
 * <pre>
 *   m = max_i x_i,   e_i = exp(x_i − m),   S = Σ_i e_i   (exp: {@link Exponentials#exp}; Σ: {@link RowMath#sum}),
 *   p_i = e_i / S                  (softmax)
 *   log p_i = (x_i − m) − log S    (log-softmax)
 * </pre>
 * so an underflowed {@code p_i = 0} keeps a finite {@code log p_i}. A {@linkplain #masked() masked twin} filled
 * after its unmasked row with the same {@code z} and {@code T} takes {@code u} and every {@code e_i} but the masked
 * one from it whenever the mask leaves {@code m} unchanged: the very values it would compute itself. This is
 * scratch space for one thread: {@link #fill} overwrites all of it, so a row's values never depend on the row
 * filled before.
 */
final class SoftmaxRow {

    /**
     * The smallest non-target mass {@code Σ_{k≠y} p_k} whose logarithm is taken from the sum itself: above it every
     * {@code p_k} that could have lost precision to underflow ({@code < 2^−1022}) is below the sum's rounding, so
     * {@code log Σ p_k} is exact to rounding; below it the log comes from a log-sum-exp of the logits.
     */
    private static final double MIN_MASS = 0x1p-900;

    /** {@code u = z/T}, without the mask. */
    final double[] scaled;
    /** {@code p}, the softmax of the logits. */
    final double[] prob;
    /** {@code e_i = exp(x_i − m)}. */
    private final double[] exps;
    /** The logits {@code x}: {@link #scaled} itself, or its masked copy. */
    private final double[] logits;
    /** For a masked row, the unmasked row it reuses; {@code null} for an unmasked row. */
    private final SoftmaxRow unmasked;
    /** The row and temperature last filled in, {@code null} before the first. */
    private double[] source;
    private double temperature;
    private double max;
    private double logSum;

    /** @param c the number of classes; the row is unmasked */
    SoftmaxRow(int c) {
        scaled = new double[c];
        prob = new double[c];
        exps = new double[c];
        logits = scaled;
        unmasked = null;
    }

    private SoftmaxRow(SoftmaxRow unmasked) {
        int c = unmasked.scaled.length;
        scaled = new double[c];
        prob = new double[c];
        exps = new double[c];
        logits = new double[c];
        this.unmasked = unmasked;
    }

    /** @return a new masked row, whose {@link #fill} lowers the logit of the class it is given, twinned with this one */
    SoftmaxRow masked() {
        return new SoftmaxRow(this);
    }

    /**
     * Scales a row and computes its softmax.
     *
     * @param z           the row, {@code [C]}
     * @param temperature the divisor {@code T}
     * @param target      the class whose logit a masked row lowers by {@link Divergence#MASK} (ignored by an
     *                    unmasked row)
     * @return this row
     */
    SoftmaxRow fill(double[] z, double temperature, int target) {
        int c = z.length;
        boolean twin = unmasked != null && unmasked.source == z && unmasked.temperature == temperature;
        double m = Double.NEGATIVE_INFINITY;
        if (logits == scaled) {
            for (int i = 0; i < c; i++) {
                double u = z[i] / temperature;
                scaled[i] = u;
                m = Math.max(m, u);
            }
        } else {
            if (twin) {
                System.arraycopy(unmasked.scaled, 0, scaled, 0, c);
            } else {
                for (int i = 0; i < c; i++) {
                    scaled[i] = z[i] / temperature;
                }
            }
            System.arraycopy(scaled, 0, logits, 0, c);
            logits[target] -= Divergence.MASK;
            for (int i = 0; i < c; i++) {
                m = Math.max(m, logits[i]);
            }
        }
        if (twin && m == unmasked.max) {
            System.arraycopy(unmasked.exps, 0, exps, 0, c);
            exps[target] = Exponentials.exp(logits[target] - m);
        } else {
            Exponentials.shifted(logits, m, exps, c);
        }
        double sum = RowMath.sum(exps, c);
        for (int i = 0; i < c; i++) {
            prob[i] = exps[i] / sum;
        }
        source = z;
        this.temperature = temperature;
        max = m;
        logSum = Math.log(sum);
        return this;
    }

    /** @return {@code log p_i} */
    double logProb(int i) {
        return (logits[i] - max) - logSum;
    }

    /** @return {@code Σ_{k≠y} p_k}, summed in class order */
    double massExcept(int y) {
        double sum = 0;
        for (int k = 0; k < prob.length; k++) {
            sum += k == y ? 0 : prob[k];
        }
        return sum;
    }

    /**
     * @param y    the excluded class
     * @param mass {@link #massExcept(int) massExcept(y)}
     * @return {@code log Σ_{k≠y} p_k}, finite even where the mass underflows: then
     *         {@code logsumexp_{k≠y}(x_k) − m − log S}
     */
    double logMassExcept(int y, double mass) {
        return mass >= MIN_MASS ? Math.log(mass) : (RowMath.logSumExp(logits, y) - max) - logSum;
    }

    /**
     * @param i       a class other than the excluded one
     * @param mass    {@link #massExcept(int)} of the excluded class
     * @param logMass {@link #logMassExcept(int, double)} of it
     * @return {@code p_i / Σ_{k≠y} p_k}, the probability of class {@code i} among the other classes
     */
    double shareExcept(int i, double mass, double logMass) {
        return mass >= MIN_MASS ? prob[i] / mass : Exponentials.exp(logProb(i) - logMass);
    }
}
