package org.dtkd4j.examples.cli;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.AtomicFiles;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.dtkd4j.zoo.teacher.Teachers;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code train}, {@code distill} and {@code eval} share: the merged configuration, the data, the zoo student and
 * the teacher, each validated with a one-line {@link IllegalArgumentException} naming the bad input, so that a
 * command can check everything before it creates a run directory.
 */
public final class RunSetup {

    /** The merged configuration of a run, saved in its run directory so that {@code --resume} needs nothing else. */
    static final String EXPERIMENT_FILE = "experiment.yaml";

    private RunSetup() {
    }

    /**
     * Adds {@code key value} to {@code pairs} if the value is set.
     *
     * @param pairs alternating keys and values
     * @param key   a config key
     * @param value an option's value, or null if the option was not given
     */
    static void addIfSet(List<String> pairs, String key, Object value) {
        if (value != null) {
            pairs.add(key);
            pairs.add(value.toString());
        }
    }

    /**
     * The configuration of a command: the reference's defaults, the file (if any), then the shortcut options, then the
     * {@code KEY VALUE} overrides (the last setting of a key wins).
     *
     * @param file      a YAML file in the reference's schema, or null for the defaults
     * @param shortcuts {@code KEY VALUE} pairs from shortcut options such as {@code --epochs}
     * @param overrides {@code KEY VALUE} pairs from the command line
     * @return the validated configuration
     * @throws IllegalArgumentException naming the file, key or value at fault
     */
    static ExperimentConfig config(Path file, List<String> shortcuts, List<String> overrides) {
        ExperimentConfig cfg = file == null ? ExperimentConfig.defaults() : ExperimentConfig.load(file);
        cfg = shortcuts.isEmpty() ? cfg : cfg.withOverrides(shortcuts);
        return overrides.isEmpty() ? cfg : cfg.withOverrides(overrides);
    }

    /**
     * @param cfg a configuration
     * @return {@code DTKD4J.DATASET_DIR}, or for Fashion-MNIST (either type) without it
     *         {@link Datasets#FASHION_MNIST_DIR}
     * @throws IllegalArgumentException if a CIFAR dataset has no directory set
     */
    static Path datasetDirectory(ExperimentConfig cfg) {
        ExperimentConfig.DatasetType type = cfg.datasetType();
        return cfg.datasetDirectory().orElseGet(() -> {
            if (type == ExperimentConfig.DatasetType.FASHION_MNIST
                    || type == ExperimentConfig.DatasetType.FASHION_MNIST_32) {
                return Datasets.FASHION_MNIST_DIR;
            }
            throw new IllegalArgumentException("no dataset directory for " + type.configName() + ": set "
                    + "DTKD4J.DATASET_DIR or --dataset-dir to the directory of its binary files ("
                    + (type == ExperimentConfig.DatasetType.CIFAR10 ? "data_batch_1.bin .. data_batch_5.bin, "
                    + "test_batch.bin" : "train.bin, test.bin") + "), found none");
        });
    }

    /**
     * @param cfg a configuration
     * @return the training and test splits of its dataset, the training split cut to {@code DTKD4J.TRAIN_SUBSET}
     *         or {@code DTKD4J.TRAIN_PER_CLASS} if set
     * @throws IllegalArgumentException naming the directory and what is wrong, for missing, unreadable or malformed
     *                                  files, or a training subset larger than the training split
     */
    static TrainTestSplit data(ExperimentConfig cfg) {
        Path dir = datasetDirectory(cfg);
        TrainTestSplit full;
        try {
            full = switch (cfg.datasetType()) {
                case CIFAR10 -> Datasets.cifar10(dir);
                case CIFAR100 -> Datasets.cifar100(dir);
                case FASHION_MNIST -> Datasets.fashionMnist(dir);
                case FASHION_MNIST_32 -> Datasets.fashionMnist32(dir);
            };
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("cannot read the " + cfg.datasetType().configName() + " files in "
                    + dir + ": " + e.getMessage(), e);
        }
        int first = cfg.extensions().trainSubset();
        int perClass = cfg.extensions().trainPerClass();
        if (first > full.train().size()) {
            throw new IllegalArgumentException("DTKD4J.TRAIN_SUBSET " + first + " exceeds the training images of "
                    + describe(full.train()) + ", found " + full.train().size());
        }
        return first > 0 ? new TrainTestSplit(full.train().first(first), full.test())
                : perClass > 0 ? new TrainTestSplit(full.train().firstPerClass(perClass), full.test()) : full;
    }

