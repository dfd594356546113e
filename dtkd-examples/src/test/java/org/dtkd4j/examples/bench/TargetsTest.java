package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Verdicts from the interval of a paired ratio, and which targets exist for which rows, on made-up rounds. */
class TargetsTest {

    static Measurement row(String id, Measurement.Side side, double... roundMs) {
        return new Measurement(side.id(id), id, side, 64, 1, roundMs, 1, 1, 1, new long[]{1});
    }

    private static Optional<Stats.Interval> interval(double low, double high) {
        return Optional.of(new Stats.Interval(low, high, 0.96));
    }

    @Test
    void verdictIsMetMissedOrNotDistinguishableFromTheInterval() {
        assertThat(Targets.Verdict.of(interval(0.90, 1.03), 1.03)).isEqualTo(Targets.Verdict.MET);
        assertThat(Targets.Verdict.of(interval(1.031, 1.2), 1.03)).isEqualTo(Targets.Verdict.MISSED);
        assertThat(Targets.Verdict.of(interval(1.00, 1.06), 1.03)).isEqualTo(Targets.Verdict.NOT_DISTINGUISHABLE);
        assertThat(Targets.Verdict.of(interval(1.03, 1.06), 1.03)).as("the bound itself meets")
                .isEqualTo(Targets.Verdict.NOT_DISTINGUISHABLE);
        assertThat(Targets.Verdict.of(Optional.empty(), 1.03)).isEqualTo(Targets.Verdict.NOT_DISTINGUISHABLE);
        assertThat(Targets.Verdict.MISSED).hasToString("MISSED");
        assertThat(Targets.Verdict.NOT_DISTINGUISHABLE).hasToString("not distinguishable");
    }

