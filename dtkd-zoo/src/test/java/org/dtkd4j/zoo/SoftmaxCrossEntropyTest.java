package org.dtkd4j.zoo;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SoftmaxCrossEntropyTest {

    private static final IActivation IDENTITY = Activation.IDENTITY.getActivationFunction();
    private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();

    private static final double[][] LOGITS = {{1.5, -0.25, 3.0, 0.0}, {-2.0, 4.0, 4.0, 1.0}, {0.5, 0.5, 0.5, 0.5}};

    /** −log softmax(z)_c, computed independently. */
    private static double nll(double[] z, int c) {
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v);
        }
        return Math.log(sum) - z[c];
    }

    @Test
    void scoreIsTheNegativeLogLikelihoodOfTheTarget() {
        INDArray z = Nd4j.createFromArray(LOGITS);
        int[] targets = {2, 0, 3};
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        for (int i = 0; i < 3; i++) {
            y.putScalar(i, targets[i], 1.0);
        }
        INDArray perExample = loss.computeScoreArray(y, z, IDENTITY, null);
        assertThat(perExample.shape()).containsExactly(3, 1);
        double mean = 0;
        for (int i = 0; i < 3; i++) {
            double expected = nll(LOGITS[i], targets[i]);
            assertThat(perExample.getDouble(i, 0)).isCloseTo(expected, within(1e-14));
            mean += expected / 3;
        }
        assertThat(loss.computeScore(y, z, IDENTITY, null, true)).isCloseTo(mean, within(1e-14));
        assertThat(loss.computeScore(y, z, IDENTITY, null, false)).isCloseTo(3 * mean, within(1e-13));
    }

    @Test
    void gradientMatchesCentralDifferencesForSoftLabels() {
        INDArray z = Nd4j.createFromArray(LOGITS);
        INDArray y = Nd4j.createFromArray(new double[][] {{0.2, 0.0, 0.7, 0.1}, {0, 0.5, 0.5, 0}, {1, 1, 0, 0}});
        INDArray grad = loss.computeGradient(y, z, IDENTITY, null);
        double h = 1e-6;
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 4; c++) {
                INDArray plus = z.dup();
                plus.putScalar(i, c, LOGITS[i][c] + h);
                INDArray minus = z.dup();
                minus.putScalar(i, c, LOGITS[i][c] - h);
                double numeric = (loss.computeScore(y, plus, IDENTITY, null, false)
                        - loss.computeScore(y, minus, IDENTITY, null, false)) / (2 * h);
                assertThat(grad.getDouble(i, c)).as("[%d,%d]", i, c).isCloseTo(numeric, within(1e-8));
            }
        }
    }

    @Test
    void maskedExamplesContributeNothing() {
        INDArray z = Nd4j.createFromArray(LOGITS);
        INDArray y = Nd4j.createFromArray(new double[][] {{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 0, 0, 1}});
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}});
        assertThat(loss.computeScoreArray(y, z, IDENTITY, mask).getDouble(1, 0)).isZero();
        assertThat(loss.computeGradient(y, z, IDENTITY, mask).getRow(1).sumNumber().doubleValue()).isZero();
        assertThat(loss.computeScoreArray(y, z, IDENTITY, mask).getDouble(0, 0))
                .isCloseTo(nll(LOGITS[0], 2), within(1e-14));
    }

    @Test
    void extremeLogitsStayFinite() {
        INDArray z = Nd4j.createFromArray(new float[][] {{1000f, -1000f, 0f}});
        INDArray y = Nd4j.createFromArray(new float[][] {{0f, 1f, 0f}});
        assertThat(loss.computeScore(y, z, IDENTITY, null, true)).isCloseTo(2000.0, within(1e-3));
        assertThat(loss.computeGradient(y, z, IDENTITY, null).toFloatVector()).containsExactly(1f, -1f, 0f);
    }

    @Test
    void mismatchedShapesAreNamed() {
        assertThatThrownBy(() -> loss.computeScoreArray(Nd4j.zeros(2, 3), Nd4j.zeros(2, 4), IDENTITY, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found labels [2, 3] and logits [2, 4]");
    }
}
