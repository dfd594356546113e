package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.Method;

/**
 * Validation and conversion of loss inputs, shared by every front end. Each failure is an
 * {@link IllegalArgumentException} naming the input ({@code "student logits"}, {@code "teacher logits"},
 * {@code "labels"}) and what was found.
 */
public final class LossInputs {

    private LossInputs() {
    }

    /**
     * Checks a batch: student logits {@code [N][C]} with {@code N >= 1}, {@code C >= 2}, all finite; teacher logits
     * of the same shape, all finite (when the method uses a teacher); one target per row in {@code [0, C)}.
     *
     * @param method  the loss's method; {@link Method#NONE} ignores {@code teacher}
     * @param student student logits
     * @param teacher teacher logits
     * @param targets target class indices
     */
    public static void validate(Method method, double[][] student, double[][] teacher, int[] targets) {
        int n = requireMatrix("student logits", student, -1);
        int c = student[0].length;
        if (c < 2) {
            throw new IllegalArgumentException("student logits must have at least 2 classes, found " + c);
        }
        requireMatrix("student logits", student, c);
        requireFinite("student logits", student);
        if (method.usesTeacher()) {
            if (teacher == null) {
                throw new IllegalArgumentException("teacher logits must not be null for " + method + ", found null");
            }
            if (teacher.length != n || teacher.length > 0 && teacher[0].length != c) {
                throw new IllegalArgumentException("teacher logits shape [" + teacher.length + ", "
                        + (teacher.length > 0 ? teacher[0].length : 0) + "] does not match student logits shape ["
                        + n + ", " + c + "]");
            }
            requireMatrix("teacher logits", teacher, c);
            requireFinite("teacher logits", teacher);
        }
        if (targets == null) {
            throw new IllegalArgumentException("labels must not be null, found null");
        }
        if (targets.length != n) {
            throw new IllegalArgumentException("labels has " + targets.length + " entries, expected " + n
                    + " (one per student logits row)");
        }
        for (int i = 0; i < n; i++) {
            if (targets[i] < 0 || targets[i] >= c) {
                throw new IllegalArgumentException("labels[" + i + "] = " + targets[i] + " is out of range [0, " + c
                        + ")");
            }
        }
    }

    /**
     * Target classes from one-hot rows: each row must hold exactly one 1 and zeros elsewhere.
     *
     * @param oneHot {@code [N][C]} one-hot labels
     * @return {@code [N]} class indices
     */
    public static int[] targetsFromOneHot(double[][] oneHot) {
        int n = requireMatrix("labels", oneHot, -1);
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            targets[i] = oneHotTarget(oneHot[i], i);
        }
        return targets;
    }

    /**
     * The target class of one row of one-hot labels, which must hold exactly one 1 and zeros elsewhere.
     *
     * @param row one row of labels
     * @param i   its row index, for the message
     * @return the column of its 1
     * @throws IllegalArgumentException naming the row and the first value that breaks the rule
     */
    public static int oneHotTarget(double[] row, int i) {
        int hot = -1;
        for (int j = 0; j < row.length; j++) {
            double x = row[j];
            if (x != 0.0) {
                if (x == 1.0 && hot < 0) {
                    hot = j;
                } else {
                    throw new IllegalArgumentException("labels row " + i + " is not one-hot: found " + x
                            + " at column " + j + " (expected exactly one 1 and zeros)");
                }
            }
        }
        if (hot < 0) {
            throw new IllegalArgumentException("labels row " + i + " is not one-hot: found no 1 (row sum 0)");
        }
        return hot;
    }

    /**
     * Target classes from integer-valued labels.
     *
     * @param indices    {@code [N]} class indices
     * @param numClasses the number of classes {@code C}
     * @return the indices as {@code int}, each checked to lie in {@code [0, C)}
     */
    public static int[] targetsFromIndices(long[] indices, int numClasses) {
        int[] targets = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= numClasses) {
                throw new IllegalArgumentException("labels[" + i + "] = " + indices[i] + " is out of range [0, "
                        + numClasses + ")");
            }
            targets[i] = (int) indices[i];
        }
        return targets;
    }

    private static int requireMatrix(String name, double[][] x, int columns) {
        if (x == null) {
            throw new IllegalArgumentException(name + " must not be null, found null");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException(name + " must have at least one row, found 0");
        }
        int c = columns >= 0 ? columns : x[0].length;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != c) {
                throw new IllegalArgumentException(name + " row " + i + " has "
                        + (x[i] == null ? "no" : String.valueOf(x[i].length)) + " columns, expected " + c);
            }
        }
        return x.length;
    }

    private static void requireFinite(String name, double[][] x) {
        int i = RowMath.firstNonFiniteRow(x, RowTasks.forBatch(x.length, x[0].length));
        for (int j = 0; i >= 0 && j < x[i].length; j++) {
            if (!Double.isFinite(x[i][j])) {
                throw new IllegalArgumentException(name + " must be finite, found " + x[i][j] + " at [" + i + ", "
                        + j + "]");
            }
        }
    }
}
