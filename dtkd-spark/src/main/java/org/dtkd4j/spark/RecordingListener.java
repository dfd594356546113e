package org.dtkd4j.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Stands in, on the executors, for the engine's statistics listener: records every step into a
 * {@link StatsAccumulator}, which Spark brings back to the driver.
 */
final class RecordingListener extends BaseTrainingListener implements Serializable {

    private static final long serialVersionUID = 1L;

    private final StatsAccumulator accumulator;

    RecordingListener(StatsAccumulator accumulator) {
        this.accumulator = accumulator;
    }

    @Override
    public void onGradientCalculation(Model model) {
        accumulator.record(model);
    }
}
