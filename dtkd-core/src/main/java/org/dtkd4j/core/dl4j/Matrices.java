package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.loss.FloatMatrix;
import org.dtkd4j.core.loss.LossInputs;
import org.dtkd4j.core.loss.RowTasks;
import org.dtkd4j.core.perf.HostMemory;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Copies between rank-2 ND4J arrays and Java {@code double[][]} rows with as few native copies as possible.
 *
 * <p>ND4J's own {@code INDArray.toDoubleMatrix()} duplicates every row separately ({@code getRow(i).dup()}, one
 * native op per row), which made the copies the largest part of the loss adapter's time on small batches. Here an
 * array that is not a view is read straight from its buffer into the rows, at its strides (any order, no
 * intermediate array), and a view is first duplicated once; every element is converted to double exactly as
 * {@code toDoubleMatrix()} converts it. On ND4J's CPU backend a float32 or float64 array with contiguous rows is read
 * one row at a time in bulk from its host memory ({@code HostMemory}), other types and layouts element by element
 * through the buffer; rows read from or written to host memory are split across threads as the closed form splits its
 * rows ({@link RowTasks#forBatch}), each row on one thread. Arrays are created from one Java array copied in bulk
 * ({@code Nd4j.createBuffer}; {@code Nd4j.create(float[], ...)} copies element by element), of the target type where
 * that is {@code float} (a cast on the native side costs an extra array and op).
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
        boolean host = HostMemory.addressable(source);
        boolean isFloat = source.dataType() == DataType.FLOAT;
        return new Elements(source.data(), host && isFloat ? source.data().asNioFloat() : null,
                host && !isFloat ? source.data().asNioDouble() : null, Math.toIntExact(source.size(0)),
                Math.toIntExact(source.size(1)), source.stride(0), source.stride(1));
    }

    /**
     * The elements of a rank-2 array that is not a view: element {@code (i, j)} is
     * {@code data[i·rowStride + j·columnStride]}, read from the NIO view of the buffer where the array is
     * {@linkplain HostMemory#addressable addressable} ({@code floats} or {@code doubles}, the other {@code null}),
     * else through {@link DataBuffer#getDouble(long)} (both {@code null}); the values are the same.
     */
    record Elements(DataBuffer data, FloatBuffer floats, DoubleBuffer doubles, int rows, int columns, long rowStride,
                    long columnStride) {

        /**
         * @param fromColumn the column read as column 0
         * @return the rows as a {@link FloatMatrix} ({@link #consecutiveFloats()} only)
         */
        FloatMatrix floatRows(int fromColumn) {
            return new FloatMatrix(floats, rowStride, fromColumn);
        }

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
            tasks(rowIndices.length, width).run(rowIndices.length, (from, to) -> {
                float[] scratch = scratch(width);
                for (int k = from; k < to; k++) {
                    read(rowIndices[k], fromColumn, out[k], scratch);
                }
            });
            return out;
        }

        /**
         * The target classes of one-hot rows, read in place (no copy of the rows is kept).
         *
         * @param rowIndices the rows read, in order
         * @param columns    the one-hot columns {@code [0, columns)}
         * @return the class of each row, validated by {@link LossInputs#oneHotTarget} (messages name row {@code k}
         *         of {@code rowIndices} as row {@code k})
         * @throws IllegalArgumentException on the first row that is not one-hot
         */
        int[] oneHotTargets(int[] rowIndices, int columns) {
            int[] targets = new int[rowIndices.length];
            IllegalArgumentException[] invalid = new IllegalArgumentException[rowIndices.length];
            tasks(rowIndices.length, columns).run(rowIndices.length, (from, to) -> {
                double[] row = new double[columns];
                float[] scratch = scratch(columns);
                for (int k = from; k < to; k++) {
                    int hot = consecutiveFloats() ? oneHotColumn(rowIndices[k], scratch) : -1;
                    if (hot >= 0) {
                        targets[k] = hot;
                        continue;
                    }
                    read(rowIndices[k], 0, row, scratch);
                    try {
                        targets[k] = LossInputs.oneHotTarget(row, k);
                    } catch (IllegalArgumentException e) {
                        invalid[k] = e;
                        return;
                    }
                }
            });
            for (IllegalArgumentException e : invalid) {
                if (e != null) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
            return targets;
        }

        /**
         * @param i       a row of {@link #floats} with consecutive elements
         * @param scratch as long as the one-hot columns {@code [0, scratch.length)}
         * @return the column of the row's one 1 among zeros, read as floats without converting the row; {@code -1}
         *         for any other row (which {@link LossInputs#oneHotTarget} then reads and explains)
         */
        private int oneHotColumn(int i, float[] scratch) {
            readFloats(i, 0, scratch);
            int hot = -1;
            for (int j = 0; j < scratch.length; j++) {
                if (scratch[j] != 0) {
                    if (scratch[j] != 1 || hot >= 0) {
                        return -1;
                    }
                    hot = j;
                }
            }
            return hot;
        }

        /**
         * @param rowIndices the rows compared, in order
         * @param fromColumn the first column compared
         * @param expected   one row per index, each as wide as the columns compared
         * @return whether those rows hold exactly {@code expected} ({@code Arrays.equals}: bit for bit)
         */
        boolean holds(int[] rowIndices, int fromColumn, double[][] expected) {
            AtomicBoolean differs = new AtomicBoolean();
            tasks(rowIndices.length, expected.length == 0 ? 0 : expected[0].length).run(rowIndices.length,
                    (from, to) -> {
                        double[] row = new double[0];
                        float[] scratch = scratch(0);
                        for (int k = from; k < to && !differs.get(); k++) {
                            if (expected[k].length != row.length) {
                                row = new double[expected[k].length];
                                scratch = scratch(row.length);
                            }
                            if (!holds(rowIndices[k], fromColumn, expected[k], row, scratch)) {
                                differs.set(true);
                            }
                        }
                    });
            return !differs.get();
        }

        /**
         * @param row     scratch as long as {@code expected}
         * @param scratch as long as {@code row} when the elements are {@link #floats}
         * @return whether row {@code i} from column {@code fromColumn} on holds {@code expected} bit for bit; a row of
         *         consecutive floats is compared as it is converted, without writing the converted row
         */
        private boolean holds(int i, int fromColumn, double[] expected, double[] row, float[] scratch) {
            if (!consecutiveFloats()) {
                read(i, fromColumn, row, scratch);
                return Arrays.equals(row, expected);
            }
            readFloats(i, fromColumn, scratch);
            long differences = 0;
            for (int j = 0; j < scratch.length; j++) {
                differences |= Double.doubleToRawLongBits(scratch[j]) ^ Double.doubleToRawLongBits(expected[j]);
            }
            return differences == 0;
        }

        /**
         * @return how to split {@code n} rows {@code width} wide: across threads ({@link RowTasks#forBatch}) where
         *         they are read from host memory, on this thread where every element goes through the buffer
         */
        private RowTasks tasks(int n, int width) {
            return floats == null && doubles == null ? RowTasks.SEQUENTIAL : RowTasks.forBatch(n, width);
        }

        /**
         * @return the scratch row {@link #read} needs for rows {@code width} wide (empty unless the elements are
         *         {@link #floats})
         */
        private float[] scratch(int width) {
            return new float[floats == null ? 0 : width];
        }

        /** @return whether rows are read as {@link #floats} in bulk ({@link #readFloats}) */
        boolean consecutiveFloats() {
            return floats != null && columnStride == 1;
        }

        /**
         * Copies {@code scratch.length} elements of row {@code i} from column {@code fromColumn} on, in one bulk read
         * of {@link #floats} ({@link #consecutiveFloats()} only).
         */
        private void readFloats(int i, int fromColumn, float[] scratch) {
            floats.get(floats.position() + (int) (i * rowStride + fromColumn), scratch);
        }

        /**
         * Reads {@code row.length} elements of row {@code i} from column {@code fromColumn} on into {@code row}: a
         * row of consecutive elements of an addressable array in one bulk copy, then converted.
         *
         * @param scratch as long as {@code row} when the elements are {@link #floats}
         */
        private void read(int i, int fromColumn, double[] row, float[] scratch) {
            long start = i * rowStride + fromColumn * columnStride;
            int width = row.length;
            if (consecutiveFloats()) {
                readFloats(i, fromColumn, scratch);
                for (int j = 0; j < width; j++) {
                    row[j] = scratch[j];
                }
            } else if (doubles != null && columnStride == 1) {
                doubles.get(doubles.position() + (int) start, row);
            } else {
                for (int j = 0; j < width; j++) {
                    row[j] = data.getDouble(start + j * columnStride);
                }
            }
        }
    }

    /**
     * Scales rows into the rows of a new array: row {@code at[k]} of the result is {@code factors[k]·rows[k]} and
     * every other row is 0, each product rounded once to {@code type} (as {@link #fromRows} of those rows rounds it).
     * Where the result is {@linkplain HostMemory#addressable addressable} the products are written straight into its
     * buffer; otherwise the rows are assembled as doubles and handed to {@link #fromRows}.
     *
     * @param rows    {@code [K][C]} rows ({@code K} may be 0)
     * @param at      {@code [K]} distinct rows of the result, each in {@code [0, n)}
     * @param factors {@code [K]} the factor of each row
     * @param n       the number of rows of the result, at least one
     * @param c       the number of columns
     * @param type    the data type of the result
     * @return a new {@code [n, C]} array in C order
     */
    static INDArray scatterRows(double[][] rows, int[] at, double[] factors, int n, int c, DataType type) {
        if (!HostMemory.addressable(type, (long) n * c)) {
            double[][] full = new double[n][c];
            for (int k = 0; k < at.length; k++) {
                for (int j = 0; j < c; j++) {
                    full[at[k]][j] = factors[k] * rows[k][j];
                }
            }
            return fromRows(full, type);
        }
        INDArray out = Nd4j.create(type, new long[]{n, c}, 'c');
        RowTasks tasks = RowTasks.forBatch(at.length, c);
        if (type == DataType.FLOAT) {
            FloatBuffer buffer = out.data().asNioFloat();
            tasks.run(at.length, (from, to) -> {
                float[] row = new float[c];
                for (int k = from; k < to; k++) {
                    for (int j = 0; j < c; j++) {
                        row[j] = (float) (factors[k] * rows[k][j]);
                    }
                    buffer.put(buffer.position() + at[k] * c, row);
                }
            });
        } else {
            DoubleBuffer buffer = out.data().asNioDouble();
            tasks.run(at.length, (from, to) -> {
                double[] row = new double[c];
                for (int k = from; k < to; k++) {
                    for (int j = 0; j < c; j++) {
                        row[j] = factors[k] * rows[k][j];
                    }
                    buffer.put(buffer.position() + at[k] * c, row);
                }
            });
        }
        return out;
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
