package org.dtkd4j.core.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;

import org.dtkd4j.core.perf.VectorApi;
import org.dtkd4j.core.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

/**
 * {@link Exponentials}: its vector and scalar forms give the same bits, so a loss does not depend on the JVM's
 * modules; both are within 2 ulps of {@link StrictMath#exp}; the IEEE special cases and the range ends are right.
 */
class ExponentialsTest {

    /** The tests run with {@code --add-modules jdk.incubator.vector} (see the build); otherwise nothing compares. */
    @Test
    void theVectorFormRunsInTheseTests() {
        assertThat(Exponentials.kernel()).as("surefire starts the tests with the vector module")
                .startsWith("vectorised");
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        Random r = new Random(1);
        List<DoubleSupplier> regimes = List.of(
                () -> r.nextDouble() * 1500 - 760,           // the whole range and beyond both ends
                () -> r.nextGaussian() * 5,                   // ordinary softmax arguments
                () -> -708 - r.nextDouble() * 40,             // subnormal results and underflow to 0
                () -> 709 + r.nextDouble(),                   // the largest results and overflow
                () -> (r.nextDouble() - 0.5) * 1e-8,          // near 1
                () -> Double.longBitsToDouble(r.nextLong())); // any bits: NaNs, infinities, huge and tiny
        int compared = 0;
        for (DoubleSupplier regime : regimes) {
            for (int n : new int[]{0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 4099}) {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = regime.getAsDouble();
                }
                double shift = n % 2 == 0 ? 0 : r.nextGaussian();
                double[] out = new double[n];
                Exponentials.shifted(x, shift, out, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Double.doubleToLongBits(out[i])).as("exp(%s − %s) at %d of %d", x[i], shift, i, n)
                            .isEqualTo(Double.doubleToLongBits(Exponentials.exp(x[i] - shift)));
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(6 * 5303);
    }

    @Test
    void inPlaceWritesTheSameValues() {
        double[] x = new Random(2).doubles(37, -30, 5).toArray();
        double[] expected = new double[x.length];
        Exponentials.shifted(x, 1.5, expected, x.length);
        Exponentials.shifted(x, 1.5, x, x.length);
        assertThat(x).containsExactly(expected);
    }

    @Test
    void withinTwoUlpsOfTheExponential() {
        Random r = new Random(3);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            double x = i % 2 == 0 ? r.nextDouble() * 1416 - 708 : r.nextGaussian() * 10;
            double exact = StrictMath.exp(x);
            double ulps = Math.abs(Exponentials.exp(x) - exact) / Math.ulp(exact);
            worst = Math.max(worst, ulps);
        }
        assertThat(worst).as("largest error in ulps of StrictMath.exp").isLessThanOrEqualTo(2).isPositive();
    }

    @Test
    void specialCasesAndRangeEnds() {
        assertThat(Exponentials.exp(0)).isEqualTo(1);
        assertThat(Exponentials.exp(-0.0)).isEqualTo(1);
        assertThat(Exponentials.exp(1)).isCloseTo(Math.E, within(2 * Math.ulp(Math.E)));
        assertThat(Exponentials.exp(Double.NaN)).isNaN();
        assertThat(Exponentials.exp(Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Exponentials.exp(Double.NEGATIVE_INFINITY)).isEqualTo(0);
        assertThat(Exponentials.exp(709.78)).isFinite().isCloseTo(StrictMath.exp(709.78),
                within(2 * Math.ulp(StrictMath.exp(709.78))));
        assertThat(Exponentials.exp(709.79)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Exponentials.exp(-745.1)).isEqualTo(Double.MIN_VALUE);
        assertThat(Exponentials.exp(-745.2)).isEqualTo(0);
        for (double x = -744; x < -708; x += 0.37) {
            assertThat(Math.abs(Exponentials.exp(x) - StrictMath.exp(x))).as("subnormal exp(%s)", x)
                    .isLessThanOrEqualTo(Double.MIN_VALUE);
        }
    }

    /**
     * A JVM without the vector module, and one with it switched off, compute every loss with the scalar form:
     * the same bits as this JVM's vector form.
     */
    @Test
    void lossesHaveTheSameBitsWithoutTheVectorModule() throws Exception {
        String digest = "digest: " + LossBits.digest();
        assertThat(ChildJvm.run(List.of(), Map.of(), 0, LossBits.class))
                .contains("exponentials: scalar (start the JVM with --add-modules jdk.incubator.vector")
                .contains(digest);
        assertThat(ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector",
                        "-D" + VectorApi.PROPERTY + "=false"), Map.of(), 0, LossBits.class))
                .contains("exponentials: scalar (" + VectorApi.PROPERTY + "=false)").contains(digest);
    }
}
