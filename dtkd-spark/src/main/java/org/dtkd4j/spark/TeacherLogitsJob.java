package org.dtkd4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.engine.TeacherLogitCache;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Computes the teacher's logits of every training example once, on the executors, for training without augmentation
 * (an example's features, hence its teacher logits, are then the same in every epoch): the executors run the teacher
 * on the training split in dataset order, the driver collects the logits into a {@link TeacherLogitCache}, which the
 * epochs then read by example index instead of running the teacher.
 */
final class TeacherLogitsJob implements FlatMapFunction<Iterator<Integer>, TeacherLogitsJob.Rows> {

    private static final long serialVersionUID = 1L;

    /** The teacher's logits of one batch: its rows' dataset indices and {@code [rows, C]} logits. */
    record Rows(int[] examples, INDArray logits) implements Serializable {
    }

    private final Broadcast<ImageDataset> data;
    private final int batchSize;
    private final DataType dataType;
    private final String teacherKey;
    private final TeacherSource teacher;

    private TeacherLogitsJob(Broadcast<ImageDataset> data, int batchSize, DataType dataType, String teacherKey,
                             TeacherSource teacher) {
        this.data = data;
        this.batchSize = batchSize;
        this.dataType = dataType;
        this.teacherKey = teacherKey;
        this.teacher = teacher;
    }

    /**
     * Runs the job.
     *
     * @param sc         the Spark context
     * @param data       the training split, broadcast
     * @param batchSize  examples per teacher batch
     * @param dataType   the features' data type (the student's)
     * @param tasks      Spark tasks to spread the batches over
     * @param teacherKey the key of {@code teacher} in {@link ExecutorTeachers}
     * @param teacher    opens the teacher
     * @return the logits of every example
     * @throws IllegalStateException if a task failed (naming its exception) or an example got no logits
     */
    static TeacherLogitCache run(JavaSparkContext sc, Broadcast<ImageDataset> data, int batchSize, DataType dataType,
                                 int tasks, String teacherKey, TeacherSource teacher) {
        ImageDataset train = data.value();
        int batches = (train.size() + batchSize - 1) / batchSize;
        List<Rows> rows;
        try {
            rows = sc.parallelize(IntStream.range(0, batches).boxed().toList(), Math.min(tasks, batches))
                    .mapPartitions(new TeacherLogitsJob(data, batchSize, dataType, teacherKey, teacher)).collect();
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            throw SparkDistillation.taskFailure(e);
        }
        TeacherLogitCache cache = new TeacherLogitCache(train.size(), train.numClasses());
        for (Rows r : rows) {
            cache.put(r.examples(), r.logits());
        }
        if (cache.filled() != train.size()) {
            throw new IllegalStateException("the teacher's logits cover " + cache.filled() + " of the "
                    + train.size() + " examples of " + train.name());
        }
        return cache;
    }

    @Override
    public Iterator<Rows> call(Iterator<Integer> positions) {
        List<Rows> out = new ArrayList<>();
        if (!positions.hasNext()) {
            return out.iterator();
        }
        Teacher t = ExecutorTeachers.borrow(teacherKey, teacher);
        try (ImageDataSetIterator it = ImageDataSetIterator.builder(data.value()).batchSize(batchSize)
                .augmentation(Augmentation.NONE).dataType(dataType).prefetch(0).build()) {
            while (positions.hasNext()) {
                it.seekBatch(positions.next());
                DataSet ds = it.next();
                out.add(new Rows(it.lastBatchExamples(), t.logits(ds.getFeatures())));
            }
        } finally {
            ExecutorTeachers.release(teacherKey, t);
        }
        return out.iterator();
    }
}
