package org.dtkd4j.examples.study;

import org.dtkd4j.core.config.Method;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The study's statistics against published t quantiles and hand-computed intervals, and the table built from them. */
class SeedStatisticsTest {

    @Test
    void tQuantilesMatchTheTables() {
        // t(0.975, ν), e.g. R's qt(0.975, ν), to 9 decimals
        assertThat(SeedStatistics.tQuantile975(1)).isCloseTo(12.706204736, within(1e-8));
        assertThat(SeedStatistics.tQuantile975(2)).isCloseTo(4.302652730, within(1e-9));
        assertThat(SeedStatistics.tQuantile975(3)).isCloseTo(3.182446305, within(1e-9));
        assertThat(SeedStatistics.tQuantile975(4)).isCloseTo(2.776445105, within(1e-9));
        assertThat(SeedStatistics.tQuantile975(9)).isCloseTo(2.262157163, within(1e-9));
        assertThat(SeedStatistics.tQuantile975(30)).isCloseTo(2.042272456, within(1e-9));
        assertThat(SeedStatistics.tQuantile975(1000)).isCloseTo(1.962339081, within(1e-9));
        assertThatThrownBy(() -> SeedStatistics.tQuantile975(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("degrees of freedom must be >= 1, found 0");
    }

    @Test
    void pairedDifferenceIsTheIntervalOfThePerSeedDifferences() {
        // differences 0.02, 0.01, 0.03: mean 0.02, sd 0.01, half-width 4.302652730 * 0.01 / sqrt(3)
        SeedStatistics.Interval d = SeedStatistics.pairedDifference(new double[]{0.82, 0.80, 0.85},
                new double[]{0.80, 0.79, 0.82});
        double half = 4.302652730 * 0.01 / Math.sqrt(3);
        assertThat(d.mean()).isCloseTo(0.02, within(1e-12));
        assertThat(d.low()).isCloseTo(0.02 - half, within(1e-10));
        assertThat(d.high()).isCloseTo(0.02 + half, within(1e-10));
        assertThat(d.n()).isEqualTo(3);
        SeedStatistics.Interval one = SeedStatistics.pairedDifference(new double[]{0.5}, new double[]{0.25});
        assertThat(one.mean()).isEqualTo(0.25);
        assertThat(one.hasInterval()).isFalse();
        assertThat(one.low()).isNaN();
        assertThat(SeedStatistics.sampleStd(new double[]{1, 2, 3, 4})).isCloseTo(Math.sqrt(5.0 / 3), within(1e-15));
        assertThat(SeedStatistics.sampleStd(new double[]{1})).isNaN();
        assertThatThrownBy(() -> SeedStatistics.pairedDifference(new double[]{1}, new double[]{1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("paired values need one value per seed on each side, found 1 and 2");
    }

    private static RunResult run(Method m, long seed, double tStu, double... top1) {
        return new RunResult(m, seed, top1, tStu, Double.isNaN(tStu) ? Double.NaN : 8 - tStu);
    }

    @Test
    void theTableHasOneRowPerMethodWithItsStatistics() {
        List<RunResult> results = List.of(run(Method.KD, 0, 4, 0.70, 0.80), run(Method.KD, 1, 4, 0.79, 0.78),
                run(Method.DTKD, 0, 3.5, 0.75, 0.82), run(Method.DTKD, 1, 3.7, 0.81, 0.80),
                run(Method.NONE, 0, Double.NaN, 0.60, 0.76), run(Method.NONE, 1, Double.NaN, 0.77, 0.74));
        StudyTable table = StudyTable.of(List.of(Method.NONE, Method.KD, Method.DTKD), List.of(0L, 1L),
                Optional.of(Method.KD), results);

        StudyTable.Row dtkd = table.rows().get(2);
        assertThat(dtkd.method()).isEqualTo(Method.DTKD);
        assertThat(dtkd.bestMean()).isCloseTo(0.815, within(1e-12));
        assertThat(dtkd.lastMean()).isCloseTo(0.81, within(1e-12));
        assertThat(dtkd.deltaBest().orElseThrow().mean()).isCloseTo(0.02, within(1e-12));   // 0.02, 0.02
        assertThat(dtkd.deltaBest().orElseThrow().low()).isCloseTo(0.02, within(1e-12));    // sd 0
        assertThat(dtkd.tStuMean()).isCloseTo(3.6, within(1e-12));
        assertThat(table.rows().get(1).deltaBest()).isEmpty();
        assertThat(table.rows().get(0).tStuMean()).isNaN();
        String text = table.render();
        assertThat(text.lines().toList().get(0)).containsPattern("method +seeds +best top-1 % +last top-1 % +Δ best vs KD");
        assertThat(text).containsPattern("\nNONE +2 +76.50 ± 0.71 +75.00 ± 1.41 +-3.00 \\[-15.71, \\+9.71] +-4.00 "
                        + "\\[-4.00, -4.00] +- +-\n")
                .containsPattern("\nKD +2 +79.50 ± 0.71 +79.00 ± 1.41 +\\(baseline\\) +\\(baseline\\) +4.000 +4.000\n")
                .contains("t = 12.706");
        assertThat(table.runsCsv()).contains("DTKD,1,0.81,1,0.8,3.7,4.3\n").contains("NONE,0,0.76,2,0.76,,\n");
        assertThat(table.methodsCsv().lines().toList().get(1)).startsWith("NONE,2,76.5,");

        assertThatThrownBy(() -> StudyTable.of(List.of(Method.KD), List.of(0L, 1L), Optional.empty(),
                results.subList(0, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected one result per method and seed, 1 x 2, found 1");
        assertThatThrownBy(() -> StudyTable.of(List.of(Method.NONE), List.of(0L), Optional.of(Method.KD),
                results.subList(4, 5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseline KD is not among the methods [NONE]");
    }
}
