package org.dtkd4j.core.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Matrices}: the same values as ND4J's per-row {@code toDoubleMatrix()}, for every layout it meets. */
class MatricesTest {

    /** A 5×7 array of distinct non-integer values, so a transposed or shifted read cannot pass. */
    private static INDArray base(DataType type) {
        return Nd4j.linspace(-3.3, 4.9, 35, DataType.DOUBLE).reshape(5, 7).castTo(type);
    }

    @Test
    void everyLayoutGivesTheRowsOfToDoubleMatrix() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT, DataType.HALF, DataType.INT)) {
            INDArray m = base(type);
            List<INDArray> layouts = List.of(m, m.dup('f'), m.transpose(),
                    m.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 7)),
                    m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 7, 2)), m.getRow(3, true));
            for (INDArray x : layouts) {
                assertThat(Matrices.toRows(x)).as("%s %s", type, x.shapeInfoToString())
                        .isDeepEqualTo(x.toDoubleMatrix());
            }
        }
    }

    @Test
    void elementsGiveAnyRowsAndColumnsOfEveryLayout() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
            INDArray m = base(type);
            for (INDArray x : List.of(m, m.dup('f'), m.transpose().dup('c').transpose(),
                    m.get(NDArrayIndex.interval(1, 5), NDArrayIndex.interval(1, 7)))) {
                double[][] all = x.toDoubleMatrix();
                double[][] reuse = new double[3][3];
                double[][] some = Matrices.elements(x).rows(new int[]{3, 0, 2}, 2, 5, reuse);
                assertThat(some).as("rows of the right shape are reused").isSameAs(reuse);
                assertThat(Matrices.elements(x).rows(new int[]{3, 0, 2}, 2, 5, new double[3][4]))
                        .as("rows of another shape are not").isDeepEqualTo(some);
                assertThat(some).as("%s %s", type, x.shapeInfoToString()).isDeepEqualTo(new double[][]{
                        Arrays.copyOfRange(all[3], 2, 5), Arrays.copyOfRange(all[0], 2, 5),
                        Arrays.copyOfRange(all[2], 2, 5)});
            }
        }
    }

    @Test
    void fromRowsCastsToFloatAsNd4jDoes() {
        double[][] rows = {{Math.PI, -1e-40, 1 + 0x1p-30}, {Double.MAX_VALUE, 1e39, -0.0}};
        INDArray f = Matrices.fromRows(rows, DataType.FLOAT);
        assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(f.toDoubleMatrix()).isDeepEqualTo(
                Nd4j.createFromArray(rows).castTo(DataType.FLOAT).toDoubleMatrix());
    }

    @Test
    void fromRowsRoundTripsAndCasts() {
        double[][] rows = Matrices.toRows(base(DataType.DOUBLE));
        INDArray d = Matrices.fromRows(rows, DataType.DOUBLE);
        assertThat(d.shape()).containsExactly(5, 7);
        assertThat(d.ordering()).isEqualTo('c');
        assertThat(d).isEqualTo(base(DataType.DOUBLE));
        INDArray f = Matrices.fromRows(rows, DataType.FLOAT);
        assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(f).isEqualTo(base(DataType.DOUBLE).castTo(DataType.FLOAT));
    }

    @Test
    void rejectsWhatIsNotAMatrix() {
        assertThatThrownBy(() -> Matrices.toRows(Nd4j.zeros(2, 3, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected a rank-2 array, found shape [2, 3, 4]");
        assertThatThrownBy(() -> Matrices.fromRows(new double[0][], DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected at least one row, found 0");
        assertThatThrownBy(() -> Matrices.fromRows(new double[][]{{1, 2}, {3}}, DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("row 1 has 1 columns, expected 2");
    }
}
