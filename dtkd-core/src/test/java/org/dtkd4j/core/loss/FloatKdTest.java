package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The float32 KD and cross-entropy ({@link FloatKd}) against the double closed form, and its own invariants: the
 * vector and scalar forms, the split of the rows, the exponential, which losses it takes, and rows it hands back.
 */
class FloatKdTest {

    /**
     * The tolerance against the closed form, relative to the largest magnitude in the compared row: a row's values
     * go through about ten float operations each and its sums through at most {@code C/16 + 4} additions, every one
     * rounding by at most {@code 2^−24 ≈ 6·10^−8}; at {@code C = 1000} that bounds the error by about {@code 4·10^−6}
     * of the row's scale, and 1e-5 leaves it room.
     */
    private static final double RELATIVE = 1e-5;

    static Stream<Arguments> batches() {
        List<DistillationConfig> configs = List.of(KdConfig.defaults(), new KdConfig(2.5, 0.3, 1.7),
                new KdConfig(1, 1, 0), CeConfig.defaults());
        int[][] shapes = {{1, 2}, {3, 7}, {5, 16}, {64, 100}, {256, 1000}};
        return configs.stream().flatMap(config -> Arrays.stream(shapes)
                .map(shape -> Arguments.of(config, shape[0], shape[1])));
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("batches")
    void agreesWithTheClosedFormToFloatRounding(DistillationConfig config, int n, int c) {
        Inputs in = Inputs.random(n, c, 11L * n + c);
        float[] factors = new float[n];
        Arrays.fill(factors, n);
        float[] gradient = new float[n * c];
        FloatKd.Batch batch = FloatKd.of(config, 1).orElseThrow()
                .evaluate(in.student(), in.teacher(), in.rows(), in.targets, c, matrix(gradient, c, 0), factors)
                .orElseThrow();
        LossResult reference = DistillationLosses.evaluate(config, in.studentRows(), in.teacherRows(), in.targets, 1);
        LossResult result = batch.result();

        assertThat(result.terms().keySet()).containsExactlyElementsOf(reference.terms().keySet());
        assertClose("total", result.total(), reference.total(), Math.abs(reference.total()));
        for (Term term : reference.terms().keySet()) {
            TermResult r = result.term(term);
            TermResult ref = reference.term(term);
            assertClose(term + " value", r.value(), ref.value(), Math.abs(ref.value()) + 1);
            for (int i = 0; i < n; i++) {
                assertClose(term + " row " + i, r.perSample()[i], ref.perSample()[i], Math.abs(ref.perSample()[i]) + 1);
                assertRowClose(term + " gradient row " + i, r.gradient()[i], ref.gradient()[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            assertRowClose("total gradient row " + i, result.gradient()[i], reference.gradient()[i]);
            double[] written = new double[c];
            for (int j = 0; j < c; j++) {
                written[j] = gradient[i * c + j];
                assertThat(gradient[i * c + j]).as("written gradient (%d, %d): the result's entry times N", i, j)
                        .isEqualTo((float) result.gradient()[i][j] * n);
            }
            assertThat(result.perSampleTotal()[i]).isEqualTo(batch.perSampleTotal()[i]);
        }
        assertThat(result.temperatureStats()).isEqualTo(reference.temperatureStats());
        assertThat(result.studentTemperatures()).containsExactly(reference.studentTemperatures());
        assertThat(result.studentMax()).containsExactly(reference.studentMax());
        assertThat(result.teacherMax()).containsExactly(reference.teacherMax());
        assertThat(result.warmupFactor()).isEqualTo(reference.warmupFactor());
        assertThat(batch.temperatureStats()).isEqualTo(reference.temperatureStats());
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        assumeTrue(FloatRow.VECTOR, "the JVM runs the scalar form only");
        Random r = new Random(5);
        for (int c : new int[]{2, 15, 16, 17, 33, 100, 1000}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] s = new float[c];
                float[] t = new float[c];
                float spread = trial % 4 == 0 ? 400 : 3;
                for (int j = 0; j < c; j++) {
                    s[j] = (float) (spread * r.nextGaussian());
                    t[j] = (float) (spread * r.nextGaussian() + 1);
                }
                int y = r.nextInt(c);
                float temperature = trial % 2 == 0 ? 4 : 1.7f;
                FloatRow vector = new FloatRow(c, true);
                FloatRow scalar = new FloatRow(c, false);
                for (boolean distills : new boolean[]{true, false}) {
                    assertThat(vector.fill(s, 0, distills ? t : null, 0, temperature)).isTrue();
                    assertThat(scalar.fill(s, 0, distills ? t : null, 0, temperature)).isTrue();
                    String what = "C=" + c + ", trial " + trial + (distills ? ", KD" : ", CE alone");
                    assertThat(vector.crossEntropy(s, 0, y)).as(what).isEqualTo(scalar.crossEntropy(s, 0, y));
                    assertThat(vector.e1).as(what).containsExactly(scalar.e1);
                    if (distills) {
                        assertThat(vector.kd()).as(what).isEqualTo(scalar.kd());
                        assertThat(vector.es).as(what).containsExactly(scalar.es);
                        assertThat(vector.et).as(what).containsExactly(scalar.et);
                    }
                    float[] gv = new float[c];
                    float[] gs = new float[c];
                    vector.gradient(y, 1f / 64, 0.9f, 0.1f, 64, gv);
                    scalar.gradient(y, 1f / 64, 0.9f, 0.1f, 64, gs);
                    assertThat(gv).as(what).containsExactly(gs);
                }
            }
        }
    }

    @Test
    void aRowGivesTheSameValuesInAnyBatchOnAnyThread() {
        int n = 256;
        int c = 1000;
        Inputs in = Inputs.random(n, c, 3);
        FloatKd kd = FloatKd.of(KdConfig.defaults(), 1).orElseThrow();
        double[] whole = kd.evaluate(in.student(), in.teacher(), in.rows(), in.targets, c, null, null).orElseThrow()
                .perSampleTotal();
        for (int i = 0; i < n; i += 17) {
            double alone = kd.evaluate(in.student(), in.teacher(), new int[]{i}, new int[]{in.targets[i]}, c, null,
                    null).orElseThrow().perSampleTotal()[0];
            assertThat(alone).as("row %d alone (one thread) and in the batch of %d (split across threads)", i, n)
                    .isEqualTo(whole[i]);
        }
    }

    @Test
    void exponentialIsWithinTwoFloatUlpsOfStrictMath() {
        float worst = 0;
        for (float x = 0; x >= FloatRow.LOWEST; x = Math.nextDown(x - 1e-4f * Math.abs(x) - 1e-7f)) {
            float exact = (float) StrictMath.exp(x);
            worst = Math.max(worst, Math.abs(FloatRow.exp(x) - exact) / Math.ulp(exact));
        }
        assertThat(worst).isLessThanOrEqualTo(2);
        assertThat(FloatRow.exp(0)).isEqualTo(1);
        assertThat(FloatRow.exp(-0f)).isEqualTo(1);
        assertThat(FloatRow.exp(Math.nextDown(FloatRow.LOWEST))).isZero();
        assertThat(FloatRow.exp(Float.NEGATIVE_INFINITY)).isZero();
    }

    @Test
    void takesKdAndTheCrossEntropyAloneOnly() {
        List<Method> taken = Arrays.stream(Method.values())
                .filter(m -> FloatKd.of(m.defaultConfig(), 1).isPresent()).toList();
        assertThat(taken).containsExactlyInAnyOrder(Method.NONE, Method.KD);
        assertThat(FloatKd.of(CeConfig.defaults(), 1).orElseThrow().distills()).isFalse();
        assertThat(FloatKd.of(KdConfig.defaults(), 1).orElseThrow().distills()).isTrue();
    }

    @Test
    void aRowWithALogitThatIsNotFiniteIsHandedBack() {
        int n = 4;
        int c = 40;
        FloatKd kd = FloatKd.of(KdConfig.defaults(), 1).orElseThrow();
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (boolean inTeacher : new boolean[]{false, true}) {
                Inputs in = Inputs.random(n, c, 9);
                (inTeacher ? in.t : in.s)[2 * c + 5] = bad;
                assertThat(kd.evaluate(in.student(), in.teacher(), in.rows(), in.targets, c, null, null))
                        .as("%s in the %s logits", bad, inTeacher ? "teacher" : "student").isEmpty();
            }
        }
        Inputs in = Inputs.random(n, c, 9);
        in.s[c + 1] = Float.NEGATIVE_INFINITY;
        assertThat(FloatKd.of(CeConfig.defaults(), 1).orElseThrow()
                .evaluate(in.student(), null, in.rows(), in.targets, c, null, null))
                .as("the cross-entropy alone, -inf at a non-target class").isEmpty();
    }

    @Test
    void comparesItsInputsValueForValue() {
        int n = 3;
        int c = 20;
        Inputs in = Inputs.random(n, c, 4);
        FloatKd.Batch batch = FloatKd.of(KdConfig.defaults(), 1).orElseThrow()
                .evaluate(in.student(), in.teacher(), in.rows(), in.targets, c, null, null).orElseThrow();
        assertThat(batch.holds(in.student(), in.teacher(), in.rows(), in.targets, c)).isTrue();
        float[] moved = in.t.clone();
        moved[c + 3] = Math.nextUp(moved[c + 3]);
        assertThat(batch.holds(in.student(), matrix(moved, c, 0), in.rows(), in.targets, c)).isFalse();
        int[] otherTargets = in.targets.clone();
        otherTargets[0] = (otherTargets[0] + 1) % c;
        assertThat(batch.holds(in.student(), in.teacher(), in.rows(), otherTargets, c)).isFalse();
        assertThat(batch.holds(in.student(), in.teacher(), new int[]{0, 1}, new int[]{in.targets[0], in.targets[1]},
                c)).isFalse();
    }

    @Test
    void aMatrixRejectsNegativeStrides() {
        FloatBuffer buffer = FloatBuffer.allocate(4);
        assertThatThrownBy(() -> new FloatMatrix(buffer, -1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found -1 and 0");
        assertThatThrownBy(() -> new FloatMatrix(null, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("buffer must not be null");
    }

    private static FloatMatrix matrix(float[] values, int rowStride, int firstColumn) {
        return new FloatMatrix(FloatBuffer.wrap(values), rowStride, firstColumn);
    }

    private static void assertClose(String what, double actual, double expected, double scale) {
        assertThat(Math.abs(actual - expected)).as("%s: %s against %s", what, actual, expected)
                .isLessThanOrEqualTo(RELATIVE * scale);
    }

    private static void assertRowClose(String what, double[] actual, double[] expected) {
        double scale = Arrays.stream(expected).map(Math::abs).max().orElse(0);
        for (int j = 0; j < expected.length; j++) {
            assertClose(what + ", column " + j, actual[j], expected[j], scale);
        }
    }

    /** Float32 student and teacher rows, stored as {@code [N, C]} arrays, and target classes. */
    private record Inputs(float[] s, float[] t, int[] targets, int n, int c) {

        static Inputs random(int n, int c, long seed) {
            Random r = new Random(seed);
            float[] s = new float[n * c];
            float[] t = new float[n * c];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(c);
                for (int j = 0; j < c; j++) {
                    s[i * c + j] = (float) (2 * r.nextGaussian());
                    t[i * c + j] = (float) (3 * r.nextGaussian() + 1);
                }
            }
            return new Inputs(s, t, y, n, c);
        }

        FloatMatrix student() {
            return matrix(s, c, 0);
        }

        FloatMatrix teacher() {
            return matrix(t, c, 0);
        }

        int[] rows() {
            return IntStream.range(0, n).toArray();
        }

        double[][] studentRows() {
            return rows(s);
        }

        double[][] teacherRows() {
            return rows(t);
        }

        private double[][] rows(float[] x) {
            double[][] out = new double[n][c];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) {
                    out[i][j] = x[i * c + j];
                }
            }
            return out;
        }
    }
}
