package org.dtkd4j.spark;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.dl4j.TeacherLabels;
import org.dtkd4j.core.engine.TeacherLogitCache;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Builds, on an executor, the training batches of one epoch whose positions a partition holds: each batch is the
 * one an {@link ImageDataSetIterator} (shuffled, with the run's seed and augmentation) returns at that position of
 * the epoch, so its images are augmented exactly as on one machine; the teacher (borrowed from
 * {@link ExecutorTeachers}) computes the logits of exactly those augmented images, or, without augmentation, they are
 * read from the precomputed {@link TeacherLogitCache}; the labels are packed
 * {@link TeacherLabels#pack [one-hot | teacher logits]} as the distillation loss expects (one-hot alone without a
 * teacher).
 */
final class EpochBatches implements FlatMapFunction<Iterator<Integer>, MultiDataSet> {

    private static final long serialVersionUID = 1L;

    private final Broadcast<ImageDataset> data;
    private final int batchSize;
    private final long seed;
    /** {@link Augmentation#padding()} and {@link Augmentation#horizontalFlip()} (the record is not serializable) */
    private final int padding;
    private final boolean flip;
    private final int dl4jEpoch;
    private final DataType dataType;
    private final String teacherKey;
    private final TeacherSource teacher;
    private final Broadcast<TeacherLogitCache> logits;

    /**
     * @param data         the training split, broadcast
     * @param batchSize    examples per batch
     * @param seed         the run's data seed
     * @param augmentation the training augmentation
     * @param dl4jEpoch    the epoch, from 0
     * @param dataType     the student's data type
     * @param teacherKey   the key of {@code teacher} in {@link ExecutorTeachers}
     * @param teacher      opens the teacher; null when {@code logits} are given, or to train on one-hot labels alone
     * @param logits       the teacher's logits of every example (only without augmentation), or null
     */
    EpochBatches(Broadcast<ImageDataset> data, int batchSize, long seed, Augmentation augmentation, int dl4jEpoch,
                 DataType dataType, String teacherKey, TeacherSource teacher, Broadcast<TeacherLogitCache> logits) {
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.padding = augmentation.padding();
        this.flip = augmentation.horizontalFlip();
        this.dl4jEpoch = dl4jEpoch;
        this.dataType = dataType;
        this.teacherKey = teacherKey;
        this.teacher = teacher;
        this.logits = logits;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Integer> positions) {
        List<MultiDataSet> out = new ArrayList<>();
        if (!positions.hasNext()) {
            return out.iterator();
        }
        Teacher t = teacher == null ? null : ExecutorTeachers.borrow(teacherKey, teacher);
        try (ImageDataSetIterator it = ImageDataSetIterator.builder(data.value()).batchSize(batchSize).shuffle(true)
                .augmentation(new Augmentation(padding, flip)).seed(seed).dataType(dataType).prefetch(0).build()) {
            it.setEpoch(dl4jEpoch);
            while (positions.hasNext()) {
                it.seekBatch(positions.next());
                DataSet ds = it.next();
                INDArray teacherLogits = logits != null ? logits.value().cached(it.lastBatchExamples())
                        : t != null ? t.logits(ds.getFeatures()) : null;
                out.add(new org.nd4j.linalg.dataset.MultiDataSet(ds.getFeatures(),
                        teacherLogits == null ? ds.getLabels() : TeacherLabels.pack(ds.getLabels(), teacherLogits)));
            }
        } finally {
            if (t != null) {
                ExecutorTeachers.release(teacherKey, t);
            }
        }
        return out.iterator();
    }
}
