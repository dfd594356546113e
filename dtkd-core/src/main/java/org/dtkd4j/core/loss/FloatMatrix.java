package org.dtkd4j.core.loss;

import java.nio.FloatBuffer;

/**
 * Rows of float32 values in a buffer: row {@code i}, column {@code j} of the matrix is
 * {@code buffer.get(buffer.position() + i·rowStride + firstColumn + j)}, the columns of a row consecutive (for
 * example an ND4J array in C order, or the teacher half {@code [C, 2C)} of packed labels).
 *
 * @param buffer      the values; its position is where row 0 starts
 * @param rowStride   the distance between rows, {@code >= 0}
 * @param firstColumn the column read as column 0, {@code >= 0}
 */
public record FloatMatrix(FloatBuffer buffer, long rowStride, int firstColumn) {

    /** Validates the record. */
    public FloatMatrix {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer must not be null, found null");
        }
        if (rowStride < 0 || firstColumn < 0) {
            throw new IllegalArgumentException("row stride and first column must be >= 0, found " + rowStride + " and "
                    + firstColumn);
        }
    }

    /** Copies {@code length} values of row {@code i} into {@code dst[offset, offset + length)}. */
    void read(int i, float[] dst, int offset, int length) {
        buffer.get(index(i), dst, offset, length);
    }

    /** Copies {@code src[0, length)} into row {@code i}. */
    void write(int i, float[] src, int length) {
        buffer.put(index(i), src, 0, length);
    }

    /** @return whether row {@code i} holds {@code expected[offset, offset + length)}, value for value */
    boolean holds(int i, float[] expected, int offset, int length) {
        return buffer.slice(index(i), length).mismatch(FloatBuffer.wrap(expected, offset, length)) < 0;
    }

    private int index(int i) {
        return Math.toIntExact(buffer.position() + i * rowStride + firstColumn);
    }
}