    /**
     * @param name  a {@link CifarZoo#names()} name
     * @param data  the data it will train on: its classes and image shape size the model
     * @param seed  the seed of the random initialisation
     * @return the initialised zoo model
     * @throws IllegalArgumentException for an unknown name (listing the valid ones) or an image shape the zoo cannot
     *                                  take
     */
    static ComputationGraph student(String name, ImageDataset data, long seed) {
        return CifarZoo.build(name, ZooSpec.builder().numClasses(data.numClasses())
                .input(data.channels(), data.height(), data.width()).seed(seed).build());
    }

    /**
     * Builds a new run of the engine from a configuration: the loss of {@code DISTILLER.TYPE}, the recipe, the engine
     * options ({@code DTKD4J.AUGMENTATION}, {@code CACHE_TEACHER_LOGITS}, {@code WORKERS}) and the run directory of
     * {@code cfg}. {@link Distiller.Builder#build()} checks the combination before it writes {@code config.json}.
     *
     * @param cfg      the run's configuration
     * @param student  the initialised student, named {@code DISTILLER.STUDENT}
     * @param teacher  the teacher, or null for a method without one
     * @param data     the data
     * @param progress where progress goes
     * @param console  where log lines go
     * @return the distiller, ready to run
     * @throws IllegalArgumentException naming the first problem the engine finds
     */
    static Distiller newRun(ExperimentConfig cfg, ComputationGraph student, Teacher teacher, TrainTestSplit data,
                            Progress progress, PrintStream console) {
        return Distiller.builder().student(student).studentName(cfg.distiller().student()).teacher(teacher).data(data)
                .loss(cfg.distillation()).recipe(cfg.recipe())
                .augmentation(cfg.extensions().trainingAugmentation())
                .cacheTeacherLogits(cfg.extensions().cacheTeacherLogits())
                .cacheConvActivations(cfg.extensions().cacheConvActivations())
                .fusedBatchNorm(cfg.extensions().fusedBatchNorm())
                .workers(cfg.extensions().workers()).runDirectory(cfg.runDirectory()).progress(progress)
                .console(console).build();
    }

    /**
     * @param cfg a configuration
     * @return {@code DTKD4J.TEACHER_WEIGHTS}, checked to be an existing file
     * @throws IllegalArgumentException if it is not set or not a file
     */
    static Path teacherFile(ExperimentConfig cfg) {
        Path file = cfg.teacherWeights().orElseThrow(() -> new IllegalArgumentException("distillation needs the "
                + "teacher's weights: set DTKD4J.TEACHER_WEIGHTS or --teacher to its .onnx, .zip (DL4J) or .h5 "
                + "(Keras) file, found none"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("teacher file " + file + " (DTKD4J.TEACHER_WEIGHTS) does not exist");
        }
        return file;
    }

    /**
     * Loads the teacher of {@code DTKD4J.TEACHER_WEIGHTS} and checks it against the data. An ONNX file with a
     * {@code DISTILLER.TEACHER} of the zoo is first read as a PyTorch export of that architecture
     * ({@link Teachers#zooFromOnnx(String, Path)}: a native, faster graph); if its weights do not fit, a line on the
     * console says so and the ONNX graph itself is imported. Other files load by type ({@link Teachers#load(Path)}).
     *
     * @param cfg     a configuration
     * @param data    the data the teacher must classify
     * @param console where the fallback note goes
     * @return the teacher, open
     * @throws IllegalArgumentException if the file cannot be loaded, its class count is not the data's, or it cannot
     *                                  take the data's images
     */
    static Teacher teacher(ExperimentConfig cfg, TrainTestSplit data, PrintStream console) {
        Teacher teacher = openTeacher(teacherFile(cfg), cfg.distiller().teacher(),
                cfg.extensions().foldTeacherBatchNorm(), cfg.extensions().teacherChannelsLast(), console);
        try {
            requireFits(teacher, data.test());
            return teacher;
        } catch (IllegalArgumentException e) {
            teacher.close();
            throw e;
        }
    }

    /**
     * Loads a teacher file as {@link #teacher} does, without checking it against data (e.g. again on the workers of a
     * cluster, after the driver checked it).
     *
     * @param file    a .onnx, .zip (DL4J) or .h5 (Keras) teacher
     * @param arch    {@code DISTILLER.TEACHER}: a {@link CifarZoo} name makes an ONNX file load as a PyTorch export
     *                of that architecture when its weights fit
     * @param foldBatchNorm {@code DTKD4J.FOLD_TEACHER_BATCH_NORM}: a teacher that runs a DL4J graph runs it with its
     *                BatchNorm folded into its convolutions ({@link GraphTeacher#foldingBatchNorm()})
     * @param channelsLast {@code DTKD4J.TEACHER_CHANNELS_LAST}: a zoo teacher loaded from its ONNX export runs
     *                channels-last ({@link CifarZoo#channelsLast})
     * @param console where the fallback note goes
     * @return the teacher, open
     * @throws IllegalArgumentException if the file cannot be loaded
     */
    public static Teacher openTeacher(Path file, String arch, boolean foldBatchNorm, boolean channelsLast,
                                      PrintStream console) {
        Teacher teacher;
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")
                && CifarZoo.names().contains(arch)) {
            try {
                teacher = Teachers.zooFromOnnx(arch, file, channelsLast ? CNN2DFormat.NHWC : CNN2DFormat.NCHW);
            } catch (IllegalArgumentException e) {
                console.println("teacher: " + file + " is not a PyTorch export of the zoo's " + arch + " ("
                        + e.getMessage() + "); importing its ONNX graph instead");
                teacher = Teachers.load(file);
            }
        } else {
            teacher = Teachers.load(file);
        }
        if (foldBatchNorm && teacher instanceof GraphTeacher graph && graph.foldsBatchNorm()) {
            try (GraphTeacher unfolded = graph) {
                return unfolded.foldingBatchNorm();
            }
        }
        return teacher;
    }

