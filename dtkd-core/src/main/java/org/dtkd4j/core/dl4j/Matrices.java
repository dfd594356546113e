package org.dtkd4j.core.dl4j;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Copies between rank-2 ND4J arrays and Java {@code double[][]} rows with as few native copies as possible.
 *
 * <p>ND4J's own {@code INDArray.toDoubleMatrix()} duplicates every row separately ({@code getRow(i).dup()}, one
 * native op per row), which made the copies the largest part of the loss adapter's time on small batches. Here an
 * array that is not a view is read straight from its buffer into the rows, at its strides (any order, no
 * intermediate array), and a view is first duplicated once; every element is converted to double exactly as
 * {@code toDoubleMatrix()} converts it. Arrays are
 * created from one Java array copied in bulk ({@code Nd4j.createBuffer}; {@code Nd4j.create(float[], ...)} copies
 * element by element), of the target type where that is {@code float} (a cast on the native side costs an extra
 * array and op).
 */
public final class Matrices {

    private Matrices() {
    }

    /**
     * @param matrix a rank-2 array of any layout, view or not, of a floating-point or integer type
     * @return its rows as doubles
     * @throws IllegalArgumentException if {@code matrix} is not rank 2
     */
    public static double[][] toRows(INDArray matrix) {
        Elements e = elements(matrix);
        return e.rows(IntStream.range(0, e.rows()).toArray(), 0, e.columns(), null);
    }

    /**
     * @param matrix a rank-2 array of any layout, view or not, of a floating-point or integer type
     * @return its elements, to be read as doubles
     * @throws IllegalArgumentException if {@code matrix} is not rank 2
     */
    static Elements elements(INDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a rank-2 array, found shape "
                    + Arrays.toString(matrix.shape()));
        }
        INDArray source = matrix.isView() ? matrix.dup('c') : matrix;
        return new Elements(source.data(), Math.toIntExact(source.size(0)), Math.toIntExact(source.size(1)),
                source.stride(0), source.stride(1));
    }

    /**
     * The elements of a rank-2 array that is not a view: element {@code (i, j)} is
     * {@code data[i·rowStride + j·columnStride]}.
     */
    record Elements(DataBuffer data, int rows, int columns, long rowStride, long columnStride) {

        /**
         * @param rowIndices the rows to read, in order
         * @param fromColumn the first column read
         * @param toColumn   one past the last column read
         * @param reuse      rows to overwrite if they have that shape (else, or if {@code null}, new rows are made)
         * @return those rows, restricted to the columns {@code [fromColumn, toColumn)}, as doubles
         */
        double[][] rows(int[] rowIndices, int fromColumn, int toColumn, double[][] reuse) {
            int width = toColumn - fromColumn;
            boolean fits = reuse != null && reuse.length == rowIndices.length
                    && Arrays.stream(reuse).allMatch(r -> r.length == width);
            double[][] out = fits ? reuse : new double[rowIndices.length][width];
            for (int k = 0; k < rowIndices.length; k++) {
                long start = rowIndices[k] * rowStride + fromColumn * columnStride;
                double[] row = out[k];
                for (int j = 0; j < row.length; j++) {
                    row[j] = data.getDouble(start + j * columnStride);
                }
            }
            return out;
        }

        /**
         * @param rowIndices the rows compared, in order
         * @param fromColumn the first column compared
         * @param expected   one row per index, each as wide as the columns compared
         * @return whether those rows hold exactly {@code expected} ({@code Arrays.equals}: bit for bit)
         */
        boolean holds(int[] rowIndices, int fromColumn, double[][] expected) {
            for (int k = 0; k < rowIndices.length; k++) {
                long start = rowIndices[k] * rowStride + fromColumn * columnStride;
                double[] row = expected[k];
                for (int j = 0; j < row.length; j++) {
                    if (Double.doubleToLongBits(data.getDouble(start + j * columnStride))
                            != Double.doubleToLongBits(row[j])) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /**
     * @param rows equally long rows, at least one
     * @param type the data type of the result
     * @return a new {@code [rows.length, rows[0].length]} array in C order holding {@code rows} cast to {@code type}
     * @throws IllegalArgumentException if there are no rows or the rows differ in length
     */
    public static INDArray fromRows(double[][] rows, DataType type) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("expected at least one row, found 0");
        }
        int c = rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " columns, expected " + c);
            }
        }
        long[] shape = {rows.length, c};
        long[] strides = Nd4j.getStrides(shape, 'c');
        if (type == DataType.FLOAT) {
            float[] flat = new float[rows.length * c];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < c; j++) {
                    flat[i * c + j] = (float) rows[i][j];
                }
            }
            return Nd4j.create(Nd4j.createBuffer(flat), shape, strides, 0, 'c');
        }
        double[] flat = new double[rows.length * c];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * c, c);
        }
        return Nd4j.create(Nd4j.createBuffer(flat), shape, strides, 0, 'c').castTo(type);
    }
}
