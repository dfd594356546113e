package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The report on made-up rounds: PyTorch matching, paired ratios and verdicts, memory growth, number format. */
class BenchReportTest {

    private static final long MB = 1L << 20;

    private static Measurement row(String id, Measurement.Side side, double[] roundMs, long... rssMb) {
        long[] rss = new long[rssMb.length];
        for (int i = 0; i < rss.length; i++) {
            rss[i] = rssMb[i] * MB;
        }
        return new Measurement(side.id(id), id, side, 64, 1, roundMs, 1, 1, 1, rss);
    }

    private static double[] scaled(double[] v, double f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * f;
        }
        return out;
    }

    @Test
    void rowsAreMatchedAndTargetsJudgedRoundByRound() {
        // a machine whose speed wanders by +-30% between rounds; DTKD is exactly 1.02 x KD and 1.2 x PyTorch per round
        double[] kd = {400, 520, 300, 410, 380, 500, 290, 450};
        double[] torchKd = scaled(kd, 1 / 1.2);
        List<Measurement> rows = List.of(
                row("loss/DTKD/64x100/closed", Measurement.Side.DL4J, new double[]{1, 1, 1, 1, 1, 1}, 1),
                row("loss/DTKD/64x100/dl4j", Measurement.Side.DL4J, new double[]{4, 4, 4, 4, 4, 4}, 1),
                row("loss/DTKD/64x100", Measurement.Side.PYTORCH, new double[]{2, 2, 2, 2, 2, 2}, 1),
                row("step/resnet32x4->resnet8x4/KD", Measurement.Side.DL4J, kd, 1),
                row("step/resnet32x4->resnet8x4/KD", Measurement.Side.PYTORCH, torchKd, 1),
                row("step/resnet32x4->resnet8x4/DTKD", Measurement.Side.DL4J, scaled(kd, 1.02), 1));
        BenchReport report = new BenchReport(Map.of("k", "v"), rows, "test", List.of("a note"));

        assertThat(report.dl4jRows()).hasSize(4);
        assertThat(report.torchRow(rows.get(0)).orElseThrow().id()).isEqualTo("torch:loss/DTKD/64x100");
        assertThat(report.torchRow(rows.get(5))).isEmpty();
        List<Targets.Comparison> c = report.comparisons();
        assertThat(c).extracting(x -> x.target().name()).containsExactly(
                "DL4J / PyTorch, loss/DTKD/64x100/closed", "DL4J / PyTorch, loss/DTKD/64x100/dl4j",
                "DL4J / PyTorch, step/resnet32x4->resnet8x4/KD", "DTKD step / KD step, resnet32x4->resnet8x4");
        assertThat(c.get(0).verdict()).isEqualTo(Targets.Verdict.MET);
        assertThat(c.get(1).ratio()).isEqualTo(2);
        assertThat(c.get(1).verdict()).isEqualTo(Targets.Verdict.MISSED);
        assertThat(c.get(2).ratio()).isCloseTo(1.2, within(1e-12));
        assertThat(c.get(2).verdict()).isEqualTo(Targets.Verdict.MISSED);
        assertThat(c.get(3).ratio()).isCloseTo(1.02, within(1e-12));
        assertThat(c.get(3).verdict()).as("paired: the wandering machine does not blur 1.02").isEqualTo(Targets.Verdict.MET);

        List<String> cells = report.cells().get(2);
        assertThat(cells).hasSize(BenchReport.COLUMNS.size());
        assertThat(cells.subList(0, 4)).containsExactly("step/resnet32x4->resnet8x4/KD", "405", "360", "463");
        assertThat(cells.get(7)).isEqualTo("1.2");
        assertThat(report.cells().get(1).get(4)).as("the DL4J loss row shares the PyTorch loss row").isEqualTo("2");

        StringWriter text = new StringWriter();
        report.print(new PrintWriter(text));
        assertThat(text.toString()).contains("k: v", "PyTorch column: test", "a note")
                .containsPattern("DTKD step / KD step, resnet32x4->resnet8x4 +1\\.020 \\[1\\.020, 1\\.020\\] +<= 1\\.03 +met");
    }

    @Test
    void rowIdsAreUnique() {
        Measurement a = row("x", Measurement.Side.DL4J, new double[]{1}, 1);
        assertThatThrownBy(() -> new BenchReport(Map.of(), List.of(a, a), "t", List.of()))
                .hasMessage("two rows with id x");
    }

    @Test
    void memoryGrowsOnlyWhenItRisesEveryBlockBeyondTheTolerance() {
        double[] one = {1};
        assertThat(row("a", Measurement.Side.DL4J, one, 500, 540, 580).memoryGrows()).isTrue();
        assertThat(row("a", Measurement.Side.DL4J, one, 500, 520, 540).memoryGrows()).as("40 MB < 32 MB + 5% of 500 MB")
                .isFalse();
        assertThat(row("a", Measurement.Side.DL4J, one, 500, 600, 590).memoryGrows()).as("not every block").isFalse();
        assertThat(row("a", Measurement.Side.DL4J, one, 500).memoryGrows()).as("one block").isFalse();
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
    }
}
