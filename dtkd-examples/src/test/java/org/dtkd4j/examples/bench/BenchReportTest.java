package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The arithmetic of the report on made-up measurements: ratios, PyTorch matching, memory growth, number format. */
class BenchReportTest {

    private static final long MB = 1L << 20;

    private static Measurement row(String id, double ms, long... rssMb) {
        long[] rss = new long[rssMb.length];
        for (int i = 0; i < rss.length; i++) {
            rss[i] = rssMb[i] * MB;
        }
        long[] flat = new long[rss.length];
        return new Measurement(id, id, 64, ms, 1, 1, 1, flat, flat, rss);
    }

    @Test
    void ratiosAreTheTargets() {
        BenchOptions.ModelPair pair = new BenchOptions.ModelPair("resnet32x4", "resnet8x4");
        List<Measurement> rows = List.of(row("loss/DTKD/64x100/dl4j", 4, 1), row("loss/DTKD/64x100/closed", 1, 1),
                row("step/resnet32x4->resnet8x4/KD", 400, 1), row("step/resnet32x4->resnet8x4/DTKD", 420, 1),
                row("step/resnet32x4->resnet8x4/NONE", 300, 1), row("infer/resnet32x4", 220, 1));
        Map<String, TorchBench.TorchRow> torch = Map.of(
                "step/resnet32x4->resnet8x4/DTKD", new TorchBench.TorchRow("step/resnet32x4->resnet8x4/DTKD", 200, 320,
                        1, new long[]{1}),
                "loss/DTKD/64x100", new TorchBench.TorchRow("loss/DTKD/64x100", 2, 32000, 1, new long[]{1}));
        BenchReport report = new BenchReport(Map.of(), rows, torch, "test", List.of(pair),
                new BenchOptions.LossSize(64, 100));

        List<BenchReport.Ratio> ratios = report.ratios();
        assertThat(ratios).extracting(BenchReport.Ratio::name).containsExactly(
                "DTKD step / KD step, resnet32x4->resnet8x4",
                "DTKD loss (DL4J loss 64x100) / student step (DTKD step - teacher inference), resnet32x4->resnet8x4",
                "DL4J / PyTorch, DTKD step resnet32x4->resnet8x4");
        assertThat(ratios.get(0).value()).isCloseTo(1.05, within(1e-12));
        assertThat(ratios.get(0).met()).isFalse();
        assertThat(ratios.get(1).value()).isCloseTo(4.0 / 200, within(1e-12));
        assertThat(ratios.get(1).met()).isTrue();
        assertThat(ratios.get(2).value()).isCloseTo(2.1, within(1e-12));
        // both loss implementations of a method and size share the one PyTorch loss row; NONE has no PyTorch row here
        assertThat(report.torchRow(rows.get(0))).isPresent();
        assertThat(report.torchRow(rows.get(1)).map(TorchBench.TorchRow::medianMs)).contains(2.0);
        assertThat(report.torchRow(rows.get(4))).isEmpty();
        assertThat(report.cells().get(0).get(4)).isEqualTo("2");
        assertThat(report.cells().get(4).get(3)).isEqualTo("-");
    }

    @Test
    void memoryGrowsOnlyWhenItRisesEveryEpochBeyondTheTolerance() {
        assertThat(row("a", 1, 500, 540, 580).memoryGrows()).isTrue();
        assertThat(row("a", 1, 500, 520, 540).memoryGrows()).as("40 MB < 32 MB + 5% of 500 MB").isFalse();
        assertThat(row("a", 1, 500, 600, 590).memoryGrows()).as("not every epoch").isFalse();
        assertThat(row("a", 1, 500).memoryGrows()).as("one epoch").isFalse();
        assertThat(row("a", 1, 500, 540, 580).epochRssBytes()).hasSize(3);
    }

    @Test
    void withoutPythonThePyTorchColumnSaysWhy() {
        java.nio.file.Path missing = java.nio.file.Path.of("/nonexistent/python3");
        assertThat(TorchBench.open(missing)).isEmpty();
        assertThat(TorchBench.open(null)).isEmpty();
        assertThat(TorchBench.unavailableReason(missing))
                .isEqualTo("PyTorch absent: /nonexistent/python3 not found (apt-get install -y python3-torch)");
        assertThat(TorchBench.unavailableReason(null)).isEqualTo("PyTorch not run (--no-torch)");
    }

    @Test
    void numbersKeepThreeSignificantDigits() {
        assertThat(BenchReport.significant(0.0012345)).isEqualTo("0.00123");
        assertThat(BenchReport.significant(4.5678)).isEqualTo("4.57");
        assertThat(BenchReport.significant(10.0)).isEqualTo("10");
        assertThat(BenchReport.significant(1234.5)).isEqualTo("1235");
        assertThat(Sampler.median(new double[]{5, 1, 3})).isEqualTo(3);
        assertThat(Sampler.median(new double[]{4, 1, 3, 2})).isEqualTo(2.5);
    }
}
