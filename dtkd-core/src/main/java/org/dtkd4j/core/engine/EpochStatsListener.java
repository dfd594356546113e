package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.loss.TermResult;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * Sums what the training steps of one epoch computed, for the epoch's {@code metrics.csv} row: per batch, the
 * distillation loss's {@link DistillationLossFunction#lastBatchResult() result} (total, every term, temperatures,
 * warmup factor) and its train top-1 hits, weighted by the batch's rows.
 *
 * <p>It records in {@code onGradientCalculation}, i.e. after the forward and backward pass of a step and before the
 * update. Put it after the divergence guard in the listener list, so that a stopped step is not counted. The same
 * instance may be attached to several networks trained on several threads (the worker replicas of a
 * {@code ParallelWrapper}, which share the root network's listener instances): every method is synchronized, and
 * each call reads the loss of the network it is called for. With one network the sums are taken in batch order;
 * with several, in the order the workers finish their steps.
 *
 * <p>Workers of a cluster record into their own instances (it is serializable; the progress is not sent) and the
 * driver {@link #add adds} their sums to its own.
 */
public final class EpochStatsListener extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    private transient Progress progress;
    private long batches;
    private long samples;
    private long correct;
    private double totalSum;
    private final Map<Term, Double> termSums = new EnumMap<>(Term.class);
    private TemperatureStats temperatures = TemperatureStats.EMPTY;
    private double warmupMin = Double.NaN;
    private double warmupMax = Double.NaN;

    /**
     * Forgets the sums and starts a new epoch.
     *
     * @param progress stepped once per recorded batch
     */
    synchronized void start(Progress progress) {
        this.progress = progress;
        batches = 0;
        samples = 0;
        correct = 0;
        totalSum = 0;
        termSums.clear();
        temperatures = TemperatureStats.EMPTY;
        warmupMin = Double.NaN;
        warmupMax = Double.NaN;
    }

    @Override
    public void onGradientCalculation(Model model) {
        DistillationLossFunction loss = DistillationListener.lossFunctions(model).get(0);
        LossResult result = loss.lastBatchResult().orElseThrow(
                () -> new IllegalStateException("the distillation loss of " + model + " has evaluated no batch"));
        int[] targets = loss.lastBatchTargets().orElseThrow();
        record(result, TopK.correctFromCrossEntropyGradient(result.term(Term.CE).gradient(), targets));
    }

    /**
     * Adds one batch.
     *
     * @param result the loss's result for the batch
     * @param hits   rows of the batch whose logit argmax is the label
     */
    synchronized void record(LossResult result, int hits) {
        int n = result.perSampleTotal().length;
        batches++;
        samples += n;
        correct += hits;
        totalSum += result.total() * n;
        for (Map.Entry<Term, TermResult> t : result.terms().entrySet()) {
            termSums.merge(t.getKey(), t.getValue().value() * n, Double::sum);
        }
        temperatures = temperatures.merge(result.temperatureStats());
        warmupMin = Double.isNaN(warmupMin) ? result.warmupFactor() : Math.min(warmupMin, result.warmupFactor());
        warmupMax = Double.isNaN(warmupMax) ? result.warmupFactor() : Math.max(warmupMax, result.warmupFactor());
        if (progress != null) {
            progress.step(1, n);
        }
    }

    /**
     * Adds the batches another instance recorded (e.g. on the workers of a cluster), as if they had been recorded
     * here one by one (the progress steps once for all of them).
     *
     * @param other the other instance's sums; not changed
     */
    public void add(EpochStatsListener other) {
        EpochStatsListener o = other.copy();
        synchronized (this) {
            batches += o.batches;
            samples += o.samples;
            correct += o.correct;
            totalSum += o.totalSum;
            o.termSums.forEach((k, v) -> termSums.merge(k, v, Double::sum));
            temperatures = temperatures.merge(o.temperatures);
            warmupMin = Double.isNaN(warmupMin) ? o.warmupMin
                    : Double.isNaN(o.warmupMin) ? warmupMin : Math.min(warmupMin, o.warmupMin);
            warmupMax = Double.isNaN(warmupMax) ? o.warmupMax
                    : Double.isNaN(o.warmupMax) ? warmupMax : Math.max(warmupMax, o.warmupMax);
            if (progress != null && o.batches > 0) {
                progress.step(o.batches, o.samples);
            }
        }
    }

    /** @return a snapshot of the sums (without the progress), taken under this instance's lock */
    private synchronized EpochStatsListener copy() {
        EpochStatsListener c = new EpochStatsListener();
        c.batches = batches;
        c.samples = samples;
        c.correct = correct;
        c.totalSum = totalSum;
        c.termSums.putAll(termSums);
        c.temperatures = temperatures;
        c.warmupMin = warmupMin;
        c.warmupMax = warmupMax;
        return c;
    }

    /** @return batches recorded since {@link #start} */
    synchronized long batches() {
        return batches;
    }

    /** @return training samples recorded since {@link #start} */
    synchronized long samples() {
        return samples;
    }

    /** @return train top-1 accuracy since {@link #start}, in [0, 1] */
    synchronized double trainTop1() {
        return (double) correct / samples;
    }

    /** @return the sample-weighted mean total loss since {@link #start} */
    synchronized double lossTotal() {
        return totalSum / samples;
    }

    /** @return the sample-weighted mean of each unweighted loss term since {@link #start} */
    synchronized Map<Term, Double> termMeans() {
        Map<Term, Double> means = new EnumMap<>(Term.class);
        termSums.forEach((k, v) -> means.put(k, v / samples));
        return means;
    }

    /** @return the temperatures of every recorded batch, merged */
    synchronized TemperatureStats temperatures() {
        return temperatures;
    }

    /**
     * Checks that every recorded batch used the expected warmup factor: with several workers, this is the check that
     * the epoch counter reached every replica.
     *
     * @param expected the factor of the root network's loss for this epoch
     * @throws IllegalStateException naming the factors found if a batch used another one
     */
    synchronized void requireWarmupFactor(double expected) {
        if (batches > 0 && (warmupMin != expected || warmupMax != expected)) {
            throw new IllegalStateException("the epoch's batches trained with warmup factors in [" + warmupMin + ", "
                    + warmupMax + "], expected " + expected + " for every batch");
        }
    }
}
