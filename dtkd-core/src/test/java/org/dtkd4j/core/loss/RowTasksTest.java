package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.ConfigKey;
import org.dtkd4j.core.config.ConfigValues;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The closed form gives bit-identical results however its rows are split across threads: every method and hazard
 * policy, on a 256x1000 batch that mixes ordinary rows with rows whose probabilities underflow and rows whose logits
 * are all equal.
 */
class RowTasksTest {

    private static final int N = 256;
    private static final int C = 1000;
    /** Within the warmup of the methods that have one. */
    private static final int EPOCH = 7;

    @Test
    void largeBatchesAreSplitAndSmallOnesAreNot() {
        assertThat(RowTasks.forBatch(64, 100)).isEqualTo(RowTasks.SEQUENTIAL);
        int processors = Runtime.getRuntime().availableProcessors();
        assertThat(RowTasks.forBatch(N, C).chunks()).isEqualTo(processors == 1 ? 1 : 4 * processors);
        assertThatThrownBy(() -> new RowTasks(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row tasks need at least 1 chunk, found 0");
    }

    @Test
    void rangesCoverEveryRowOnce() {
        for (int chunks : new int[]{1, 3, 8, 300}) {
            int[] visits = new int[N];
            new RowTasks(chunks).run(N, (from, to) -> {
                for (int i = from; i < to; i++) {
                    visits[i]++;
                }
            });
            assertThat(visits).as("%d chunks", chunks).containsOnly(1);
        }
    }

    @Test
    void theFirstNonFiniteInputIsNamedWhateverTheSplit() {
        double[][][] st = batch();
        st[0][200][5] = Double.NaN;
        st[0][100][900] = Double.NEGATIVE_INFINITY;
        st[0][100][950] = Double.NaN;
        for (RowTasks split : List.of(RowTasks.SEQUENTIAL, new RowTasks(7))) {
            assertThat(RowMath.firstNonFiniteRow(st[0], split)).isEqualTo(100);
            assertThat(RowMath.firstNonFiniteRow(st[1], split)).isEqualTo(-1);
        }
        assertThatThrownBy(() -> LossInputs.validate(Method.KD, st[0], st[1], new int[N]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("student logits must be finite, found -Infinity at [100, 900]");
    }

    @ParameterizedTest
    @EnumSource(HazardPolicy.class)
    void everyMethodIsBitIdenticalWhateverTheSplit(HazardPolicy policy) {
        double[][][] st = batch();
        int[] targets = new Random(3).ints(N, 0, C).toArray();
        int computed = 0;
        for (Method method : Method.values()) {
            DistillationConfig config = withPolicy(method, policy);
            Optional<HazardException> rejected = rejection(config, st, targets, RowTasks.SEQUENTIAL);
            for (RowTasks split : List.of(new RowTasks(2), new RowTasks(7), RowTasks.forBatch(N, C))) {
                String what = method + " " + policy + " in " + split.chunks() + " chunks";
                if (rejected.isPresent()) {
                    assertThat(rejection(config, st, targets, split)).as(what).hasValueSatisfying(e -> {
                        assertThat(e.row()).isEqualTo(rejected.get().row());
                        assertThat(e).hasMessage(rejected.get().getMessage());
                    });
                    continue;
                }
                assertBitIdentical(what, DistillationLosses.evaluate(config, st[0], st[1], targets, EPOCH, split),
                        DistillationLosses.evaluate(config, st[0], st[1], targets, EPOCH, RowTasks.SEQUENTIAL));
                computed++;
            }
        }
        assertThat(computed).as("splits compared without a STRICT rejection").isGreaterThanOrEqualTo(6);
    }

    private static void assertBitIdentical(String what, LossResult parallel, LossResult sequential) {
        assertThat(bits(parallel.total())).as(what).isEqualTo(bits(sequential.total()));
        assertThat(bits(parallel.perSampleTotal())).as(what).isEqualTo(bits(sequential.perSampleTotal()));
        assertThat(bits(parallel.gradient())).as(what).isEqualTo(bits(sequential.gradient()));
        assertThat(bits(parallel.studentTemperatures())).as(what).isEqualTo(bits(sequential.studentTemperatures()));
        assertThat(bits(parallel.teacherTemperatures())).as(what).isEqualTo(bits(sequential.teacherTemperatures()));
        assertThat(parallel.guarded()).as(what).isEqualTo(sequential.guarded());
        assertThat(parallel.terms().keySet()).as(what).isEqualTo(sequential.terms().keySet());
        for (TermResult term : sequential.terms().values()) {
            TermResult other = parallel.term(term.term());
            assertThat(bits(other.value())).as(what + " " + term.term()).isEqualTo(bits(term.value()));
            assertThat(bits(other.perSample())).as(what + " " + term.term()).isEqualTo(bits(term.perSample()));
            assertThat(bits(other.gradient())).as(what + " " + term.term()).isEqualTo(bits(term.gradient()));
        }
    }

    /** @return the STRICT rejection of the batch, if any */
    private static Optional<HazardException> rejection(DistillationConfig config, double[][][] st, int[] targets,
                                                       RowTasks tasks) {
        try {
            DistillationLosses.evaluate(config, st[0], st[1], targets, EPOCH, tasks);
            return Optional.empty();
        } catch (HazardException e) {
            return Optional.of(e);
        }
    }

    /**
     * {@code [student, teacher]}: ordinary rows ({@code 2·N(0,1)}, {@code 3·N(0,1)+1}), every 5th row 400 times as
     * wide (most probabilities underflow), every 17th student row and every 23rd teacher row constant.
     */
    private static double[][][] batch() {
        Random r = new Random(11);
        double[][] s = new double[N][C];
        double[][] t = new double[N][C];
        for (int i = 0; i < N; i++) {
            double width = i % 5 == 0 ? 400 : 1;
            for (int j = 0; j < C; j++) {
                s[i][j] = width * 2 * r.nextGaussian();
                t[i][j] = width * 3 * r.nextGaussian() + 1;
            }
            if (i % 17 == 0) {
                Arrays.fill(s[i], 0.3);
            }
            if (i % 23 == 0) {
                Arrays.fill(t[i], -1.1);
            }
        }
        return new double[][][]{s, t};
    }

    /** @return the method's default configuration under {@code policy} */
    private static DistillationConfig withPolicy(Method method, HazardPolicy policy) {
        DistillationConfig defaults = method.defaultConfig();
        return defaults.withOfficialKeys(new DefaultsUnder(defaults.officialKeys().stream()
                .collect(Collectors.toMap(ConfigKey::name, ConfigKey::value)), policy));
    }

    /** A configuration's own values under another hazard policy. */
    private record DefaultsUnder(Map<String, Object> keys, HazardPolicy hazardPolicy) implements ConfigValues {
        @Override
        public double real(String key) {
            return (Double) keys.get(key);
        }

        @Override
        public int integer(String key) {
            return (Integer) keys.get(key);
        }

        @Override
        public boolean detachTemperatures() {
            return false;
        }
    }

    private static long bits(double x) {
        return Double.doubleToLongBits(x);
    }

    private static long[] bits(double[] x) {
        return Arrays.stream(x).mapToLong(Double::doubleToLongBits).toArray();
    }

    private static long[][] bits(double[][] x) {
        return Arrays.stream(x).map(RowTasksTest::bits).toArray(long[][]::new);
    }
}
