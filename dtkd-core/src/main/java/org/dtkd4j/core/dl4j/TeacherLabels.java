package org.dtkd4j.core.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * The label layout of {@link DistillationLossFunction}: for {@code C} classes, labels are {@code [N, 2C]}, the
 * one-hot hard labels in columns {@code [0, C)} followed by the teacher's logits in columns {@code [C, 2C)}. This is
 * how a standard DL4J output layer, which receives one labels array per minibatch, gets the teacher's logits.
 */
public final class TeacherLabels {

    private TeacherLabels() {
    }

    /**
     * @param oneHot        {@code [N, C]} one-hot labels
     * @param teacherLogits {@code [N, C]} teacher logits
     * @return {@code [N, 2C]} packed labels, in the teacher logits' data type
     * @throws IllegalArgumentException if the shapes are not both {@code [N, C]} with {@code C >= 2}
     */
    public static INDArray pack(INDArray oneHot, INDArray teacherLogits) {
        if (oneHot == null || teacherLogits == null) {
            throw new IllegalArgumentException("labels and teacher logits must not be null, found "
                    + (oneHot == null ? "null labels" : "null teacher logits"));
        }
        if (oneHot.rank() != 2 || teacherLogits.rank() != 2 || oneHot.size(0) != teacherLogits.size(0)
                || oneHot.size(1) != teacherLogits.size(1) || oneHot.size(1) < 2) {
            throw new IllegalArgumentException("labels and teacher logits must both be [N, C] with C >= 2, found "
                    + "labels " + Arrays.toString(oneHot.shape()) + " and teacher logits "
                    + Arrays.toString(teacherLogits.shape()));
        }
        if (!teacherLogits.dataType().isFPType()) {
            throw new IllegalArgumentException("teacher logits must be floating point, found "
                    + teacherLogits.dataType());
        }
        return Nd4j.hstack(oneHot.castTo(teacherLogits.dataType()), teacherLogits);
    }

    /**
     * @param packed {@code [N, 2C]} packed labels
     * @return the number of classes {@code C}
     * @throws IllegalArgumentException if {@code packed} is not rank 2 with an even width of at least 4
     */
    public static int numClasses(INDArray packed) {
        if (packed.rank() != 2 || packed.size(1) % 2 != 0 || packed.size(1) < 4) {
            throw new IllegalArgumentException("packed labels must be [N, 2C] with C >= 2, found "
                    + Arrays.toString(packed.shape()));
        }
        return (int) (packed.size(1) / 2);
    }

    /**
     * @param packed {@code [N, 2C]} packed labels
     * @return a view of the one-hot labels, {@code [N, C]}
     */
    public static INDArray oneHot(INDArray packed) {
        return packed.get(NDArrayIndex.all(), NDArrayIndex.interval(0, numClasses(packed)));
    }

    /**
     * @param packed {@code [N, 2C]} packed labels
     * @return a view of the teacher logits, {@code [N, C]}
     */
    public static INDArray teacherLogits(INDArray packed) {
        int c = numClasses(packed);
        return packed.get(NDArrayIndex.all(), NDArrayIndex.interval(c, 2L * c));
    }
}
