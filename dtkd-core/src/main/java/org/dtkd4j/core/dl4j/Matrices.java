package org.dtkd4j.core.dl4j;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Copies between rank-2 ND4J arrays and Java {@code double[][]} rows in one native copy each way.
 *
 * <p>ND4J's own {@code INDArray.toDoubleMatrix()} duplicates every row separately ({@code getRow(i).dup()}, one
 * native op per row), which made the copies the largest part of the loss adapter's time on small batches. The
 * values are the same: every element is converted to double exactly as {@code toDoubleMatrix()} converts it.
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
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("expected a rank-2 array, found shape "
                    + Arrays.toString(matrix.shape()));
        }
        int n = Math.toIntExact(matrix.size(0));
        int c = Math.toIntExact(matrix.size(1));
        double[] flat = matrix.dup('c').data().asDouble();
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
        }
        return rows;
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
        double[] flat = new double[rows.length * c];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " columns, expected " + c);
            }
            System.arraycopy(rows[i], 0, flat, i * c, c);
        }
        return Nd4j.create(flat, new long[]{rows.length, c}, 'c').castTo(type);
    }
}
