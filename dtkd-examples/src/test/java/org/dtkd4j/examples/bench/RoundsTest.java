package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The schedule of the rounds on fake rows that report made-up times: order, iterations per round, memory blocks. */
class RoundsTest {

    /** A row that logs its runs and reports {@code ms} per iteration (the round's index is added on the DL4J side). */
    private static final class FakeRow extends Rounds.Row {
        private final List<String> log;
        private final double ms;
        private final AtomicLong ticks;
        private int runs;

        FakeRow(String id, Measurement.Side side, double ms, List<String> log, AtomicLong ticks) {
            super(id, id, side, 8);
            this.ms = ms;
            this.log = log;
            this.ticks = ticks;
        }

        @Override
        double[] run(int iterations) {
            log.add(id + "x" + iterations);
            ticks.addAndGet(3);
            double[] out = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                out[i] = ms + runs;
            }
            runs++;
            return out;
        }

        @Override
        long[] memory() {
            return new long[]{10, 20, 30 + runs, 40 + runs};
        }
    }

    @Test
    void roundsAlternateTheOrderAndFastRowsRunSeveralIterations() {
        List<String> log = new ArrayList<>();
        AtomicLong jvm = new AtomicLong();
        AtomicLong torch = new AtomicLong();
        BenchOptions options = new BenchOptions(1, 4, 1, 100, 2, 8, 10, BenchOptions.DEFAULT_LOSS_SIZES, List.of(), null, 1, java.util.Set.of());
        Map<Measurement.Side, LongSupplier> ticks = Map.of(Measurement.Side.DL4J, jvm::get,
                Measurement.Side.PYTORCH, torch::get);
        Rounds rounds = new Rounds(options, ticks, () -> 0L);
        List<Measurement> m = rounds.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 200, log, jvm),
                new FakeRow("b", Measurement.Side.DL4J, 250, log, jvm),
                new FakeRow("t", Measurement.Side.PYTORCH, 20, log, torch)));

        // warmup: one pass, one iteration each; then t (20 ms < 100 ms) runs 5 iterations per round
        assertThat(log).containsExactly("ax1", "bx1", "tx1",
                "ax1", "bx1", "tx5", "tx5", "bx1", "ax1", "ax1", "bx1", "tx5", "tx5", "bx1", "ax1");
        assertThat(m).extracting(Measurement::iterationsPerRound).containsExactly(1, 1, 5);
        // a's runs: warmup 0, rounds 1..4 -> 201, 202, 203, 204
        assertThat(m.get(0).roundMs()).containsExactly(201, 202, 203, 204);
        assertThat(m.get(0).medianMs()).isCloseTo(202.5, within(1e-12));
        assertThat(m.get(2).side()).isEqualTo(Measurement.Side.PYTORCH);
        assertThat(m.get(2).peakRssBytes()).isEqualTo(35);
        assertThat(m.get(2).epochRssBytes()).as("PyTorch's resident set after rounds 2 and 4").containsExactly(43, 45);
        assertThat(m.get(0).peakHeapBytes()).isEqualTo(10);
        assertThat(m.get(0).epochRssBytes()).hasSize(2);
        // every run of one side made the other side's counter move by 0 (the fakes count their own side only)
        assertThat(rounds.idleShare(Measurement.Side.DL4J)).isEqualTo(0);
        assertThat(rounds.idleShare(Measurement.Side.PYTORCH)).isEqualTo(0);
    }

    /**
     * A row whose first call is slow (as before the JIT compiles it) runs, in the second warmup pass, the iterations
     * the first pass estimated, and is timed over the iterations the last pass estimates (the median of both passes
     * would give 4 instead of 50).
     */
    @Test
    void eachWarmupPassRunsTheIterationsThePassBeforeEstimated() {
        List<String> log = new ArrayList<>();
        Rounds rounds = dl4jOnly(2, 2, 1, 100);
        Rounds.Row warmingUp = new Rounds.Row("w", "w", Measurement.Side.DL4J, 8) {
            private int runs;

            @Override
            double[] run(int iterations) {
                log.add("wx" + iterations);
                double[] out = new double[iterations];
                java.util.Arrays.fill(out, runs++ == 0 ? 50 : 2);
                return out;
            }

            @Override
            long[] memory() {
                return new long[]{1, 2, 3, 4};
            }
        };
        List<Measurement> m = rounds.measure(List.of(warmingUp));
        assertThat(log).containsExactly("wx1", "wx2", "wx50", "wx50");
        assertThat(m.get(0).iterationsPerRound()).isEqualTo(50);
    }

    /** With no time asked per round, every warmup pass runs one iteration and the rounds the fewest asked. */
    @Test
    void withoutATimePerRoundEachWarmupPassRunsOneIteration() {
        List<String> log = new ArrayList<>();
        Rounds rounds = dl4jOnly(2, 1, 3, 0);
        rounds.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, log, new AtomicLong())));
        assertThat(log).containsExactly("ax1", "ax1", "ax3");
    }

    @Test
    void orderIsReversedInOddRounds() {
        assertThat(Rounds.order(3, 0)).containsExactly(0, 1, 2);
        assertThat(Rounds.order(3, 1)).containsExactly(2, 1, 0);
        assertThat(Rounds.order(3, 2)).containsExactly(0, 1, 2);
    }

    @Test
    void withoutAPyTorchSideTheIdleCheckIsUnknown() {
        Rounds rounds = dl4jOnly(0, 1, 2, 100);
        List<String> log = new ArrayList<>();
        List<Measurement> m = rounds.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, log, new AtomicLong())));
        assertThat(log).containsExactly("ax2");
        assertThat(m.get(0).roundMs()).containsExactly(5);
        assertThat(rounds.idleShare(Measurement.Side.DL4J)).isEqualTo(-1);
        assertThat(rounds.idleShare(Measurement.Side.PYTORCH)).isEqualTo(-1);
    }

    /**
     * Warmup passes go on past {@code warmup} while the JIT compiles for 2% or more of a pass, up to 20 more; they stop
     * at {@code warmup} where the JVM does not report its compilation time, and there are none at {@code warmup 0}.
     */
    @Test
    void warmupGoesOnWhileTheJitCompiles() {
        BenchOptions options = new BenchOptions(2, 1, 1, 100, 1, 8, 10, BenchOptions.DEFAULT_LOSS_SIZES, List.of(),
                null, 1, java.util.Set.of());
        Map<Measurement.Side, LongSupplier> ticks = Map.of(Measurement.Side.DL4J, () -> 0L);
        AtomicLong compiled = new AtomicLong();
        int[] busyPasses = {5};
        // each pass reads the compilation time twice: 1,000 ms more at the end of each of the first five passes
        AtomicLong reads = new AtomicLong();
        LongSupplier jit = () -> reads.incrementAndGet() % 2 == 0 && reads.get() / 2 <= busyPasses[0]
                ? compiled.addAndGet(1000) : compiled.get();
        List<String> log = new ArrayList<>();
        Rounds rounds = new Rounds(options, ticks, jit);
        rounds.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, log, new AtomicLong())));
        assertThat(rounds.lastWarmupPasses()).as("five busy passes, then a quiet one").isEqualTo(6);
        assertThat(log).hasSize(7);

        busyPasses[0] = Integer.MAX_VALUE;
        reads.set(0);
        rounds.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, new ArrayList<>(), new AtomicLong())));
        assertThat(rounds.lastWarmupPasses()).as("always compiling: capped").isEqualTo(2 + Rounds.MAX_EXTRA_WARMUP_PASSES);

        Rounds unknown = new Rounds(options, ticks, () -> -1L);
        unknown.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, new ArrayList<>(), new AtomicLong())));
        assertThat(unknown.lastWarmupPasses()).as("no compilation time reported").isEqualTo(2);

        Rounds none = dl4jOnly(0, 1, 1, 100);
        none.measure(List.of(new FakeRow("a", Measurement.Side.DL4J, 5, new ArrayList<>(), new AtomicLong())));
        assertThat(none.lastWarmupPasses()).isZero();
    }

    /** @return rounds of one memory block with only a DL4J side (no PyTorch process), under these settings */
    private static Rounds dl4jOnly(int warmup, int rounds, int iterations, double minRoundMs) {
        BenchOptions options = new BenchOptions(warmup, rounds, iterations, minRoundMs, 1, 8, 10,
                BenchOptions.DEFAULT_LOSS_SIZES, List.of(), null, 1, java.util.Set.of());
        return new Rounds(options, Map.of(Measurement.Side.DL4J, () -> 0L), () -> 0L);
    }
}
