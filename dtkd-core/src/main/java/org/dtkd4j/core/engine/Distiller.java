package org.dtkd4j.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.optim.SgdMomentum;
import org.dtkd4j.core.optim.TorchBatchNorm;
import org.dtkd4j.core.optim.TorchWeightDecay;
import org.dtkd4j.core.perf.ForwardCache;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The distillation engine: trains a student {@link ComputationGraph} against a frozen {@link Teacher} with one of
 * the {@link Method}s, with the reference recipe ({@link TrainingRecipe}), evaluating every epoch, writing a run
 * directory, and resuming exactly after a kill.
 *
 * <p>Run directory:
 * <pre>
 *   config.json            the resolved configuration (method and loss parameters, recipe, models, data)
 *   metrics.csv            one row per epoch ({@link EpochMetrics#COLUMNS})
 *   summary.json           the final {@link RunSummary}
 *   train.log              the log lines of every process that worked on the run
 *   checkpoints/latest.zip after every epoch (ModelSerializer, with updater state)
 *   checkpoints/best.zip   the epoch with the best test top-1
 *   checkpoints/epoch-NNN.zip every {@link TrainingRecipe#checkpointEvery()} epochs
 * </pre>
 * Every file is written atomically ({@link AtomicFiles}), so a kill at any moment leaves loadable files.
 *
 * <p>What a step does: the teacher's logits for the minibatch are computed once (inference mode) and packed into
 * the labels ({@link TeacherLabelIterator}); the student's output layer carries a {@link DistillationLossFunction};
 * the optimizer is {@link SgdMomentum} with the reference step schedule and {@link TorchWeightDecay} (PyTorch
 * semantics); BatchNorm layers update their running variance with the unbiased batch variance, as PyTorch
 * ({@link TorchBatchNorm}). {@link #fit(int, DataSetIterator)} takes these steps on the caller's batches. A step
 * whose loss or gradient is not finite is stopped before its update, and the run ends with a
 * {@link TrainingDivergedException} naming the epoch, the batch and the loss terms.
 *
 * <p>Exact resume: the data order and augmentation of epoch {@code e} depend only on (seed, e); the checkpoint holds
 * the parameters, BatchNorm statistics, updater state and epoch/iteration counters; so a run resumed from epoch
 * {@code k} computes the same as an uninterrupted run (bit-identical on the CPU backend with the same thread count).
 * {@code config.json} also records the augmentation, the teacher-logit cache, the worker count and the convolution
 * activation cache, and a resumed run uses them (a {@code config.json} without them, from an older version, means
 * {@link Augmentation#REFERENCE}, no caches, 1 worker).
 *
 * <p>Options ({@link Builder}):
 * <ul>
 *   <li>{@link Builder#augmentation}: the training images' augmentation, {@link Augmentation#REFERENCE} by
 *   default.</li>
 *   <li>{@link Builder#cacheTeacherLogits}: with {@link Augmentation#NONE}, the teacher runs on each training example
 *   once (during the first epoch of the process) and later epochs reuse its logits, keyed by example index; the
 *   result equals the uncached run's. {@code N × C} values of memory, logged.</li>
 *   <li>{@link Builder#workers}: data-parallel training with DL4J's {@code ParallelWrapper}, parameters and momentum
 *   averaged after every round of one batch per worker. Each {@code metrics.csv} row then reports the loss terms,
 *   temperatures and train top-1 of every batch of every worker (each computed by the worker's replica before its
 *   step, summed over the epoch as with one worker); the check that every batch used the epoch's warmup factor
 *   guards that the epoch counter reached the replicas. The divergence guard runs on every replica and stops the
 *   epoch before the round is averaged. Resume is exact as well (the replicas are rebuilt from the student at the
 *   start of every epoch); only the order in which the workers' batch statistics are summed may vary in the last
 *   bits between runs.</li>
 *   <li>{@link Builder#cacheConvActivations}: convolution layers keep their training forward activations for
 *   backprop instead of recomputing them (on by default; bitwise-identical results, faster, more memory).</li>
 *   <li>{@link Builder#fusedBatchNorm}: the student's BatchNorm layers run {@link FusedBatchNorm}, one fused pass
 *   per direction, instead of DL4J's helper (on by default; results equal to float32 rounding, faster).</li>
 *   <li>{@link #trainEpochsWith}: another {@link EpochTrainer} takes the epochs' steps, e.g. a Spark cluster (module
 *   {@code dtkd-spark}); evaluation, metrics, checkpoints and resume stay here.</li>
 * </ul>
 */
public final class Distiller {

    /** Resolved configuration file of a run directory. */
    public static final String CONFIG_FILE = "config.json";
    /** Per-epoch metrics file of a run directory. */
    public static final String METRICS_FILE = "metrics.csv";
    /** Final summary file of a run directory. */
    public static final String SUMMARY_FILE = "summary.json";
    /** Log file of a run directory. */
    public static final String LOG_FILE = "train.log";
    /** Checkpoint directory of a run directory. */
    public static final String CHECKPOINT_DIR = "checkpoints";
    /** The checkpoint written after every epoch. */
    public static final String LATEST = "latest.zip";
    /** The checkpoint of the best epoch by test top-1. */
    public static final String BEST = "best.zip";

    private final ComputationGraph student;
    private final DistillationLossFunction lossFunction;
    private final Teacher teacher;
    private final TrainTestSplit data;
    private final TrainingRecipe recipe;
    private final RunDirectory runDirectory;
    private final Progress progress;
    private final Options options;
    private final EpochStatsListener stats = new EpochStatsListener();
    /** The teacher's logits of the training set, or null when not caching. */
    private final TeacherLogitCache logitCache;
    /** Where the epochs' steps run when not on this thread or its ParallelWrapper; null: here. */
    private EpochTrainer epochTrainer;

    private Distiller(ComputationGraph student, Teacher teacher, TrainTestSplit data, TrainingRecipe recipe,
                      Options options, RunDirectory runDirectory, Progress progress) {
        this.student = student;
        this.teacher = teacher;
        this.data = data;
        this.recipe = recipe;
        this.options = options;
        this.logitCache = options.cacheTeacherLogits()
                ? new TeacherLogitCache(data.train().size(), data.train().numClasses()) : null;
        this.runDirectory = runDirectory;
        this.progress = progress;
        this.lossFunction = StudentPreparation.attach(student, options.cacheConvActivations(),
                options.fusedBatchNorm(), listeners());
    }

    /** @return the student's listeners ({@link StudentPreparation#listeners}) */
    private List<TrainingListener> listeners() {
        return StudentPreparation.listeners(recipe, stats);
    }

    /** @return a builder for a new run */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Continues a run from its latest checkpoint: same configuration, same data order, same updater state.
     *
     * @param runDir   a run directory written by {@link #run()}
     * @param teacher  the same teacher as the original run (null for {@link Method#NONE})
     * @param data     the same data as the original run
     * @param progress where progress goes
     * @param console  where log lines go (they are also appended to {@code train.log})
     * @return a distiller positioned after the last completed epoch; call {@link #run()}
     * @throws IllegalArgumentException if the directory holds no run, or the teacher or data do not match it
     */
    public static Distiller resume(Path runDir, Teacher teacher, TrainTestSplit data, Progress progress,
                                   PrintStream console) {
        RunDirectory dir = new RunDirectory(runDir, console);
        dir.requireResumable();
        RunConfig config = RunConfig.read(dir.configFile());
        ComputationGraph student = dir.restoreLatest();
        StudentPreparation.checkCompatible(config.loss(), teacher, data, config);
        int done = student.getEpochCount();
        dir.loadMetrics(done);
        Distiller d = new Distiller(student, teacher, data, config.recipe(), config.options(), dir, progress);
        d.log("resuming " + runDir + " after epoch " + done + " of " + config.recipe().epochs() + " with "
                + config.options());
        return d;
    }

    /**
     * Trains until the recipe's last epoch (from the first, or from where a resumed run stopped).
     *
     * @return the run's summary, also written to {@code summary.json}
     * @throws TrainingDivergedException if a step produced a non-finite loss or gradient
     */
    public RunSummary run() {
        return runEpochs(recipe.epochs());
    }

    /**
     * Trains at most {@code count} more epochs (never past the recipe's last), then writes the summary so far.
     * A later {@link #resume} or another call continues from there.
     *
     * @param count epochs to train, &gt; 0
     * @return the run's summary after these epochs, also written to {@code summary.json}
     * @throws TrainingDivergedException if a step produced a non-finite loss or gradient
     */
    public RunSummary runEpochs(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("epochs to run must be > 0, found " + count);
        }
        int until = (int) Math.min(recipe.epochs(), (long) student.getEpochCount() + count);
        double[] teacherAccuracy = {Double.NaN, Double.NaN};
        if (teacher != null) {
            teacherAccuracy = evaluate(teacher::logits, "teacher");
            log(String.format(Locale.ROOT, "teacher %s: test top-1 %.2f%%, top-5 %.2f%%", teacher.describe(),
                    100 * teacherAccuracy[0], 100 * teacherAccuracy[1]));
        }
        double trainSeconds = 0;
        double[] last = {Double.NaN, Double.NaN};
        try (ImageDataSetIterator base = ImageDataSetIterator.builder(data.train()).batchSize(recipe.batchSize())
                .shuffle(true).augmentation(options.augmentation()).seed(recipe.seed())
                .dataType(student.params().dataType()).build()) {
            DataSetIterator batches = teacher == null ? base
                    : logitCache != null ? logitCache.labelling(base, teacher) : new TeacherLabelIterator(base, teacher);
            if (logitCache != null && logitCache.filled() < data.train().size()) {
                log(String.format(Locale.ROOT, "caching the teacher's logits of the %d training examples during this "
                                + "run's first epoch: %d x %d = %d values, %.1f MB as float (twice for a double "
                                + "teacher)", data.train().size(), data.train().size(), data.train().numClasses(),
                        logitCache.values(), logitCache.values() * 4 / 1e6));
            }
            for (int e = student.getEpochCount(); e < until; e++) {
                base.setEpoch(e);
                EpochMetrics m = trainEpoch(e, base.batchesPerEpoch(), batches);
                trainSeconds += m.epochSeconds();
                last = new double[]{m.testTop1(), m.testTop5()};
                endEpoch(m);
            }
        }
        double[] recorded = runDirectory.lastTestAccuracy(); // throws if no epoch was ever completed
        if (Double.isNaN(last[0])) {
            last = recorded;
        }
        RunSummary summary = new RunSummary(runDirectory.path(), lossFunction.config().method(),
                student.getEpochCount(), runDirectory.bestTop1(), runDirectory.bestEpoch(), last[0], last[1],
                teacherAccuracy[0], teacherAccuracy[1], trainSeconds);
        runDirectory.writeSummary(summary);
        log(String.format(Locale.ROOT, "done: best test top-1 %.2f%% (epoch %d), last %.2f%%",
                100 * summary.bestTop1(), summary.bestEpoch(), 100 * last[0]));
        return summary;
    }

    /**
     * Lets another trainer take every following epoch's training steps, e.g. a Spark cluster (module
     * {@code dtkd-spark}); evaluation, metrics, checkpoints and resume stay as they are. Not recorded in
     * {@code config.json}: a resumed run trains where its caller says. Needs a run with 1 worker and no teacher-logit
     * cache (the trainer brings its own).
     *
     * @param trainer the trainer
     * @return this
     * @throws IllegalArgumentException if the run uses several workers or the teacher-logit cache
     */
    public Distiller trainEpochsWith(EpochTrainer trainer) {
        Objects.requireNonNull(trainer, "trainer");
        if (options.workers() != 1 || options.cacheTeacherLogits()) {
            throw new IllegalArgumentException("an epoch trainer replaces the engine's own workers and teacher-logit "
                    + "cache: build the run with 1 worker and no cache, found " + options);
        }
        this.epochTrainer = trainer;
        log("epochs train on " + trainer.describe());
        return this;
    }

    /** @return the student being trained (with the distillation loss on its output) */
    public ComputationGraph student() {
        return student;
    }

    private EpochMetrics trainEpoch(int dl4jEpoch, int batchesPerEpoch, DataSetIterator batches) {
        int epoch = dl4jEpoch + 1;
        DistillationListener.synchronize(student);
        double lr = learningRate(dl4jEpoch);
        double warmup = lossFunction.warmupFactor();
        progress.start(String.format(Locale.ROOT, "epoch %d/%d", epoch, recipe.epochs()), batchesPerEpoch);
        stats.start(progress);
        long start = System.nanoTime();
        if (epochTrainer != null) {
            try {
                epochTrainer.trainEpoch(new EpochTrainer.Epoch(student, dl4jEpoch, data.train(), recipe.batchSize(),
                        recipe.seed(), options.augmentation(), listeners(), stats));
            } catch (RuntimeException ex) {
                throw diverged(epoch, ex);
            }
        } else {
            trainSteps(epoch, batches);
        }
        progress.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        stats.requireWarmupFactor(warmup);
        student.incrementEpochCount();
        double[] test = evaluate(x -> student.output(false, x)[0], "student");
        return new EpochMetrics(epoch, lr, warmup, stats.lossTotal(), stats.termMeans(), stats.trainTop1(),
                test[0], test[1], stats.temperatures(), seconds, stats.samples() / seconds);
    }

    /**
     * Takes one training step per minibatch, at a given epoch, exactly as {@link #run()} trains (it is the step of
     * its epoch loop): the teacher's logits for the minibatch (inference mode), the student's forward pass in
     * training mode, the loss of the configured method with the epoch's warmup factor, backpropagation, the
     * divergence guard, PyTorch's weight decay and BatchNorm running statistics, and SGD with momentum at the
     * epoch's learning rate; with several workers, data-parallel rounds as in {@code run()}. Nothing is evaluated,
     * and no metrics or checkpoints are written. Lets a caller drive training with its own batches, e.g. to
     * reproduce a reference trainer's steps one for one.
     *
     * <p>The student's epoch counter becomes {@code epoch − 1} (DL4J counts from 0); it never goes back, so
     * {@code epoch} must be at least the epoch the student is in. Successive calls with the same epoch continue that
     * epoch; a later {@link #run()} or {@link #runEpochs} starts again at the beginning of the epoch the counter
     * is at.
     *
     * @param epoch   reference epoch number (from 1), &gt;= the student's current epoch + 1, &lt;= the recipe's epochs
     * @param batches minibatches of (features {@code [N, C, H, W]} in the student's data type, one-hot labels
     *                {@code [N, classes]}), consumed to the end
     * @throws IllegalArgumentException if the epoch is out of range
     * @throws TrainingDivergedException if a step produced a non-finite loss or gradient
     */
    public void fit(int epoch, DataSetIterator batches) {
        Objects.requireNonNull(batches, "batches");
        if (epoch <= student.getEpochCount() || epoch > recipe.epochs()) {
            throw new IllegalArgumentException("epoch must be in " + (student.getEpochCount() + 1) + ".."
                    + recipe.epochs() + " (the student has completed " + student.getEpochCount() + " epochs, the "
                    + "recipe has " + recipe.epochs() + "), found " + epoch);
        }
        student.getConfiguration().setEpochCount(epoch - 1);
        DistillationListener.synchronize(student);
        stats.start(null);
        trainSteps(epoch, teacher == null ? batches : new TeacherLabelIterator(batches, teacher));
    }

    /** The steps of one epoch: one {@code fit} per minibatch of teacher-labelled batches, or parallel rounds. */
    private void trainSteps(int epoch, DataSetIterator batches) {
        if (options.workers() > 1) {
            fitInParallel(epoch, batches);
            return;
        }
        while (batches.hasNext()) {
            DataSet ds = batches.next();
            try {
                student.fit(ds);
            } catch (RuntimeException ex) {
                throw diverged(epoch, ex);
            }
        }
    }

    /**
     * Trains one epoch data-parallel with DL4J's {@link ParallelWrapper} in parameter-averaging mode: each round
     * hands the next {@code workers} batches to the workers, one each; every worker takes one optimizer step on its
     * replica, then parameters (BatchNorm statistics included) and updater state (momentum) are averaged and copied
     * to every replica. Worker 0 trains the student itself, the others fresh replicas built from its configuration
     * (epoch counter, loss and its epoch included), parameters and updater state at the start of the epoch, with the
     * student's listener instances; worker 0 takes its first step only once every replica has copied that state
     * ({@link ReplicaStartBarrier}: without it a replica could copy the student after worker 0's first step, and
     * runs were not reproducible). The SGD-with-momentum step (weight decay included) is linear in the gradient,
     * and every replica starts the round from the same parameters and momentum, so the averaged round equals one
     * step on the mean of the workers' batch gradients: like a batch of {@code workers × batchSize} at the recipe's
     * learning rate, with {@code 1/workers} as many steps per epoch (BatchNorm still normalises each worker's batch
     * on its own, and its running statistics are averaged).
     */
    private void fitInParallel(int epoch, DataSetIterator batches) {
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(student).workers(options.workers())
                .trainingMode(ParallelWrapper.TrainingMode.AVERAGING).averagingFrequency(1).averageUpdaters(true)
                .prefetchBuffer(0).workspaceMode(student.getConfiguration().getTrainingWorkspaceMode())
                .reportScoreAfterAveraging(false).build();
        ReplicaStartBarrier.install(wrapper, options.workers());
        try {
            wrapper.fit(batches);
        } catch (RuntimeException ex) {
            throw diverged(epoch, ex);
        } finally {
            wrapper.shutdown();
            student.setListeners(listeners());
        }
        log(String.format(Locale.ROOT, "epoch %d: %d workers trained %d batches (%d samples)", epoch, options.workers(),
                stats.batches(), stats.samples()));
    }

    private double learningRate(int dl4jEpoch) {
        for (org.deeplearning4j.nn.api.Layer l : student.getLayers()) {
            if (l.conf().getLayer() instanceof BaseLayer bl && bl.getIUpdater() != null) {
                return bl.getIUpdater().getLearningRate(student.getIterationCount(), dl4jEpoch);
            }
        }
        throw new IllegalStateException("the student has no layer with an updater");
    }

    private TrainingDivergedException diverged(int epoch, RuntimeException cause) {
        long batch = stats.batches() + 1;
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StringBuilder what = new StringBuilder();
        lossFunction.lastBatchResult().ifPresent(r -> {
            what.append("; last loss terms:");
            r.terms().forEach((k, v) -> what.append(' ').append(k.outputName()).append('=').append(v.value()));
            what.append(" total=").append(r.total());
        });
        String message = "training diverged at epoch " + epoch + ", batch " + batch
                + (options.workers() > 1 ? " (or a batch of the same round of " + options.workers() + " workers)" : "")
                + ": " + root.getMessage() + what + (options.workers() > 1 ? "; the round's averaged update was not applied"
                : "; the update was not applied") + ", and " + runDirectory.latestCheckpoint()
                + " holds the last completed epoch";
        log(message);
        return new TrainingDivergedException(message, cause);
    }

    private void endEpoch(EpochMetrics m) {
        boolean best = runDirectory.recordEpoch(m, student, recipe.checkpointEvery());
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "epoch %d/%d  lr %.5g  loss %.4f  train top-1 %.2f%%  test top-1 %.2f%% top-5 %.2f%%%s  %.1f s",
                m.epoch(), recipe.epochs(), m.learningRate(), m.lossTotal(), 100 * m.trainTop1(), 100 * m.testTop1(),
                100 * m.testTop5(), best ? " (best)" : "", m.epochSeconds()));
        if (!m.temperatures().isEmpty()) {
            line.append(String.format(Locale.ROOT, "  T_stu %.3f [%.3f, %.3f]  T_tea %.3f [%.3f, %.3f]  guarded %d",
                    m.temperatures().studentMean(), m.temperatures().studentMin(), m.temperatures().studentMax(),
                    m.temperatures().teacherMean(), m.temperatures().teacherMin(), m.temperatures().teacherMax(),
                    m.temperatures().guardedRows()));
        }
        log(line.toString());
    }

    /** @return {top-1, top-5} of the model on the test split */
    private double[] evaluate(UnaryOperator<INDArray> logits, String who) {
        ImageDataset test = data.test();
        int k = Math.min(5, test.numClasses());
        long top1 = 0;
        long top5 = 0;
        try (ImageDataSetIterator it = ImageDataSetIterator.builder(test).batchSize(recipe.batchSize())
                .shuffle(false).augmentation(Augmentation.NONE)
                .dataType(student.params().dataType()).build()) {
            progress.start("evaluating " + who, it.batchesPerEpoch());
            while (it.hasNext()) {
                DataSet ds = it.next();
                INDArray out = logits.apply(ds.getFeatures());
                int[] hits = TopK.correct(out, ds.getLabels(), 1, k);
                top1 += hits[0];
                top5 += hits[1];
                progress.step(1, ds.numExamples());
            }
            progress.finish();
        }
        return new double[]{(double) top1 / test.size(), (double) top5 / test.size()};
    }

    private void log(String line) {
        runDirectory.log(line);
    }

    /**
     * How the engine trains, besides the loss and the recipe; persisted in {@code config.json} and used again by
     * {@link #resume}.
     *
     * @param augmentation       augmentation of the training images ({@link Augmentation#REFERENCE} by default)
     * @param cacheTeacherLogits whether the teacher's training-set logits are computed once and reused; needs
     *                           {@link Augmentation#NONE}
     * @param workers            data-parallel workers, &gt;= 1 (1 trains on the calling thread)
     * @param cacheConvActivations whether training forward passes keep the convolutions' activations for backprop
     *                           ({@link ForwardCache})
     * @param fusedBatchNorm     whether the student's BatchNorm layers run {@link FusedBatchNorm}
     */
    record Options(Augmentation augmentation, boolean cacheTeacherLogits, int workers, boolean cacheConvActivations,
                   boolean fusedBatchNorm) {

        /**
         * The options of a run whose {@code config.json} predates them: the reference augmentation, 1 worker, no
         * activation cache, DL4J's BatchNorm helper.
         */
        static final Options DEFAULTS = new Options(Augmentation.REFERENCE, false, 1, false, false);

        /** Validates the combination; messages name the settings and the values found. */
        Options {
            if (augmentation == null) {
                throw new IllegalArgumentException("augmentation must not be null, found null");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, found " + workers);
            }
            if (cacheTeacherLogits && !augmentation.equals(Augmentation.NONE)) {
                throw new IllegalArgumentException("cacheTeacherLogits(true) needs augmentation NONE: an augmented "
                        + "example changes every epoch, and so do its teacher logits; found augmentation "
                        + describe(augmentation));
            }
        }

        @Override
        public String toString() {
            return "augmentation " + describe(augmentation) + ", teacher logit cache " + (cacheTeacherLogits ? "on"
                    : "off") + ", " + workers + (workers == 1 ? " worker" : " workers") + ", conv activation cache "
                    + (cacheConvActivations ? "on" : "off") + ", fused BatchNorm " + (fusedBatchNorm ? "on" : "off");
        }

        private static String describe(Augmentation a) {
            return a.equals(Augmentation.NONE) ? "NONE" : a.equals(Augmentation.REFERENCE) ? "REFERENCE"
                    : "(padding " + a.padding() + ", flip " + a.horizontalFlip() + ")";
        }
    }

    /**
     * The resolved configuration of a run, as written to {@code config.json} of its {@link RunDirectory}: an object
     * with {@code method}, {@code loss} and {@code recipe} (the records' fields), the {@link Options}
     * ({@code augmentation}, {@code cache_teacher_logits}, {@code workers}, {@code cache_conv_activations},
     * {@code fused_batch_norm}),
     * {@code student} and {@code teacher} (names), {@code train_data}, {@code train_size} and {@code test_size}.
     */
    record RunConfig(DistillationConfig loss, TrainingRecipe recipe, Options options, String student, String teacher,
                     String trainData, int trainSize, int testSize) {

        private static final ObjectMapper JSON = RunDirectory.JSON;

        void write(Path file) {
            ObjectNode o = JSON.createObjectNode();
            o.put("method", loss.method().name());
            o.set("loss", JSON.valueToTree(loss));
            o.set("recipe", JSON.valueToTree(recipe));
            o.set("augmentation", JSON.valueToTree(options.augmentation()));
            o.put("cache_teacher_logits", options.cacheTeacherLogits());
            o.put("workers", options.workers());
            o.put("cache_conv_activations", options.cacheConvActivations());
            o.put("fused_batch_norm", options.fusedBatchNorm());
            o.put("student", student);
            o.put("teacher", teacher);
            o.put("train_data", trainData);
            o.put("train_size", trainSize);
            o.put("test_size", testSize);
            try {
                AtomicFiles.writeString(file, JSON.writeValueAsString(o));
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        static RunConfig read(Path file) {
            try {
                JsonNode o = JSON.readTree(file.toFile());
                Method method = Method.valueOf(o.get("method").asText());
                DistillationConfig loss = JSON.treeToValue(o.get("loss"), method.defaultConfig().getClass());
                TrainingRecipe recipe = JSON.treeToValue(o.get("recipe"), TrainingRecipe.class);
                Options defaults = Options.DEFAULTS;
                Options options = new Options(o.has("augmentation")
                        ? JSON.treeToValue(o.get("augmentation"), Augmentation.class) : defaults.augmentation(),
                        o.has("cache_teacher_logits") ? o.get("cache_teacher_logits").asBoolean()
                                : defaults.cacheTeacherLogits(),
                        o.has("workers") ? o.get("workers").asInt() : defaults.workers(),
                        o.has("cache_conv_activations") ? o.get("cache_conv_activations").asBoolean()
                                : defaults.cacheConvActivations(),
                        o.has("fused_batch_norm") ? o.get("fused_batch_norm").asBoolean()
                                : defaults.fusedBatchNorm());
                return new RunConfig(loss, recipe, options, o.get("student").asText(), o.get("teacher").asText(),
                        o.get("train_data").asText(), o.get("train_size").asInt(), o.get("test_size").asInt());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("run configuration " + file + " cannot be read: " + e.getMessage(), e);
            }
        }
    }

    /** Builder of a new run; {@link #build()} validates everything before any file is written. */
    public static final class Builder {
        private ComputationGraph student;
        private String studentName = "student";
        private Teacher teacher;
        private TrainTestSplit data;
        private DistillationConfig loss;
        /** Null until set: the default depends on the student's name. */
        private TrainingRecipe recipe;
        private Path runDir;
        private Progress progress;
        private PrintStream console = System.out;
        private Augmentation augmentation = Augmentation.REFERENCE;
        private boolean cacheTeacherLogits;
        private int workers = 1;
        private boolean cacheConvActivations = true;
        private boolean fusedBatchNorm = true;

        private Builder() {
        }

        /**
         * Keeps each convolution layer's training forward activations for its backward pass instead of computing
         * the convolution again there (DL4J's {@code CacheMode.DEVICE}; {@link ForwardCache}). Parameters after every
         * step are bitwise identical either way; with the cache a step runs one convolution forward fewer per
         * convolution layer and holds one more activation-sized array per convolution layer until its backward
         * pass. A resumed run uses the setting of its {@code config.json}. On by default: measured with
         * {@code dtkd bench --levers conv-cache} (README, "Performance"), a step with the cache was never slower and
         * 5-14% faster on resnet32x4→resnet8x4, for every method.
         *
         * @param v whether to cache (default true)
         * @return this
         */
        public Builder cacheConvActivations(boolean v) {
            this.cacheConvActivations = v;
            return this;
        }

        /**
         * Runs the student's BatchNorm layers (float32, NCHW, on ND4J's CPU backend) on {@link FusedBatchNorm}, one
         * fused pass over the activations per direction in Java, instead of DL4J's oneDNN helper (a reduction per
         * statistic plus libnd4j's {@code batchnorm} and {@code batchnorm_bp} ops). Outputs, gradients and parameters
         * after steps agree with DL4J's to float32 rounding, not bitwise; runs stay deterministic. Replicas of
         * {@link #workers} use DL4J's helper (Spark executors get the fused kernel too). A resumed run uses the
         * setting of its
         * {@code config.json}. On by default: measured with {@code dtkd bench --levers fused-bn} (README,
         * "Performance").
         *
         * @param v whether to use it (default true)
         * @return this
         */
        public Builder fusedBatchNorm(boolean v) {
            this.fusedBatchNorm = v;
            return this;
        }

        /**
         * @param v augmentation of the training images (default {@link Augmentation#REFERENCE}, the reference's
         *          random crop with 4 pixels of padding and horizontal flip; {@link Augmentation#NONE} trains on the
         *          images as they are)
         * @return this
         */
        public Builder augmentation(Augmentation v) {
            this.augmentation = v;
            return this;
        }

        /**
         * Computes the teacher's logits of each training example once, during the first epoch, and reuses them in
         * every later epoch (the test-set evaluation of the teacher runs once per {@link Distiller#runEpochs} call
         * either way). Needs {@link Augmentation#NONE}: {@link #build()} refuses it with augmentation, whose examples
         * and teacher logits change every epoch. Costs {@code N × C} values of memory ({@code N} training examples,
         * {@code C} classes; 4 bytes each for a float teacher), logged at the start of the run. Results equal the
         * uncached run's.
         *
         * @param v whether to cache (default false)
         * @return this
         */
        public Builder cacheTeacherLogits(boolean v) {
            this.cacheTeacherLogits = v;
            return this;
        }

        /**
         * Trains data-parallel on {@code n} workers with DL4J's ParallelWrapper (parameter averaging after every
         * round of {@code n} batches, one per worker: one step on the mean gradient of {@code n} batches). With the
         * CUDA backend the workers are spread over the visible GPUs, one device per worker in turn; on the CPU
         * backend they share the cores. {@code metrics.csv} reports the loss terms, temperatures and train top-1 of
         * every batch of every worker. A resumed run uses the worker count of its {@code config.json}.
         *
         * @param n workers, &gt;= 1 (default 1: train on the calling thread, without ParallelWrapper)
         * @return this
         */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** @param v the student network, with one OutputLayer/LossLayer output of width = classes @return this */
        public Builder student(ComputationGraph v) {
            this.student = v;
            return this;
        }

        /**
         * @param v a name for the student in config and logs (e.g. its zoo name); without a {@link #recipe}, it also
         *          chooses the reference's learning rate ({@link TrainingRecipe#reference(String)})
         * @return this
         */
        public Builder studentName(String v) {
            this.studentName = v;
            return this;
        }

        /** @param v the frozen teacher; null for {@link Method#NONE} @return this */
        public Builder teacher(Teacher v) {
            this.teacher = v;
            return this;
        }

        /** @param v training and test data @return this */
        public Builder data(TrainTestSplit v) {
            this.data = v;
            return this;
        }

        /** @param v the loss and its parameters @return this */
        public Builder loss(DistillationConfig v) {
            this.loss = v;
            return this;
        }

        /**
         * @param v the optimisation recipe (default {@link TrainingRecipe#reference(String)} of the
         *          {@link #studentName}: the reference's, with its learning rate for that student, 0.01 for
         *          MobileNetV2 and the ShuffleNets, else 0.05)
         * @return this
         */
        public Builder recipe(TrainingRecipe v) {
            this.recipe = Objects.requireNonNull(v, "recipe");
            return this;
        }

        /** @param v the run directory; must not hold a checkpoint already @return this */
        public Builder runDirectory(Path v) {
            this.runDir = v;
            return this;
        }

        /** @param v progress output (default {@link Progress#onStderr()}) @return this */
        public Builder progress(Progress v) {
            this.progress = v;
            return this;
        }

        /** @param v where log lines go besides {@code train.log} (default standard output) @return this */
        public Builder console(PrintStream v) {
            this.console = v;
            return this;
        }

        /**
         * Validates the configuration, prepares the student, and writes {@code config.json}.
         *
         * @return a distiller ready to {@link Distiller#run()}
         * @throws IllegalArgumentException naming the first problem found
         */
        public Distiller build() {
            Objects.requireNonNull(student, "student");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(loss, "loss");
            Objects.requireNonNull(runDir, "runDirectory");
            TrainingRecipe resolved = recipe != null ? recipe : TrainingRecipe.reference(studentName);
            StudentPreparation.checkCompatible(loss, teacher, data, null);
            RunDirectory dir = new RunDirectory(runDir, console);
            dir.requireNoCheckpoint();
            Options options = new Options(augmentation, cacheTeacherLogits, workers, cacheConvActivations,
                    fusedBatchNorm);
            if (cacheTeacherLogits && teacher == null) {
                throw new IllegalArgumentException("cacheTeacherLogits(true) needs a teacher, found method "
                        + loss.method() + " without one");
            }
            ComputationGraph prepared = StudentPreparation.prepare(student, loss, resolved,
                    data.train().numClasses());
            new RunConfig(loss, resolved, options, studentName, teacher == null ? "none" : teacher.describe(),
                    data.train().name(), data.train().size(), data.test().size()).write(dir.configFile());
            Distiller d = new Distiller(prepared, teacher, data, resolved, options, dir,
                    progress == null ? Progress.onStderr() : progress);
            d.log("run " + runDir + ": " + loss + ", " + resolved + ", " + options + ", student " + studentName + " ("
                    + prepared.numParams() + " parameters), teacher " + (teacher == null ? "none" : teacher.describe())
                    + ", data " + data.train().name() + " (" + data.train().size() + " train / " + data.test().size()
                    + " test)");
            return d;
        }
    }
}
