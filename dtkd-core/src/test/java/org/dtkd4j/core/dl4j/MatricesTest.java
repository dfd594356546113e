package org.dtkd4j.core.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.dtkd4j.core.loss.LossInputs;
import org.dtkd4j.core.loss.RowTasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void holdsComparesBitForBitOnEveryPath() {
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT, DataType.HALF)) {
            INDArray m = base(type);
            m.putScalar(4, 6, -0.0);
            for (INDArray x : List.of(m, m.dup('f'), m.get(NDArrayIndex.interval(1, 5), NDArrayIndex.all()))) {
                Matrices.Elements e = Matrices.elements(x);
                int[] rows = {x.rows() - 1, 0};
                double[][] same = e.rows(rows, 1, 7, null);
                assertThat(e.holds(rows, 1, same)).as("%s %s", type, x.shapeInfoToString()).isTrue();
                double[][] lastChanged = {same[0].clone(), same[1].clone()};
                lastChanged[1][5] = Math.nextUp(lastChanged[1][5]);
                assertThat(e.holds(rows, 1, lastChanged)).as("last element of the last row").isFalse();
                double[][] signChanged = {same[0].clone(), same[1]};
                signChanged[0][5] = 0.0;
                assertThat(same[0][5]).isEqualTo(-0.0);
                assertThat(e.holds(rows, 1, signChanged)).as("-0.0 read, 0.0 expected").isFalse();
            }
        }
    }

    @Test
    void scatterRowsEqualsFromRowsOfTheScaledRows() {
        double[][] rows = {{Math.PI, -1e-40, 1 + 0x1p-30, 0.0}, {-0.0, 1e39, -2.5e-8, 7}};
        int[] at = {3, 1};
        double[] factors = {-0.0 + 1.0 / 3, -5};
        double[][] expected = new double[5][4];
        for (int k = 0; k < at.length; k++) {
            for (int j = 0; j < 4; j++) {
                expected[at[k]][j] = factors[k] * rows[k][j];
            }
        }
        assertThat(expected[1][0]).as("a product that is -0.0").isEqualTo(-0.0);
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE, DataType.HALF)) {
            INDArray out = Matrices.scatterRows(rows, at, factors, 5, 4, type);
            assertThat(out.dataType()).isEqualTo(type);
            assertThat(out.ordering()).isEqualTo('c');
            assertThat(out.shape()).containsExactly(5, 4);
            assertThat(out.toDoubleMatrix()).as("%s", type)
                    .isDeepEqualTo(Matrices.fromRows(expected, type).toDoubleMatrix());
        }
        assertThat(Matrices.scatterRows(new double[0][], new int[0], new double[0], 2, 3, DataType.FLOAT)
                .toDoubleMatrix()).as("no rows kept").isDeepEqualTo(new double[2][3]);
    }

    /**
     * A batch large enough to be split across threads ({@link RowTasks#forBatch}): the same rows, comparisons,
     * classes, first invalid row and scattered gradient as one thread gives.
     */
    @Test
    void rowsOfALargeBatchAreSplitAcrossThreadsWithTheSameResults() {
        int n = 256;
        int c = 300;
        assumeTrue(RowTasks.forBatch(n, c).chunks() > 1, "more than one processor");
        int[] reversed = IntStream.range(0, n).map(i -> n - 1 - i).toArray();
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray x = Nd4j.linspace(-7.1, 9.3, (long) n * c, DataType.DOUBLE).reshape(n, c).castTo(type);
            Matrices.Elements e = Matrices.elements(x);
            double[][] expected = x.toDoubleMatrix();
            double[][] read = e.rows(reversed, 0, c, null);
            for (int k = 0; k < n; k++) {
                assertThat(read[k]).as("%s row %d", type, reversed[k]).containsExactly(expected[reversed[k]]);
            }
            assertThat(e.holds(reversed, 0, read)).isTrue();
            for (int k : new int[]{0, n / 2, n - 1}) {
                double[][] changed = Arrays.stream(read).map(double[]::clone).toArray(double[][]::new);
                changed[k][c - 1] = Math.nextUp(changed[k][c - 1]);
                assertThat(e.holds(reversed, 0, changed)).as("%s, row %d changed", type, k).isFalse();
            }
            double[] factors = IntStream.range(0, n).mapToDouble(k -> k - 100.5).toArray();
            double[][] scaled = new double[n][c];
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < c; j++) {
                    scaled[reversed[k]][j] = factors[k] * read[k][j];
                }
            }
            assertThat(Matrices.scatterRows(read, reversed, factors, n, c, type).toDoubleMatrix()).as("%s", type)
                    .isDeepEqualTo(Matrices.fromRows(scaled, type).toDoubleMatrix());
        }
        int[] classes = IntStream.range(0, n).map(i -> (i * 37) % c).toArray();
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, c);
        for (int i = 0; i < n; i++) {
            oneHot.putScalar(i, classes[i], 1.0);
        }
        int[] all = IntStream.range(0, n).toArray();
        assertThat(Matrices.elements(oneHot).oneHotTargets(all, c)).containsExactly(classes);
        oneHot.putScalar(200, 5, 1.0);
        oneHot.putScalar(70, 3, 0.5);
        for (int repeat = 0; repeat < 20; repeat++) {
            assertThatThrownBy(() -> Matrices.elements(oneHot).oneHotTargets(all, c))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("labels row 70 is not one-hot: found 0.5 at column 3 (expected exactly one 1 and "
                            + "zeros)");
        }
    }

    @Test
    void oneHotTargetsOfFloatRowsAreThoseOfTheRowsReadAsDoubles() {
        float[][] rows = {
            {0, 0, 1, 0, 0},
            {1, -0f, 0, 0, 0},
            {0, 0, 0, 0, 1},
            {0, 1, 0, 1, 0},
            {0, 0, 0.5f, 0, 0},
            {0, Float.NaN, 1, 0, 0},
            {0, 0, 0, 0, 0},
            {1, 0, 0, 0, -1},
            {0, 1, 0, 0, Float.MIN_VALUE},
            {0, 2, 0, 0, 0},
        };
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (int i = 0; i < rows.length; i++) {
                INDArray batch = Nd4j.create(new float[][]{rows[i], rows[0]}).castTo(type);
                // a row of a [2, 10] array: the one-hot columns come first, as in packed labels
                INDArray packed = Nd4j.concat(1, batch, batch);
                double[] asDoubles = batch.getRow(0).toDoubleVector();
                String expected;
                try {
                    expected = "class " + LossInputs.oneHotTarget(asDoubles, 0);
                } catch (IllegalArgumentException e) {
                    expected = e.getMessage();
                }
                String found;
                try {
                    found = "class " + Matrices.elements(packed).oneHotTargets(new int[]{0, 1}, 5)[0];
                } catch (IllegalArgumentException e) {
                    found = e.getMessage();
                }
                assertThat(found).as("%s row %s", type, Arrays.toString(rows[i])).isEqualTo(expected);
            }
        }
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