    /**
     * Checks that a model classifies the data: same class count, and a forward pass of two of its images works.
     *
     * @param model a teacher or a loaded model
     * @param data  the data it must classify
     * @throws IllegalArgumentException if the model's class count is not the data's, or it cannot take its images
     */
    static void requireFits(Teacher model, ImageDataset data) {
        if (model.numClasses() != data.numClasses()) {
            throw new IllegalArgumentException(model.describe() + " has " + model.numClasses() + " classes, the data "
                    + describe(data) + " has " + data.numClasses());
        }
        try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(data, 2)) {
            model.logits(it.next().getFeatures());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(model.describe() + " cannot classify the images of " + describe(data)
                    + ": " + e.getMessage(), e);
        }
    }

    /** @return e.g. {@code fashion-mnist-test (10 classes, 1x28x28)} */
    static String describe(ImageDataset data) {
        return data.name() + " (" + data.numClasses() + " classes, " + data.channels() + "x" + data.height() + "x"
                + data.width() + ")";
    }

    /**
     * @param runDir a new run's directory
     * @throws IllegalArgumentException if it is a file, or already holds a run's latest checkpoint
     */
    static void requireNewRunDirectory(Path runDir) {
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory " + runDir + " is a file, not a directory");
        }
        Path latest = runDir.resolve(Distiller.CHECKPOINT_DIR).resolve(Distiller.LATEST);
        if (Files.exists(latest)) {
            throw new IllegalArgumentException("run directory " + runDir + " already holds " + Distiller.CHECKPOINT_DIR
                    + "/" + Distiller.LATEST + ": continue it with --resume " + runDir + ", or choose another "
                    + "DTKD4J.RUN_DIR (--run-dir)");
        }
    }

    /**
     * Saves the run's configuration as {@value #EXPERIMENT_FILE}, with the run, dataset and teacher paths made
     * absolute so that {@code --resume} works from any directory.
     *
     * @param cfg    the run's configuration
     * @param runDir the run directory (created by the engine)
     */
    static void saveExperiment(ExperimentConfig cfg, Path runDir) {
        List<String> paths = new ArrayList<>(List.of("DTKD4J.RUN_DIR", absolute(runDir),
                "DTKD4J.DATASET_DIR", absolute(datasetDirectory(cfg))));
        cfg.teacherWeights().ifPresent(t -> paths.addAll(List.of("DTKD4J.TEACHER_WEIGHTS", absolute(t))));
        AtomicFiles.writeString(runDir.resolve(EXPERIMENT_FILE), "# dtkd: the merged configuration of this run\n"
                + cfg.withOverrides(paths).toYaml());
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