    @Test
    void aComparisonPairsTheRounds() {
        Targets.Target t = new Targets.Target("a / b", "a", "b", 1.03);
        // per-round ratios 1.00, 1.01, ..., 1.07 (shuffled across rounds): median 1.035, interval [x(1), x(8)]
        double[] b = {100, 200, 100, 200, 100, 200, 100, 200};
        double[] q = {1.03, 1.00, 1.07, 1.02, 1.05, 1.01, 1.06, 1.04};
        double[] a = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            a[i] = b[i] * q[i];
        }
        Targets.Comparison c = Targets.Comparison.of(t, row("a", Measurement.Side.DL4J, a),
                row("b", Measurement.Side.DL4J, b));
        assertThat(c.ratio()).isCloseTo(1.035, within(1e-12));
        assertThat(c.interval().orElseThrow().low()).isCloseTo(1.00, within(1e-12));
        assertThat(c.interval().orElseThrow().high()).isCloseTo(1.07, within(1e-12));
        assertThat(c.verdict()).isEqualTo(Targets.Verdict.NOT_DISTINGUISHABLE);
        Targets.Comparison loose = Targets.Comparison.of(new Targets.Target("a / b", "a", "b", 1.10),
                row("a", Measurement.Side.DL4J, a), row("b", Measurement.Side.DL4J, b));
        assertThat(loose.verdict()).isEqualTo(Targets.Verdict.MET);
        Targets.Comparison tight = Targets.Comparison.of(new Targets.Target("a / b", "a", "b", 0.99),
                row("a", Measurement.Side.DL4J, a), row("b", Measurement.Side.DL4J, b));
        assertThat(tight.verdict()).isEqualTo(Targets.Verdict.MISSED);
    }

    @Test
    void leverRowsAreComparedWithTheirBaselineAndGetItsTargets() {
        Map<String, Measurement> rows = new LinkedHashMap<>();
        for (Measurement m : List.of(row("step/resnet56->resnet20/KD", Measurement.Side.DL4J, 1),
                row("step/resnet56->resnet20/DTKD", Measurement.Side.DL4J, 1),
                row("step/resnet56->resnet20/DTKD", Measurement.Side.PYTORCH, 1),
                row("step/resnet56->resnet20/KD+conv-cache", Measurement.Side.DL4J, 1),
                row("step/resnet56->resnet20/DTKD+conv-cache", Measurement.Side.DL4J, 1),
                row("infer/resnet56", Measurement.Side.DL4J, 1),
                row("infer/resnet56+bn-fold", Measurement.Side.DL4J, 1))) {
            rows.put(m.id(), m);
        }
        assertThat(Targets.of(rows)).extracting(Targets.Target::name).containsExactly(
                "DL4J / PyTorch, step/resnet56->resnet20/DTKD",
                "DTKD step / KD step, resnet56->resnet20",
                "with / without conv-cache, step/resnet56->resnet20/KD",
                "with / without conv-cache, step/resnet56->resnet20/DTKD",
                "DL4J / PyTorch, step/resnet56->resnet20/DTKD+conv-cache",
                "DTKD step / KD step, resnet56->resnet20+conv-cache",
                "with / without bn-fold, infer/resnet56");
        assertThat(Targets.of(rows).get(4).denominator()).isEqualTo("torch:step/resnet56->resnet20/DTKD");
        assertThat(Targets.of(rows).get(2).bound()).isEqualTo(1.0);
        assertThat(Lever.parse(List.of("Conv-Cache", "none"))).containsExactly(Lever.CONV_CACHE);
        assertThat(Lever.baseline("infer/resnet56+bn-fold")).isEqualTo("infer/resnet56");
        assertThat(Lever.baseline("step/resnet56->resnet20/KD+conv-cache+fused-bn"))
                .isEqualTo("step/resnet56->resnet20/KD");
    }

    @Test
    void studentLeversGetOneStepVariantEachAndSeveralLeversOneWithAllOfThem() {
        assertThat(Lever.stepVariants(Lever.parse(List.of("bn-fold", "fused-bn", "conv-cache"))))
                .containsExactly(Set.of(Lever.CONV_CACHE), Set.of(Lever.FUSED_BN),
                        Set.of(Lever.CONV_CACHE, Lever.FUSED_BN, Lever.BN_FOLD));
        assertThat(Lever.stepVariants(Lever.parse(List.of("conv-cache", "bn-fold"))))
                .containsExactly(Set.of(Lever.CONV_CACHE), Set.of(Lever.CONV_CACHE, Lever.BN_FOLD));
        assertThat(Lever.stepVariants(Lever.parse(List.of("fused-bn")))).containsExactly(Set.of(Lever.FUSED_BN));
        assertThat(Lever.stepVariants(Lever.parse(List.of("bn-fold")))).isEmpty();
        assertThat(Lever.suffix(Set.of(Lever.FUSED_BN, Lever.CONV_CACHE))).isEqualTo("+conv-cache+fused-bn");
    }

    @Test
    void targetsFollowTheRowsMeasured() {
        Map<String, Measurement> rows = new LinkedHashMap<>();
        for (Measurement m : List.of(row("loss/DTKD/64x100/closed", Measurement.Side.DL4J, 1),
                row("loss/DTKD/64x100/samediff", Measurement.Side.DL4J, 1),
                row("loss/DTKD/64x100", Measurement.Side.PYTORCH, 1),
                row("step/resnet56->resnet20/NONE", Measurement.Side.DL4J, 1),
                row("step/resnet56->resnet20/NONE", Measurement.Side.PYTORCH, 1),
                row("step/resnet56->resnet20/KD", Measurement.Side.DL4J, 1),
                row("step/resnet56->resnet20/KD", Measurement.Side.PYTORCH, 1),
                row("step/resnet56->resnet20/DTKD", Measurement.Side.DL4J, 1),
                row("step/resnet32x4->resnet8x4/DKD", Measurement.Side.DL4J, 1),
                row("step/resnet32x4->resnet8x4/DKD", Measurement.Side.PYTORCH, 1),
                row("step/resnet8->resnet8/DTKD", Measurement.Side.DL4J, 1),
                row("step/resnet8->resnet8/KD", Measurement.Side.DL4J, 1))) {
            rows.put(m.id(), m);
        }
        assertThat(Targets.of(rows)).containsExactly(
                new Targets.Target("DL4J / PyTorch, loss/DTKD/64x100/closed", "loss/DTKD/64x100/closed",
                        "torch:loss/DTKD/64x100", 1.5),
                new Targets.Target("DL4J / PyTorch, step/resnet56->resnet20/NONE", "step/resnet56->resnet20/NONE",
                        "torch:step/resnet56->resnet20/NONE", 1.5),
                // DTKD of resnet56->resnet20: no PyTorch row measured, so only the DTKD / KD target
                new Targets.Target("DTKD step / KD step, resnet56->resnet20", "step/resnet56->resnet20/DTKD",
                        "step/resnet56->resnet20/KD", 1.03),
                new Targets.Target("DL4J / PyTorch, step/resnet32x4->resnet8x4/DKD",
                        "step/resnet32x4->resnet8x4/DKD", "torch:step/resnet32x4->resnet8x4/DKD", 1.1),
                new Targets.Target("DTKD step / KD step, resnet8->resnet8", "step/resnet8->resnet8/DTKD",
                        "step/resnet8->resnet8/KD", 1.03));
    }
}
