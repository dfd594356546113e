package org.dtkd4j.core.engine;

import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The teacher's logits of every training example, computed once and reused in every later epoch. Valid only when an
 * example's features are the same in every epoch, i.e. training without augmentation: the cache is keyed by the
 * example's index in the dataset ({@link ImageDataSetIterator#lastBatchExamples()}), whatever the shuffled order.
 *
 * <p>Filling: a batch with an example not cached yet is run through the teacher, and the logits of its new examples
 * are stored; a batch whose examples are all cached is served from memory without the teacher. Since every epoch
 * visits every example once, the first epoch of a process fills the cache and the teacher is asked for each training
 * example exactly once; later epochs train on exactly the logits the first epoch computed.
 *
 * <p>Memory: {@code N × C} values for {@code N} training examples and {@code C} classes, held on the Java heap as
 * {@code float} (4 bytes each; 8 as {@code double} for a double-precision teacher): CIFAR-100 (50,000 × 100) takes
 * 20 MB. Values are stored exactly and returned in the teacher's data type, so a batch built from the cache is
 * bit-identical to the teacher's output for those examples.
 *
 * <p>Serializable: a cache filled elsewhere ({@link #put}) can be broadcast to the workers of a cluster, which read
 * it with {@link #cached}.
 */
public final class TeacherLogitCache implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int size;
    private final int classes;
    private final boolean[] cached;
    private int filled;
    private long teacherExamples;
    private DataType type;
    private float[] floats;
    private double[] doubles;

    /**
     * @param size    number of training examples
     * @param classes number of classes
     * @throws IllegalArgumentException if {@code size × classes} exceeds what one Java array holds
     */
    public TeacherLogitCache(int size, int classes) {
        if ((long) size * classes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a teacher logit cache of " + size + " examples × " + classes
                    + " classes exceeds one Java array, found " + (long) size * classes + " values");
        }
        this.size = size;
        this.classes = classes;
        this.cached = new boolean[size];
    }

    /** @return values the cache holds when full, {@code N × C} */
    long values() {
        return (long) size * classes;
    }

    /** @return examples the teacher was run on so far */
    long teacherExamples() {
        return teacherExamples;
    }

    /** @return examples whose logits are cached */
    public int filled() {
        return filled;
    }

    /**
     * Wraps a training iterator: each batch's labels become {@code [one-hot | teacher logits]}, with the logits taken
     * from this cache (see the class comment).
     *
     * @param base    the training iterator, without augmentation
     * @param teacher the frozen teacher
     * @return the labelling iterator
     */
    DataSetIterator labelling(ImageDataSetIterator base, Teacher teacher) {
        return new TeacherLabelIterator(base, teacher) {
            @Override
            protected INDArray teacherLogits(DataSet batch) {
                return logits(base.lastBatchExamples(), batch.getFeatures(), teacher());
            }
        };
    }

    /**
     * @param examples dataset indices of the batch's rows
     * @param features the batch's features, for the teacher when an example is not cached
     * @param teacher  the frozen teacher
     * @return {@code [examples.length, C]} logits in the teacher's data type, from the cache
     */
    INDArray logits(int[] examples, INDArray features, Teacher teacher) {
        boolean complete = true;
        for (int e : examples) {
            complete &= cached[e];
        }
        if (!complete) {
            put(examples, teacher.logits(features));
        }
        return gather(examples);
    }

    /**
     * @param examples dataset indices of the batch's rows
     * @return {@code [examples.length, C]} logits in the teacher's data type
     * @throws IllegalStateException if an example is not cached, naming it
     */
    public INDArray cached(int[] examples) {
        for (int e : examples) {
            if (!cached[e]) {
                throw new IllegalStateException("the teacher's logits of example " + e + " are not cached, found "
                        + filled + " of " + size + " examples cached");
            }
        }
        return gather(examples);
    }

    /**
     * Stores the teacher's logits of a batch's examples (those not cached yet).
     *
     * @param examples dataset indices of the batch's rows
     * @param logits   {@code [examples.length, C]} teacher logits, all of one data type
     * @throws IllegalArgumentException if the shape or the data type does not fit
     */
    public void put(int[] examples, INDArray logits) {
        if (logits.rank() != 2 || logits.size(0) != examples.length || logits.size(1) != classes) {
            throw new IllegalArgumentException("teacher logits must be " + Arrays.toString(new long[]{examples.length,
                    classes}) + ", found " + Arrays.toString(logits.shape()));
        }
        teacherExamples += examples.length;
        if (type == null) {
            type = logits.dataType();
            if (type == DataType.DOUBLE) {
                doubles = new double[size * classes];
            } else {
                floats = new float[size * classes];
            }
        }
        if (logits.dataType() != type) {
            throw new IllegalArgumentException("the teacher's logits changed data type from " + type + ", found "
                    + logits.dataType());
        }
        // one copy of the whole batch in row-major order (ND4J's toDoubleMatrix copies row by row)
        INDArray rows = logits.dup('c');
        double[] d = doubles != null ? rows.data().asDouble() : null;
        float[] f = floats != null ? rows.data().asFloat() : null;
        for (int k = 0; k < examples.length; k++) {
            int e = examples[k];
            if (cached[e]) {
                continue;
            }
            if (d != null) {
                System.arraycopy(d, k * classes, doubles, e * classes, classes);
            } else {
                System.arraycopy(f, k * classes, floats, e * classes, classes);
            }
            cached[e] = true;
            filled++;
        }
    }

    private INDArray gather(int[] examples) {
        long[] shape = {examples.length, classes};
        try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (doubles != null) {
                double[] out = new double[examples.length * classes];
                for (int k = 0; k < examples.length; k++) {
                    System.arraycopy(doubles, examples[k] * classes, out, k * classes, classes);
                }
                return Nd4j.create(out, shape, DataType.DOUBLE);
            }
            float[] out = new float[examples.length * classes];
            for (int k = 0; k < examples.length; k++) {
                System.arraycopy(floats, examples[k] * classes, out, k * classes, classes);
            }
            INDArray logits = Nd4j.create(out, shape, DataType.FLOAT);
            return type == DataType.FLOAT ? logits : logits.castTo(type);
        }
    }
}
