package org.dtkd4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.EpochStatsListener;
import org.dtkd4j.core.engine.EpochTrainer;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.engine.TeacherLogitCache;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Trains a {@link Distiller}'s epochs on Apache Spark with DL4J's {@link ParameterAveragingTrainingMaster}
 * (synchronous parameter averaging): {@code distiller.trainEpochsWith(new SparkDistillation(sc, teacherSource, 2, 5))}.
 *
 * <p>An epoch's {@code B} batches (the engine's batches: same order, same augmentation) are cut into rounds of
 * {@code workers × averagingFrequency} consecutive batches. In a round each of {@code workers} Spark tasks builds its
 * {@code averagingFrequency} batches ({@link EpochBatches}: images augmented on the executor, the teacher's logits of
 * exactly those images, labels packed for the distillation loss), starts from the driver's parameters and updater
 * state (broadcast), and takes one SGD step per batch; then the driver averages the workers' parameters (BatchNorm
 * running statistics included) and updater state (momentum), and the next round starts from the average. The
 * executors' copies of the student get the driver's epoch and iteration counters ({@link CounterHook}: DL4J drops
 * them) and its BatchNorm kernels ({@link FusedBatchNorm} when the driver's student has it), and run the engine's
 * listeners: the divergence guard, the loss's epoch synchronisation (so the warmup factor
 * and the learning rate follow the real epoch) and the weight decay; their per-batch statistics come back through a
 * Spark accumulator.
 *
 * <p>Effective batch and learning rate: with {@code averagingFrequency = 1}, SGD with momentum being linear in the
 * gradient, a round equals one step on the mean gradient of {@code workers} batches, i.e. a batch of
 * {@code workers × batchSize} at the recipe's learning rate, {@code 1/workers} as many steps per epoch (as the
 * engine's own {@code workers} option). With {@code averagingFrequency = k > 1} the workers drift apart for {@code k}
 * local steps before they are averaged (local SGD). One worker reproduces the engine's steps exactly.
 *
 * <p>The teacher is opened once per executor thread from its {@link TeacherSource} and reused by every later
 * task; the training split is broadcast once per run. Without augmentation an example's teacher logits are the same
 * in every epoch: the executors then compute them once, before the first epoch a {@code SparkDistillation} trains
 * ({@link TeacherLogitsJob}; {@code N × C} values, broadcast), and the epochs read them instead of running the
 * teacher. Each round persists its batches (serialized, in memory) while
 * DL4J counts and trains them, then drops them.
 */
public final class SparkDistillation implements EpochTrainer {

    private final JavaSparkContext sc;
    private final TeacherSource teacher;
    private final String teacherKey = UUID.randomUUID().toString();
    private final int workers;
    private final int averagingFrequency;
    private ImageDataset broadcastData;
    private Broadcast<ImageDataset> dataBroadcast;
    /** The teacher's logits of {@link #broadcastData}, once computed for training without augmentation. */
    private Broadcast<TeacherLogitCache> logitBroadcast;

    /**
     * @param sc                 the Spark context
     * @param teacher            opens the teacher on the executors; null for a run without teacher
     * @param workers            Spark tasks training in parallel per round, &gt;= 1 (at most the cluster's cores
     *                           are useful)
     * @param averagingFrequency steps each worker takes between two averagings, &gt;= 1
     * @throws IllegalArgumentException if a count is below 1
     */
    public SparkDistillation(JavaSparkContext sc, TeacherSource teacher, int workers, int averagingFrequency) {
        if (sc == null) {
            throw new IllegalArgumentException("the Spark context must not be null, found null");
        }
        if (workers < 1 || averagingFrequency < 1) {
            throw new IllegalArgumentException("workers and averaging frequency must be >= 1, found " + workers
                    + " and " + averagingFrequency);
        }
        this.sc = sc;
        this.teacher = teacher;
        this.workers = workers;
        this.averagingFrequency = averagingFrequency;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "Spark %s: %d worker%s, parameters and momentum averaged every %d step%s "
                        + "(DL4J ParameterAveragingTrainingMaster)", sc.master(), workers, workers == 1 ? "" : "s",
                averagingFrequency, averagingFrequency == 1 ? "" : "s");
    }

    /**
     * @param e what a Spark job threw: a {@code SparkException} (checked) whose message holds the failed task's
     *          exception and its stack trace, or a runtime exception
     * @return a runtime exception whose message is the first line (e.g. the executor's "student logits must be
     *         finite ..."), with {@code e} attached as suppressed so that its trace is kept
     */
    static RuntimeException taskFailure(Exception e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        IllegalStateException failure = new IllegalStateException(String.valueOf(e.getMessage()).lines().findFirst()
                .orElse(e.getClass().getName()));
        failure.addSuppressed(e);
        return failure;
    }

    @Override
    public void trainEpoch(Epoch epoch) {
        if (epoch.trainData() != broadcastData) {
            if (dataBroadcast != null) {
                dataBroadcast.destroy();
            }
            if (logitBroadcast != null) {
                logitBroadcast.destroy();
                logitBroadcast = null;
            }
            dataBroadcast = sc.broadcast(epoch.trainData());
            broadcastData = epoch.trainData();
        }
        DataType dataType = epoch.student().params().dataType();
        if (teacher != null && epoch.augmentation().equals(Augmentation.NONE) && logitBroadcast == null) {
            logitBroadcast = sc.broadcast(TeacherLogitsJob.run(sc, dataBroadcast, epoch.batchSize(), dataType,
                    workers, teacherKey, teacher));
        }
        CounterHook counters = new CounterHook();
        StatsAccumulator stats = new StatsAccumulator();
        sc.sc().register(stats, "dtkd epoch statistics");
        List<TrainingListener> listeners = new ArrayList<>();
        for (TrainingListener l : epoch.listeners()) {
            listeners.add(l instanceof EpochStatsListener ? new RecordingListener(stats) : l);
        }
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers,
                epoch.batchSize()).batchSizePerWorker(epoch.batchSize()).averagingFrequency(averagingFrequency)
                .saveUpdater(true).workerPrefetchNumBatches(0).rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never).collectTrainingStats(false).trainingHooks(counters).build();
        master.setListeners(listeners);
        SparkComputationGraph net = new SparkComputationGraph(sc, epoch.student(), master);
        EpochBatches build = new EpochBatches(dataBroadcast, epoch.batchSize(), epoch.seed(), epoch.augmentation(),
                epoch.dl4jEpoch(), dataType, teacherKey, logitBroadcast == null ? teacher : null, logitBroadcast);
        int batches = (epoch.trainData().size() + epoch.batchSize() - 1) / epoch.batchSize();
        int round = workers * averagingFrequency;
        for (int first = 0; first < batches; first += round) {
            List<Integer> positions = IntStream.range(first, Math.min(batches, first + round)).boxed().toList();
            int tasks = (positions.size() + averagingFrequency - 1) / averagingFrequency;
            JavaRDD<MultiDataSet> data = sc.parallelize(positions, tasks).mapPartitions(build);
            counters.set(epoch.student().getEpochCount(), epoch.student().getIterationCount(),
                    FusedBatchNorm.installedIn(epoch.student()) > 0);
            try {
                master.executeTrainingMDS(net, data);
            } catch (Exception e) { // Scala code throws the checked SparkException undeclared
                throw taskFailure(e);
            } finally {
                data.unpersist(false);
            }
            EpochStatsListener done = stats.value();
            stats.reset();
            epoch.stats().add(done);
        }
    }
}
