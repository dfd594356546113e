package org.dtkd4j.core.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TopK}: top-k counting with ties resolved against the label, on plain and packed labels. */
class TopKTest {

    private static final INDArray LOGITS = Nd4j.createFromArray(new float[][]{
            {0.1f, 2.0f, 1.0f, -1.0f},   // label 2: second largest
            {3.0f, 3.0f, 0.0f, 0.0f},    // label 1: tied with the first index, which wins the tie
            {0.5f, 0.5f, 0.5f, 0.5f},    // label 0: all tied, first
            {-2.0f, -1.0f, -3.0f, -4.0f} // label 3: last
    });

    private static INDArray oneHot(int... labels) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, labels.length, 4);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1.0);
        }
        return y;
    }

    @Test
    void countsTheLabelsAmongTheLargestK() {
        INDArray y = oneHot(2, 1, 0, 3);
        assertThat(TopK.correct(LOGITS, y, 1, 2, 3, 4)).containsExactly(1, 3, 3, 4);
        assertThat(TopK.correct(LOGITS, y, 2)).containsExactly(3);
    }

    @Test
    void readsTheOneHotPartOfPackedLabelsAndViews() {
        INDArray packed = Nd4j.hstack(oneHot(2, 1, 0, 3), Nd4j.ones(DataType.FLOAT, 4, 4).muli(9));
        assertThat(TopK.correct(LOGITS, packed, 2)).containsExactly(3);
        INDArray transposedTwice = LOGITS.transpose().dup().transpose();
        assertThat(TopK.correct(transposedTwice, packed, 2)).containsExactly(3);
    }
}
