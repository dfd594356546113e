package org.dtkd4j.core.engine;

import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The per-epoch sums of {@link EpochStatsListener}. */
class EpochStatsListenerTest {

    private static LossResult batch(int rows, int epoch) {
        double[][] s = new double[rows][];
        double[][] t = new double[rows][];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            s[i] = new double[]{1 + i, 0.5, -1};
            t[i] = new double[]{2, 1 + 0.25 * i, 0};
            y[i] = i % 3;
        }
        return DistillationLosses.evaluate(DtkdConfig.defaults(), s, t, y, epoch);
    }

    @Test
    void sumsAreWeightedByRowsAndEveryBatchMustHaveTheEpochsWarmupFactor() {
        EpochStatsListener stats = new EpochStatsListener();
        stats.start(null);
        LossResult a = batch(2, 1);
        LossResult b = batch(6, 1);
        stats.record(a, 1);
        stats.record(b, 3);

        assertThat(stats.batches()).isEqualTo(2);
        assertThat(stats.samples()).isEqualTo(8);
        assertThat(stats.trainTop1()).isEqualTo(0.5);
        assertThat(stats.lossTotal()).isCloseTo((2 * a.total() + 6 * b.total()) / 8, within(1e-15));
        assertThat(stats.termMeans().get(Term.DTKD)).isCloseTo(
                (2 * a.term(Term.DTKD).value() + 6 * b.term(Term.DTKD).value()) / 8, within(1e-15));
        assertThat(stats.temperatures().rows()).isEqualTo(8);
        stats.requireWarmupFactor(1 / 20.0);

        stats.record(batch(2, 2), 0); // a replica still at the previous epoch would look like this
        assertThatThrownBy(() -> stats.requireWarmupFactor(1 / 20.0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("warmup factors in [0.05, 0.1]").hasMessageContaining("expected 0.05");

        stats.start(null);
        assertThat(stats.batches()).isZero();
        assertThat(stats.temperatures().isEmpty()).isTrue();
    }

    @Test
    void addingAnotherInstancesSumsEqualsRecordingItsBatchesHere() {
        LossResult a = batch(2, 1);
        LossResult b = batch(6, 1);
        LossResult c = batch(3, 2);
        EpochStatsListener all = new EpochStatsListener();
        all.start(null);
        all.record(a, 1);
        all.record(b, 3);
        all.record(c, 2);
        EpochStatsListener driver = new EpochStatsListener();
        driver.start(null);
        driver.record(a, 1);
        EpochStatsListener worker = new EpochStatsListener();
        worker.record(b, 3);
        worker.record(c, 2);
        driver.add(worker);
        driver.add(new EpochStatsListener());

        assertThat(driver.batches()).isEqualTo(3);
        assertThat(driver.samples()).isEqualTo(11);
        assertThat(driver.trainTop1()).isEqualTo(all.trainTop1());
        assertThat(driver.lossTotal()).isCloseTo(all.lossTotal(), within(1e-15));
        assertThat(driver.termMeans().get(Term.DTKD)).isCloseTo(all.termMeans().get(Term.DTKD), within(1e-15));
        assertThat(driver.temperatures().rows()).isEqualTo(11);
        assertThat(driver.temperatures().studentMax()).isEqualTo(all.temperatures().studentMax());
        assertThatThrownBy(() -> driver.requireWarmupFactor(1 / 20.0)).hasMessageContaining("[0.05, 0.1]");
        assertThat(worker.batches()).as("the added instance is unchanged").isEqualTo(2);
    }
}
