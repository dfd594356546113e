package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * KD's loss (Hinton et al. 2015) and the cross-entropy alone, in float32 on rows of buffers, for a network that trains
 * in float32: one pass over each row that reads it, computes the loss and writes the gradient, vectorised
 * ({@link FloatRow}), instead of converting the rows to doubles and back. The double {@link DistillationLosses} stays
 * the reference these values are tested against ({@code FloatKdTest}: within float rounding of it); the arithmetic is
 * the official code's own precision (PyTorch trains in float32).
 *
 * <p>Which losses: those whose config describes them ({@link DistillationConfig#build}) with fixed temperatures, one
 * {@link Divergence#FULL} term and the cross-entropy, or the cross-entropy alone, whatever their class; {@link #of}
 * is empty for every other loss. The results are the same bit for bit on one thread or several, in the vector form
 * or the scalar one.
 */
public final class FloatKd {

    private final Method method;
    /** The name of the KD term ({@code null} for the cross-entropy alone). */
    private final Term term;
    /** KD's temperature as the config gives it, NaN for the cross-entropy alone. */
    private final double configured;
    /** It in float32, the rows' arithmetic. */
    private final float temperature;
    /** The weight of the KD term (0 without it). */
    private final double weight;
    /** The factor of the KD term in every row's total and gradient: the warmup factor times {@link #weight}. */
    private final double kdWeight;
    private final double ceWeight;
    private final double warmup;

    private FloatKd(Method method, Term term, double temperature, double weight, double ceWeight, double warmup) {
        this.method = method;
        this.term = term;
        this.configured = temperature;
        this.temperature = (float) temperature;
        this.weight = weight;
        this.kdWeight = warmup * weight;
        this.ceWeight = ceWeight;
        this.warmup = warmup;
    }

    /**
     * @param config a loss
     * @param epoch  the reference epoch of its warmup factor
     * @return the float32 evaluation of that loss, empty if its description is not KD's or the cross-entropy's
     */
    public static Optional<FloatKd> of(DistillationConfig config, int epoch) {
        Recorder r = new Recorder();
        config.build(r);
        if (!r.supported || !r.completed) {
            return Optional.empty();
        }
        double warmup = config.warmupFactor(epoch);
        return Optional.of(new FloatKd(config.method(), r.term, r.temperature, r.kdWeight, r.ceWeight,
                warmup));
    }

    /**
     * @return which form of the rows runs: {@code "vectorised, 16 floats per vector"} (8 on a CPU with 256-bit
     *         vectors) where {@link Exponentials}' vector form runs, else {@code "scalar"} (the same bits)
     */
    public static String kernel() {
        return FloatRow.VECTOR ? "vectorised, " + FloatVectorKernels.lanes() + " floats per vector" : "scalar";
    }

    /** @return whether the loss has a teacher term (KD), not the cross-entropy alone */
    public boolean distills() {
        return term != null;
    }

    /**
     * Evaluates rows and, if asked, writes their gradient.
     *
     * @param student  the student logits
     * @param teacher  the teacher logits, {@code null} for the cross-entropy alone (ignored then)
     * @param rows     the rows of the inputs evaluated, in order (the batch is these {@code N = rows.length} rows)
     * @param targets  the target class of each of them, in {@code [0, C)}
     * @param c        the number of classes, {@code >= 1}
     * @param gradient where row {@code rows[k]} of the gradient of the batch mean, times {@code factors[k]}, is
     *                 written; {@code null} for none
     * @param factors  the factor of each row's gradient ({@code null} without gradient)
     * @return the batch, or empty if a row holds a logit that is not finite or gives a value that is not (the double
     *         closed form then has the inputs, to reject them with its own message or apply its hazard policy); the
     *         gradient is then incomplete
     */
    public Optional<Batch> evaluate(FloatMatrix student, FloatMatrix teacher, int[] rows, int[] targets, int c,
                                    FloatMatrix gradient, float[] factors) {
        int n = rows.length;
        float[] s = new float[n * c];
        float[] t = distills() ? new float[n * c] : null;
        double[] kd = distills() ? new double[n] : null;
        double[] ce = new double[n];
        double[] ms = new double[n];
        double[] mt = new double[n];
        boolean[] bad = new boolean[n];
        RowTasks.forBatch(n, c).run(n, (from, to) -> {
            FloatRow row = new FloatRow(c, FloatRow.VECTOR);
            float[] g = gradient == null ? null : new float[c];
            for (int k = from; k < to; k++) {
                student.read(rows[k], s, k * c, c);
                if (t != null) {
                    teacher.read(rows[k], t, k * c, c);
                }
                if (!row.fill(s, k * c, t, k * c, temperature)) {
                    bad[k] = true;
                    continue;
                }
                ce[k] = row.crossEntropy(s, k * c, targets[k]);
                ms[k] = row.studentMax;
                if (t != null) {
                    kd[k] = row.kd();
                    mt[k] = row.teacherMax;
                }
                bad[k] = !Double.isFinite(ce[k]) || kd != null && !Double.isFinite(kd[k]);
                if (g != null && !bad[k]) {
                    row.gradient(targets[k], 1f / n, (float) kdWeight, (float) ceWeight, factors[k], g);
                    gradient.write(rows[k], g, c);
                }
            }
        });
        for (boolean b : bad) {
            if (b) {
                return Optional.empty();
            }
        }
        return Optional.of(new Batch(rows.clone(), targets.clone(), c, s, t, kd, ce, ms, mt));
    }

    /**
     * The rows of one evaluation: copies of the logits it read, and their values; its {@link LossResult} (with every
     * term's gradient as doubles) is made when first asked for.
     */
    public final class Batch {
        private final int[] rows;
        private final int[] targets;
        private final int c;
        private final float[] student;
        private final float[] teacher;
        private final double[] kd;
        private final double[] ce;
        private final double[] studentMax;
        private final double[] teacherMax;
        private final double[] perSample;
        /** {@code T} on every row ({@link #temperatureStats}); empty without teacher. */
        private final double[] temperatures;
        private final TemperatureStats stats;
        private LossResult result;

        private Batch(int[] rows, int[] targets, int c, float[] student, float[] teacher, double[] kd, double[] ce,
                      double[] studentMax, double[] teacherMax) {
            this.rows = rows;
            this.targets = targets;
            this.c = c;
            this.student = student;
            this.teacher = teacher;
            this.kd = kd;
            this.ce = ce;
            this.studentMax = studentMax;
            this.teacherMax = teacherMax;
            perSample = new double[rows.length];
            for (int k = 0; k < rows.length; k++) {
                perSample[k] = kd == null ? ceWeight * ce[k] : kdWeight * kd[k] + ceWeight * ce[k];
            }
            temperatures = new double[kd == null ? 0 : rows.length];
            Arrays.fill(temperatures, configured);
            stats = TemperatureStats.of(temperatures, temperatures, 0);
        }

        /** @return the loss of each row, in the order of the rows evaluated */
        public double[] perSampleTotal() {
            return perSample.clone();
        }

        /** @return the target classes of the rows */
        public int[] targets() {
            return targets.clone();
        }

        /** @return the temperatures' summary: {@code T} on every row, none guarded (empty without teacher) */
        public TemperatureStats temperatureStats() {
            return stats;
        }

        /**
         * @return whether these inputs are the ones evaluated: the same rows and targets, and logits equal value for
         *         value ({@link java.nio.FloatBuffer#mismatch})
         */
        public boolean holds(FloatMatrix otherStudent, FloatMatrix otherTeacher, int[] otherRows, int[] otherTargets,
                             int otherC) {
            if (otherC != c || !Arrays.equals(rows, otherRows) || !Arrays.equals(targets, otherTargets)) {
                return false;
            }
            boolean[] differs = new boolean[rows.length];
            RowTasks.forBatch(rows.length, 2 * c).run(rows.length, (from, to) -> {
                for (int k = from; k < to; k++) {
                    differs[k] = !otherStudent.holds(rows[k], student, k * c, c)
                            || teacher != null && !otherTeacher.holds(rows[k], teacher, k * c, c);
                }
            });
            for (boolean d : differs) {
                if (d) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Writes row {@code rows[k]} of the gradient of the batch mean, times {@code factors[k]}, into {@code out}:
         * what {@link #evaluate} writes.
         */
        public void writeGradient(FloatMatrix out, float[] factors) {
            int n = rows.length;
            RowTasks.forBatch(n, c).run(n, (from, to) -> {
                FloatRow row = new FloatRow(c, FloatRow.VECTOR);
                float[] g = new float[c];
                for (int k = from; k < to; k++) {
                    row.fill(student, k * c, teacher, k * c, temperature);
                    row.gradient(targets[k], 1f / n, (float) kdWeight, (float) ceWeight, factors[k], g);
                    out.write(rows[k], g, c);
                }
            });
        }

        /**
         * @return the loss, its terms (KD's, if any, then the cross-entropy) with their gradients of the batch means,
         *         and the temperatures, as {@link DistillationLosses#evaluate} reports them; each gradient entry is
         *         the float this class computes (so the total's, times a row's factor, is what {@link #evaluate}
         *         wrote)
         */
        public synchronized LossResult result() {
            if (result == null) {
                result = materialise();
            }
            return result;
        }

        private LossResult materialise() {
            int n = rows.length;
            double[][] total = new double[n][];
            double[][] kdGrad = kd == null ? null : new double[n][];
            double[][] ceGrad = new double[n][];
            RowTasks.forBatch(n, c).run(n, (from, to) -> {
                FloatRow row = new FloatRow(c, FloatRow.VECTOR);
                for (int k = from; k < to; k++) {
                    total[k] = new double[c];
                    ceGrad[k] = new double[c];
                    if (kdGrad != null) {
                        kdGrad[k] = new double[c];
                    }
                    row.fill(student, k * c, teacher, k * c, temperature);
                    row.terms(targets[k], 1f / n, (float) kdWeight, (float) ceWeight, kdGrad == null ? null
                            : kdGrad[k], ceGrad[k], total[k]);
                }
            });
            Map<Term, TermResult> terms = new LinkedHashMap<>();
            double ceValue = TermEvaluator.sumInOrder(ce) / n;
            if (kd == null) {
                terms.put(Term.CE, new TermResult(Term.CE, ceValue, ce.clone(), ceGrad));
                double[] none = new double[0];
                return new LossResult(method, ceWeight * ceValue, perSample.clone(), total, terms, warmup, none, none,
                        none, none, new boolean[n], TemperatureStats.EMPTY);
            }
            double kdValue = TermEvaluator.sumInOrder(kd) / n;
            terms.put(term, new TermResult(term, kdValue, kd.clone(), kdGrad));
            terms.put(Term.CE, new TermResult(Term.CE, ceValue, ce.clone(), ceGrad));
            return new LossResult(method, warmup * (weight * kdValue) + ceWeight * ceValue, perSample.clone(), total,
                    terms, warmup, studentMax.clone(), teacherMax.clone(), temperatures.clone(), temperatures.clone(),
                    new boolean[n], stats);
        }
    }

    /**
     * Reads a loss's description: supported when it is fixed temperatures, at most one {@link Divergence#FULL} term on
     * them and the cross-entropy, completed by {@link #total}. Every other call marks it unsupported and returns a
     * placeholder.
     */
    private static final class Recorder implements LossBuilder<Double, Term> {
        boolean supported = true;
        boolean completed;
        double temperature = Double.NaN;
        Term term;
        double kdWeight;
        double ceWeight;

        @Override
        public Double fixed(double t) {
            return t;
        }

        @Override
        public Double dynamic(double t, HazardPolicy policy, boolean detach) {
            supported = false;
            return t;
        }

        @Override
        public Double normalized(double temperatureNorm, HazardPolicy policy) {
            supported = false;
            return temperatureNorm;
        }

        @Override
        public Term term(Term term, Divergence divergence, Double temperatures, HazardPolicy policy) {
            supported &= divergence == Divergence.FULL && this.term == null;
            this.term = term;
            temperature = temperatures;
            return term;
        }

        @Override
        public LossBuilder<Double, Term> standardized(HazardPolicy policy) {
            supported = false;
            return this;
        }

        @Override
        public Term crossEntropy() {
            return Term.CE;
        }

        @Override
        public void total(Double temperatures, double ce, Term crossEntropy, List<Term> terms, double... weights) {
            supported &= !completed && terms.size() == weights.length
                    && (terms.isEmpty() || terms.size() == 1 && temperatures != null
                    && temperatures.doubleValue() == temperature);
            completed = true;
            ceWeight = ce;
            kdWeight = terms.isEmpty() ? 0 : weights[0];
            if (terms.isEmpty()) {
                term = null;
                temperature = Double.NaN;
            }
        }
    }
}
