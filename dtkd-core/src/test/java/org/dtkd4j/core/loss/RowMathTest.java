package org.dtkd4j.core.loss;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RowMath}'s row sum in its documented order, and the finiteness test of a row in vector form against
 * {@link Double#isFinite} entry by entry.
 */
class RowMathTest {

    @Test
    void sumAddsEightRunningSumsInTheDocumentedOrder() {
        Random r = new Random(11);
        boolean differsFromOneChain = false;
        for (int length = 0; length <= 41; length++) {
            double[] x = new double[length + 3];
            for (int i = 0; i < x.length; i++) {
                // magnitudes 2^-30 .. 2^30, so that the order of the additions shows in the last bits
                x[i] = Math.scalb(r.nextDouble(), r.nextInt(61) - 30);
            }
            double expected = eightRunningSums(x, length);
            assertThat(RowMath.sum(x, length)).as("length %d", length).isEqualTo(expected);
            double chain = 0;
            for (int i = 0; i < length; i++) {
                chain += x[i];
            }
            differsFromOneChain |= chain != expected;
        }
        assertThat(differsFromOneChain).as("some length tells the order from a single chain").isTrue();
    }

    @Test
    void sumOfNothingIsZeroAndNaNPropagates() {
        assertThat(RowMath.sum(new double[]{1, 2}, 0)).isEqualTo(0.0);
        for (int at = 0; at < 19; at++) {
            double[] x = new double[19];
            x[at] = Double.NaN;
            assertThat(RowMath.sum(x, x.length)).as("NaN at %d", at).isNaN();
        }
    }

    @Test
    void allFiniteAnswersAsIsFiniteDoesForEveryPositionAndLength() {
        assertThat(Exponentials.vectorised()).as("the tests run the vector form").isTrue();
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double[] extremes = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -0.0, 0x1p-1070};
        for (int length = 0; length <= 37; length++) {
            double[] x = new double[length];
            for (int i = 0; i < length; i++) {
                x[i] = extremes[i % extremes.length];
            }
            assertThat(RowMath.allFinite(x)).as("finite, length %d", length).isTrue();
            assertThat(VectorKernels.allFinite(x)).isTrue();
            for (int at = 0; at < length; at++) {
                for (double special : specials) {
                    double kept = x[at];
                    x[at] = special;
                    assertThat(RowMath.allFinite(x)).as("%s at %d of %d", special, at, length).isFalse();
                    x[at] = kept;
                }
            }
        }
    }

    /** The order {@link RowMath#sum} documents, written out. */
    private static double eightRunningSums(double[] x, int n) {
        double[] s = new double[8];
        int whole = n / 8 * 8;
        for (int i = 0; i < whole; i++) {
            s[i % 8] += x[i];
        }
        double sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int i = whole; i < n; i++) {
            sum += x[i];
        }
        return sum;
    }
}
