package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.FloatKd;
import org.dtkd4j.core.loss.FloatMatrix;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.perf.HostMemory;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Any distillation loss of this library as a DL4J {@link ILossFunction}, for the output layer ({@code OutputLayer}
 * or {@code LossLayer}, activation {@code IDENTITY}) of a student {@code ComputationGraph} or
 * {@code MultiLayerNetwork}.
 *
 * <p>Labels are {@code [N, 2C]}: one-hot labels followed by the teacher's logits, see {@link TeacherLabels}; a
 * {@link TeacherLabelIterator} produces them from a plain iterator and a teacher. The cross-entropy-only method
 * ({@link Method#NONE}) also accepts plain {@code [N, C]} one-hot labels. The loss is the closed form of
 * {@link DistillationLosses}, evaluated in double precision, with gradients in the network's data type; except that
 * KD's loss and the cross-entropy alone ({@link FloatKd}) on float32 logits and labels in host memory are evaluated
 * in float32, in one vectorised pass over each row that writes the gradient straight into the network's array (a
 * float64 network gets the double closed form; a row with a logit that is not finite goes to the closed form, which
 * rejects it with its message). Per-example label masks ({@code [N, 1]}) are supported: a row with mask 0 is left out of the
 * loss (its score and gradient are 0, its values are not validated); other mask values scale the row.
 *
 * <p>Warmup: the loss holds the reference epoch ({@link #setEpoch(int)}, 1 for the first epoch); the factor
 * {@code min(epoch/warmup, 1)} is computed from it. Attach a {@link DistillationListener} to the network and it
 * keeps the epoch in step with DL4J's (0-based) epoch counter during {@code fit}. A method with warmup refuses to
 * compute before an epoch is set, rather than silently training at a wrong factor.
 *
 * <p>Temperature statistics: {@link #lastBatchStats()} summarises the last batch evaluated, {@link #epochStats()}
 * every training batch (gradient evaluation) since the epoch was last set. An instance holds this state, and reuses
 * the rows and the result of its last evaluation; its methods are synchronized, one call at a time, because networks
 * may share an instance: DL4J's configuration {@code clone()} does not copy the loss function, so the networks of
 * Spark's workers and of {@code ParallelWrapper}'s replicas call one instance from several threads (then the
 * statistics are those of all of them).
 *
 * <p>The configuration record is stored as such (its serialised form names the method, see
 * {@link DistillationConfig}), so that the network configuration survives JSON and {@code ModelSerializer} round
 * trips; the current epoch is saved with it.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class DistillationLossFunction implements ILossFunction {

    private static final long serialVersionUID = 1L;

    /** The value of {@link #epoch} before any epoch was set. */
    private static final int NO_EPOCH = -1;

    @JsonProperty
    private DistillationConfig config;
    @JsonProperty
    private int epoch = NO_EPOCH;

    private transient TemperatureStats lastStats;
    /** The evaluation {@link #lastBatchResult()} reports (kept when a later call fails). */
    private transient Call lastEvaluated;
    private transient TemperatureStats epochStats;
    /** The evaluation a call with the same inputs reuses, {@code null} after a call that failed. */
    private transient Call lastCall;
    private transient int evaluations;

    /** The official DTKD loss ({@link DtkdConfig#defaults()}); also used by JSON deserialization. */
    public DistillationLossFunction() {
        this(DtkdConfig.defaults());
    }

    private DistillationLossFunction(DistillationConfig config) {
        this.config = config;
    }

    /**
     * @param config any loss configuration
     * @return the loss function for it, with no epoch set
     */
    public static DistillationLossFunction of(DistillationConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null, found null");
        }
        return new DistillationLossFunction(config);
    }

    /** @return the configuration this loss computes */
    public DistillationConfig config() {
        return config;
    }

    /**
     * Sets the epoch the warmup factor is computed from, and starts a new {@link #epochStats()} aggregation.
     *
     * @param referenceEpoch the epoch as the reference trainer counts it: 1 for the first epoch (DL4J's epoch 0)
     */
    public synchronized void setEpoch(int referenceEpoch) {
        if (referenceEpoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, found " + referenceEpoch);
        }
        if (referenceEpoch != epoch) {
            epochStats = null;
        }
        this.epoch = referenceEpoch;
    }

    /** @return the reference epoch, or empty when none was set */
    public synchronized Optional<Integer> epoch() {
        return epoch == NO_EPOCH ? Optional.empty() : Optional.of(epoch);
    }

    /**
     * @return the current factor {@code min(epoch/warmup, 1)} of the distillation terms (1 without warmup)
     * @throws IllegalStateException if the method has a warmup and no epoch was set
     */
    public synchronized double warmupFactor() {
        return config().warmupFactor(requireEpoch());
    }

    /** @return temperature statistics of the last batch evaluated, empty before the first */
    public synchronized Optional<TemperatureStats> lastBatchStats() {
        return Optional.ofNullable(lastStats);
    }

    /** @return every term, temperature and gradient of the last batch evaluated, empty before the first */
    public synchronized Optional<LossResult> lastBatchResult() {
        return Optional.ofNullable(lastEvaluated).map(Call::result);
    }

    /**
     * @return the class index of each row of {@link #lastBatchResult()} (the rows that were not masked out, in
     *         order), empty before the first batch
     */
    public synchronized Optional<int[]> lastBatchTargets() {
        return Optional.ofNullable(lastEvaluated).map(call -> call.targets().clone());
    }

    /** @return temperature statistics of every training batch since the epoch was last set, empty if none */
    public synchronized Optional<TemperatureStats> epochStats() {
        return Optional.ofNullable(epochStats);
    }

    private int requireEpoch() {
        if (epoch == NO_EPOCH) {
            if (config.hasWarmup()) {
                throw new IllegalStateException(config.method() + " has a warmup of " + config.warmup()
                        + " epochs but no epoch is "
                        + "set: add a DistillationListener to the network, or call setEpoch(referenceEpoch)");
            }
            return 0;
        }
        return epoch;
    }

    /**
     * Evaluates the loss on the rows that are not masked out, for callers that want every term and temperature.
     *
     * @param labels       {@code [N, 2C]} packed labels ({@code [N, C]} one-hot also accepted for NONE)
     * @param preOutput    {@code [N, C]} output layer pre-activations
     * @param activationFn the output layer's activation (not softmax: the loss takes logits)
     * @param mask         {@code null} or a per-example mask {@code [N, 1]}
     * @return the closed-form result over the rows with non-zero mask, or empty if every row is masked out
     */
    public synchronized Optional<LossResult> evaluate(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                      INDArray mask) {
        Evaluation e = compute(labels, preOutput, activationFn, mask, false);
        return Optional.ofNullable(e.call).map(Call::result);
    }

    @Override
    public synchronized double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                            INDArray mask, boolean average) {
        return compute(labels, preOutput, activationFn, mask, false).score(average);
    }

    @Override
    public synchronized INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                   INDArray mask) {
        Evaluation e = compute(labels, preOutput, activationFn, mask, false);
        return Nd4j.createFromArray(e.scores).reshape(e.scores.length, 1).castTo(preOutput.dataType());
    }

    @Override
    public synchronized INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                 INDArray mask) {
        return compute(labels, preOutput, activationFn, mask, true).gradient(preOutput, activationFn);
    }

    @Override
    public synchronized Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                                       IActivation activationFn, INDArray mask,
                                                                       boolean average) {
        Evaluation e = compute(labels, preOutput, activationFn, mask, true);
        return new Pair<>(e.score(average), e.gradient(preOutput, activationFn));
    }

    @Override
    public String name() {
        return toString();
    }

    /**
     * One evaluation scattered back to all {@code N} rows: per-row scores of the summed score, and on demand the
     * gradient of the summed score ({@code N·w_i·∂L/∂s_i} for the {@code N} rows kept with weights {@code w_i} by
     * the mask, 0 for the others).
     */
    private static final class Evaluation {
        /** The evaluation of the kept rows, {@code null} when every row is masked out. */
        final Call call;
        final double[] scores;
        /** The rows of the input that were kept, in order: row {@code k} of {@link #call} is input row rows[k]. */
        private final int[] rows;
        private final double[] weights;
        /** The gradient already written by this call's evaluation, or {@code null}. */
        private final INDArray written;

        Evaluation(Call call, double[] scores, int[] rows, double[] weights, INDArray written) {
            this.call = call;
            this.scores = scores;
            this.rows = rows;
            this.weights = weights;
            this.written = written;
        }

        double score(boolean average) {
            double sum = 0;
            for (double s : scores) {
                sum += s;
            }
            return average ? sum / scores.length : sum;
        }

        /** @return the gradient with respect to the pre-output, in its data type, written once into a new array */
        INDArray gradient(INDArray preOutput, IActivation activationFn) {
            INDArray dLdOut = written;
            if (dLdOut == null) {
                int n = weights.length;
                int c = (int) preOutput.size(1);
                dLdOut = call == null ? Nd4j.create(preOutput.dataType(), n, c)
                        : call.gradient(rows, factors(rows, weights), n, c, preOutput.dataType());
            }
            return activationFn.backprop(workingCopy(preOutput, activationFn), dLdOut).getFirst();
        }
    }

    /** @return the factor of each kept row's gradient: {@code N·w_i}, {@code N} the number of rows kept */
    private static double[] factors(int[] rows, double[] weights) {
        double[] factors = new double[rows.length];
        for (int k = 0; k < rows.length; k++) {
            factors[k] = weights[rows[k]] * rows.length;
        }
        return factors;
    }

    /**
     * @return what an activation function may work on in place: the pre-output itself for the identity (which
     *         neither computes nor writes anything), else a copy of it
     */
    private static INDArray workingCopy(INDArray preOutput, IActivation activationFn) {
        return activationFn instanceof ActivationIdentity ? preOutput : preOutput.dup();
    }

    private Evaluation compute(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean training) {
        if (activationFn instanceof ActivationSoftmax) {
            throw new IllegalArgumentException("DistillationLossFunction takes logits: use Activation.IDENTITY on "
                    + "the output layer, found " + activationFn);
        }
        if (preOutput.rank() != 2 || labels.rank() != 2) {
            throw new IllegalArgumentException("student logits and labels must be rank 2, found student logits "
                    + Arrays.toString(preOutput.shape()) + " and labels " + Arrays.toString(labels.shape()));
        }
        int n = (int) preOutput.size(0);
        long c = preOutput.size(1);
        boolean plainLabels = !config.method().usesTeacher() && labels.size(1) == c;
        if (labels.size(0) != n || labels.size(1) != 2 * c && !plainLabels) {
            throw new IllegalArgumentException("labels must be [N, 2C] = " + Arrays.toString(new long[]{n, 2 * c})
                    + " ([one-hot | teacher logits], see TeacherLabels.pack) for student logits "
                    + Arrays.toString(preOutput.shape()) + ", found " + Arrays.toString(labels.shape()));
        }
        double[] weights = rowWeights(mask, n);
        int[] rows = IntStream.range(0, n).filter(i -> weights[i] != 0).toArray();
        double[] scores = new double[n];
        if (rows.length == 0) {
            return new Evaluation(null, scores, rows, weights, null);
        }
        Matrices.Elements logits = Matrices.elements(activationFn.getActivation(workingCopy(preOutput, activationFn),
                training));
        Matrices.Elements labelValues = Matrices.elements(labels);
        Inputs in = new Inputs(config(), epoch, rows, labelValues.oneHotTargets(rows, (int) c), logits, labelValues,
                plainLabels);
        INDArray written = null;
        if (lastCall == null || !lastCall.sameInputs(in)) {
            Call previous = lastCall;
            lastCall = null;
            Optional<FloatKd> kernel = in.floatRows() ? FloatKd.of(config(), requireEpoch()) : Optional.empty();
            if (kernel.isPresent()) {
                INDArray out = training ? floatGradientArray(n, (int) c, rows.length < n) : null;
                lastCall = kernel.get().evaluate(in.studentRows(), in.teacherRows(), rows, in.targets(), (int) c,
                                out == null ? null : new FloatMatrix(out.data().asNioFloat(), c, 0),
                                toFloats(factors(rows, weights)))
                        .map(b -> new FloatCall(config(), epoch, in.plainLabels(), in.labels().columns(), b))
                        .orElse(null);
                written = lastCall == null ? null : out;
            }
            if (lastCall == null) {
                double[][] s = logits.rows(rows, 0, (int) c, previous == null ? null : previous.studentRows());
                double[][] t = plainLabels ? null : labelValues.rows(rows, (int) c, (int) (2 * c),
                        previous == null ? null : previous.teacherRows());
                LossResult r = DistillationLosses.evaluate(config(), s, t, in.targets(), requireEpoch());
                lastCall = new ClosedFormCall(config(), epoch, rows, s, t, in.targets(), r);
            }
            evaluations++;
        }
        double[] perSample = lastCall.perSampleTotal();
        for (int k = 0; k < rows.length; k++) {
            scores[rows[k]] = weights[rows[k]] * perSample[k];
        }
        lastEvaluated = lastCall;
        record(lastCall.temperatureStats(), training);
        return new Evaluation(lastCall, scores, rows, weights, written);
    }

    /** @return a new {@code [n, c]} float array in C order, zeroed when some rows are masked out */
    private static INDArray floatGradientArray(int n, int c, boolean masked) {
        return masked ? Nd4j.create(DataType.FLOAT, new long[]{n, c}, 'c')
                : Nd4j.createUninitialized(DataType.FLOAT, new long[]{n, c}, 'c');
    }

    private static float[] toFloats(double[] x) {
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = (float) x[k];
        }
        return out;
    }

    /**
     * @return how many times this instance evaluated the loss, in closed form or in float32 (the other calls reused an
     *         equal previous evaluation)
     */
    int evaluations() {
        return evaluations;
    }

    /**
     * What a call evaluates: the configuration and epoch, the rows kept by the mask, their target classes, the logits
     * and the labels.
     *
     * @param epoch the epoch field ({@link #NO_EPOCH} included)
     * @param rows  the rows kept by the mask
     */
    private record Inputs(DistillationConfig config, int epoch, int[] rows, int[] targets, Matrices.Elements logits,
                          Matrices.Elements labels, boolean plainLabels) {

        /**
         * @return whether the logits and the teacher logits are float32 rows in host memory, and a float32 gradient
         *         of their shape can be written there
         */
        boolean floatRows() {
            return logits.consecutiveFloats() && (plainLabels || labels.consecutiveFloats())
                    && HostMemory.addressable(DataType.FLOAT, (long) logits.rows() * logits.columns());
        }

        FloatMatrix studentRows() {
            return logits.floatRows(0);
        }

        /** @return the teacher logits, {@code null} with plain labels */
        FloatMatrix teacherRows() {
            return plainLabels ? null : labels.floatRows(logits.columns());
        }

        /** @return whether the configuration, epoch, kept rows and target classes are those given */
        boolean same(DistillationConfig otherConfig, int otherEpoch, int[] otherRows, int[] otherTargets) {
            return config.equals(otherConfig) && epoch == otherEpoch && Arrays.equals(rows, otherRows)
                    && Arrays.equals(targets, otherTargets);
        }
    }

    /**
     * One evaluation of the kept rows and its inputs. DL4J evaluates the loss twice per training step on the same
     * values: the gradient during backprop, then the score (from a recomputed, equal pre-output) after it. A call whose
     * logits (and teacher logits) hold the inputs of the last evaluation value for value and whose one-hot labels name
     * the same classes, at the same rows kept by the mask, with the same configuration and epoch, reuses it.
     */
    private sealed interface Call permits ClosedFormCall, FloatCall {

        /** @return whether {@code in} holds this evaluation's inputs */
        boolean sameInputs(Inputs in);

        /** @return every term, temperature and gradient (made on first demand where it is not already) */
        LossResult result();

        /** @return each kept row's loss */
        double[] perSampleTotal();

        /** @return the class index of each kept row */
        int[] targets();

        TemperatureStats temperatureStats();

        /**
         * @param rows    the kept rows
         * @param factors the factor of each kept row's gradient
         * @param n       the rows of the input
         * @param c       the classes
         * @param type    the data type of the gradient
         * @return a new {@code [n, c]} array: row {@code rows[k]} the gradient of the batch mean times
         *         {@code factors[k]}, the others 0
         */
        INDArray gradient(int[] rows, double[] factors, int n, int c, DataType type);

        /** @return the student rows as doubles this call holds, for the next closed-form call to overwrite, or null */
        double[][] studentRows();

        /** @return the teacher rows as doubles this call holds, or null */
        double[][] teacherRows();
    }

    /**
     * A closed-form evaluation: the logits compared in place with its double rows, without building rows of them. A
     * call with other inputs overwrites these rows with its own (nothing else holds them: the result does not refer
     * to its inputs).
     *
     * @param epoch the epoch field ({@link #NO_EPOCH} included)
     * @param rows  the rows kept by the mask; row {@code k} of the other arrays is input row {@code rows[k]}
     */
    private record ClosedFormCall(DistillationConfig config, int epoch, int[] rows, double[][] student,
                                  double[][] teacher, int[] targets, LossResult result) implements Call {

        @Override
        public boolean sameInputs(Inputs in) {
            int c = student[0].length;
            return in.same(config, epoch, rows, targets) && in.logits().columns() == c
                    && in.labels().columns() == (teacher == null ? c : 2 * c) && in.logits().holds(rows, 0, student)
                    && (teacher == null || in.labels().holds(rows, c, teacher));
        }

        @Override
        public double[] perSampleTotal() {
            return result.perSampleTotal();
        }

        @Override
        public TemperatureStats temperatureStats() {
            return result.temperatureStats();
        }

        @Override
        public INDArray gradient(int[] at, double[] factors, int n, int c, DataType type) {
            return Matrices.scatterRows(result.gradient(), at, factors, n, c, type);
        }

        @Override
        public double[][] studentRows() {
            return student;
        }

        @Override
        public double[][] teacherRows() {
            return teacher;
        }
    }

    /**
     * A float32 evaluation ({@link FloatKd}), which holds float copies of the rows it read (and their row indices and
     * target classes): a call compares its float32 logits with them ({@link java.nio.FloatBuffer#mismatch}).
     *
     * @param epoch        the epoch field ({@link #NO_EPOCH} included)
     * @param labelColumns the columns of the labels it read
     */
    private record FloatCall(DistillationConfig config, int epoch, boolean plainLabels, long labelColumns,
                             FloatKd.Batch batch) implements Call {

        @Override
        public boolean sameInputs(Inputs in) {
            return config.equals(in.config()) && epoch == in.epoch() && in.floatRows()
                    && in.plainLabels() == plainLabels && in.labels().columns() == labelColumns
                    && batch.holds(in.studentRows(), in.teacherRows(), in.rows(), in.targets(),
                    in.logits().columns());
        }

        @Override
        public LossResult result() {
            return batch.result();
        }

        @Override
        public double[] perSampleTotal() {
            return batch.perSampleTotal();
        }

        @Override
        public int[] targets() {
            return batch.targets();
        }

        @Override
        public TemperatureStats temperatureStats() {
            return batch.temperatureStats();
        }

        @Override
        public INDArray gradient(int[] rows, double[] factors, int n, int c, DataType type) {
            INDArray out = floatGradientArray(n, c, rows.length < n);
            batch.writeGradient(new FloatMatrix(out.data().asNioFloat(), c, 0), toFloats(factors));
            return out;
        }

        @Override
        public double[][] studentRows() {
            return null;
        }

        @Override
        public double[][] teacherRows() {
            return null;
        }
    }

    private void record(TemperatureStats stats, boolean training) {
        if (stats.isEmpty()) {
            return;
        }
        lastStats = stats;
        if (training) {
            epochStats = epochStats == null ? stats : epochStats.merge(stats);
        }
    }

    private static double[] rowWeights(INDArray mask, int n) {
        double[] w = new double[n];
        if (mask == null) {
            Arrays.fill(w, 1.0);
            return w;
        }
        boolean perExample = mask.length() == n && (mask.rank() == 1 || mask.rank() == 2 && mask.size(1) == 1);
        if (!perExample) {
            throw new IllegalArgumentException("DistillationLossFunction supports per-example masks [N, 1] = ["
                    + n + ", 1] only, found " + Arrays.toString(mask.shape()));
        }
        double[] m = mask.reshape(n).toDoubleVector();
        for (int i = 0; i < n; i++) {
            if (!(Double.isFinite(m[i]) && m[i] >= 0)) {
                throw new IllegalArgumentException("mask values must be finite and >= 0, found " + m[i] + " at row "
                        + i);
            }
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DistillationLossFunction that)) {
            return false;
        }
        return config().equals(that.config()) && epoch == that.epoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(config(), epoch);
    }

    @Override
    public String toString() {
        return "DistillationLossFunction(" + config() + ", epoch=" + (epoch == NO_EPOCH ? "unset" : epoch) + ")";
    }
}
