package org.dtkd4j.spark;

import org.apache.spark.util.AccumulatorV2;
import org.deeplearning4j.nn.api.Model;
import org.dtkd4j.core.engine.EpochStatsListener;

/**
 * Brings the executors' per-batch statistics (loss terms, temperatures, warmup factors, train top-1) back to the
 * driver: each task records its steps into its own copy ({@link #record}), and Spark merges the copies of finished
 * tasks into the driver's.
 */
final class StatsAccumulator extends AccumulatorV2<EpochStatsListener, EpochStatsListener> {

    private static final long serialVersionUID = 1L;

    private EpochStatsListener sums = new EpochStatsListener();
    private boolean zero = true;

    /**
     * Records one training step of a network whose output carries the distillation loss.
     *
     * @param model the network, after its forward and backward pass
     */
    synchronized void record(Model model) {
        sums.onGradientCalculation(model);
        zero = false;
    }

    @Override
    public synchronized boolean isZero() {
        return zero;
    }

    @Override
    public synchronized AccumulatorV2<EpochStatsListener, EpochStatsListener> copy() {
        StatsAccumulator c = new StatsAccumulator();
        c.add(sums);
        c.zero = zero;
        return c;
    }

    @Override
    public synchronized void reset() {
        sums = new EpochStatsListener();
        zero = true;
    }

    @Override
    public synchronized void add(EpochStatsListener v) {
        sums.add(v);
        zero = false;
    }

    @Override
    public void merge(AccumulatorV2<EpochStatsListener, EpochStatsListener> other) {
        add(other.value());
    }

    @Override
    public synchronized EpochStatsListener value() {
        return sums;
    }
}
