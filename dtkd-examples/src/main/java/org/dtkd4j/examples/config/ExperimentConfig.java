package org.dtkd4j.examples.config;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.ConfigKey;
import org.dtkd4j.core.config.ConfigValues;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.zoo.CifarZoo;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An experiment in the YAML schema of the DTKD reference (JinYu1998/DTKD, built on megvii-research/mdistiller,
 * whose {@code mdistiller/engine/cfg.py} defines it), so that the reference's {@code configs/cifar100/...} files load
 * unchanged:
 * <pre>{@code
 * ExperimentConfig cfg = ExperimentConfig.load(Path.of("configs/cifar100/dtkd/res56_res20.yaml"))
 *         .withOverrides(List.of("SOLVER.LR", "0.01", "SOLVER.LR_DECAY_STAGES", "[150,180,210]"));
 * DistillationConfig loss = cfg.distillation();   // DtkdConfig(alpha 1, beta 0.5, T 4, ...)
 * TrainingRecipe recipe = cfg.recipe();           // SOLVER.* + DTKD4J.SEED + LOG.SAVE_CHECKPOINT_FREQ
 * }</pre>
 *
 * <h2>Merging, as the reference's {@code tools/train.py}</h2>
 * The defaults of cfg.py, then the file ({@code cfg.merge_from_file}), then the command-line {@code KEY VALUE} pairs
 * ({@code cfg.merge_from_list}). Keys are dotted ({@code SOLVER.LR}); values are decoded by the type of the default
 * ({@code 0.01}, {@code 5e-4}, {@code 240}, {@code True}, {@code [150,180,210]}). Unknown keys, in the file or the
 * overrides, are rejected with an {@link IllegalArgumentException} naming the key and, if obvious, the closest
 * valid one. Two deliberate differences from yacs: a float-valued key accepts an integer, and {@code KD.TEMPERATURE}
 * and {@code DTKD.T} are float-valued (integers in cfg.py).
 *
 * <h2>Keys</h2>
 * <ul>
 *   <li>Used: {@code EXPERIMENT.*} and {@code LOG.PREFIX} (the run directory, as the reference's
 *   {@code LOG.PREFIX/PROJECT/(NAME or TAG)}), {@code DATASET.TYPE}, {@code DATASET.TEST.BATCH_SIZE},
 *   {@code DISTILLER.*}, {@code SOLVER.*}, {@code LOG.SAVE_CHECKPOINT_FREQ}, {@code KD.*}, {@code DKD.*},
 *   {@code DTKD.*}.</li>
 *   <li>Accepted, kept in {@link #values()} and ignored: {@code DATASET.NUM_WORKERS} (PyTorch loader processes; the
 *   engine loads batches in a prefetch thread), {@code LOG.TENSORBOARD_FREQ}, {@code LOG.WANDB}, {@code DTKD.LOSS} (an empty section in
 *   cfg.py), and the sections of the methods this library does not implement: {@code AT}, {@code RKD},
 *   {@code FITNET}, {@code KDSVD}, {@code OFD}, {@code NST}, {@code PKT}, {@code SP}, {@code VID}, {@code CRD},
 *   {@code REVIEWKD}.</li>
 *   <li>This library's extensions, all in the one section {@code DTKD4J} (which the reference does not have: its
 *   yacs loader rejects it as an unknown key, so a file meant for both leaves it out and these settings are given to
 *   this library as overrides): {@link Extensions}.</li>
 * </ul>
 *
 * <h2>Methods</h2>
 * {@code DISTILLER.TYPE} selects the loss: {@code NONE} (alias {@code vanilla}; cross-entropy only), {@code KD}
 * (section {@code KD}), {@code DKD} (section {@code DKD}), {@code DTKD} (section {@code DTKD}) and this library's
 * {@code DTKD_DKD}, which takes its weights, temperature and warmup from the {@code DKD} section, and the
 * logit-standardised {@code LS_KD} (section {@code KD}) and {@code LS_DKD} (section {@code DKD}), which the official
 * logit-standardisation code selects as {@code KD} or {@code DKD} with {@code EXPERIMENT.LOGIT_STAND True}; both
 * spellings work here. NormKD's {@code NormKD} (section {@code NormKD}, key {@code TEMPERATURE_NORM} and
 * {@code LOSS.CE_WEIGHT}/{@code LOSS.KD_WEIGHT}) and {@code NormKD_W_DKD} (section {@code NormKD_W_DKD}) are the
 * methods {@code NORMKD} and {@code NORMKD_DKD} (either spelling). A section shared by several methods takes, for the keys the file and the overrides leave
 * unset, the defaults of the selected method: KD with {@code LOGIT_STAND} gets {@code T = 2} and KD weight 9, as
 * the official {@code train.py --logit-stand} does; for DKD the official command line multiplies the file's
 * {@code DKD.ALPHA}/{@code BETA} by 9 and sets {@code DKD.T 2}, which here are the keys
 * {@code DKD.T 2 DKD.ALPHA 9 DKD.BETA 72}. The methods are those of the {@link Method} registry. Matching is
 * case-insensitive; the reference's other methods ({@code AT}, {@code CRD}, ...) are rejected.
 *
 * <p>Instances are immutable; every value is validated when the instance is made, and a message names the key and
 * the value found (and the file, for {@link #load}).
 */
public final class ExperimentConfig {

    /** The datasets a run can train on ({@code DTKD4J.DATASET_TYPE}, or the reference's {@code DATASET.TYPE}). */
    public enum DatasetType {
        /** CIFAR-10, binary version. */
        CIFAR10("cifar10"),
        /** CIFAR-100, binary version (the reference's only CIFAR dataset). */
        CIFAR100("cifar100"),
        /** Fashion-MNIST, 1x28x28 grey images. */
        FASHION_MNIST("fashion-mnist"),
        /**
         * Fashion-MNIST read as the CIFAR models' input, 3x32x32: each image zero-padded by 2 pixels and replicated
         * to 3 channels, normalised with mean 0.2860 / std 0.3530 on each ({@code Datasets.fashionMnist32}).
         */
        FASHION_MNIST_32("fashion-mnist-32");

        private final String configName;

        DatasetType(String configName) {
            this.configName = configName;
        }

        /** @return the name used in configs, e.g. {@code fashion-mnist} */
        public String configName() {
            return configName;
        }

        static Optional<DatasetType> ofConfigName(String name) {
            return Arrays.stream(values()).filter(d -> d.configName.equals(name)).findFirst();
        }

        /** @return every config name, e.g. {@code cifar10, cifar100, fashion-mnist, fashion-mnist-32} */
        public static String configNames() {
            return String.join(", ", Arrays.stream(values()).map(DatasetType::configName).toList());
        }
    }

    /**
     * Section {@code EXPERIMENT}: names the run (see {@link #runDirectory()}).
     *
     * @param project {@code EXPERIMENT.PROJECT} (default {@code distill})
     * @param name    {@code EXPERIMENT.NAME}; empty means {@code tag} (default empty)
     * @param tag     {@code EXPERIMENT.TAG} (default {@code default})
     */
    public record Experiment(String project, String name, String tag) {
    }

    /**
     * Section {@code DATASET}.
     *
     * @param type          {@code DATASET.TYPE} (default {@code cifar100}); used unless {@code DTKD4J.DATASET_TYPE}
     *                      is set, see {@link #datasetType()}
     * @param numWorkers    {@code DATASET.NUM_WORKERS}, ignored (PyTorch loader processes)
     * @param testBatchSize {@code DATASET.TEST.BATCH_SIZE}, batch size of evaluation, {@code > 0} (default 64)
     */
    public record Dataset(String type, int numWorkers, int testBatchSize) {
        /** Validates the batch size. */
        public Dataset {
            positive("DATASET.TEST.BATCH_SIZE", testBatchSize);
        }
    }

    /**
     * Section {@code DISTILLER}.
     *
     * @param type    {@code DISTILLER.TYPE}: {@code NONE} (or {@code vanilla}) or a {@link Method} name, e.g.
     *                {@code KD}, {@code DKD}, {@code DTKD}, {@code DTKD_DKD}, {@code LS_KD}, any case (default
     *                {@code NONE})
     * @param teacher {@code DISTILLER.TEACHER}, a {@link CifarZoo#names()} name unless {@code DTKD4J.TEACHER_WEIGHTS}
     *                names a file, then only a label (default {@code ResNet50})
     * @param student {@code DISTILLER.STUDENT}, a {@link CifarZoo#names()} name (default {@code resnet32})
     */
    public record Distiller(String type, String teacher, String student) {
        /** Validates the type and the student. */
        public Distiller {
            methodOf(type);
            zooName("DISTILLER.STUDENT", student);
        }

        /**
         * @return the method {@link #type()} names (without {@code EXPERIMENT.LOGIT_STAND}; the run's method is
         *         {@link ExperimentConfig#method()})
         */
        public Method method() {
            return methodOf(type);
        }

        private static Method methodOf(String type) {
            String t = type.trim().toUpperCase(Locale.ROOT);
            if (t.equals("VANILLA")) {
                return Method.NONE;
            }
            return Arrays.stream(Method.values()).filter(m -> m.name().equals(t) || officialAlias(m)
                            .map(a -> a.toUpperCase(Locale.ROOT).equals(t)).orElse(false)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("DISTILLER.TYPE must be one of "
                            + String.join(", ", Arrays.stream(Method.values())
                            .map(m -> m == Method.NONE ? "NONE (or vanilla)"
                                    : m.name() + officialAlias(m).map(a -> " (or " + a + ")").orElse("")).toList())
                            + ", found '" + type + "'"));
        }

        /**
         * @return the official {@code DISTILLER.TYPE} of a method when it is another word than the method's name
         *         (e.g. {@code NormKD_W_DKD} for {@code NORMKD_DKD}); logit-standardised methods are selected by
         *         their original's type and {@code EXPERIMENT.LOGIT_STAND} instead
         */
        private static Optional<String> officialAlias(Method m) {
            String official = m.defaultConfig().officialType();
            return m.defaultConfig().logitStandardization() || official.equalsIgnoreCase(m.name())
                    ? Optional.empty() : Optional.of(official);
        }
    }

    /**
     * Section {@code SOLVER}: the optimisation, see {@link #recipe()}.
     *
     * @param trainer       {@code SOLVER.TRAINER}, must be {@code base} (the reference's other trainers belong to
     *                      methods not implemented here)
     * @param batchSize     {@code SOLVER.BATCH_SIZE}, {@code > 0} (default 64)
     * @param epochs        {@code SOLVER.EPOCHS}, {@code > 0} (default 240)
     * @param lr            {@code SOLVER.LR}, finite and {@code > 0} (default 0.05)
     * @param lrDecayStages {@code SOLVER.LR_DECAY_STAGES}, epochs after which the rate is multiplied by
     *                      {@code lrDecayRate}, strictly increasing and {@code > 0} (default [150, 180, 210])
     * @param lrDecayRate   {@code SOLVER.LR_DECAY_RATE}, finite and {@code > 0} (default 0.1)
     * @param weightDecay   {@code SOLVER.WEIGHT_DECAY}, finite and {@code >= 0} (default 1e-4 in cfg.py; every
     *                      reference CIFAR-100 file sets 5e-4)
     * @param momentum      {@code SOLVER.MOMENTUM}, in [0, 1) (default 0.9)
     * @param type          {@code SOLVER.TYPE}, must be {@code SGD}
     */
    public record Solver(String trainer, int batchSize, int epochs, double lr, List<Integer> lrDecayStages,
                         double lrDecayRate, double weightDecay, double momentum, String type) {
        /** Validates every field. */
        public Solver {
            oneOf("SOLVER.TRAINER", trainer, "base");
            positive("SOLVER.BATCH_SIZE", batchSize);
            positive("SOLVER.EPOCHS", epochs);
            positive("SOLVER.LR", lr);
            lrDecayStages = List.copyOf(lrDecayStages);
            for (int i = 0; i < lrDecayStages.size(); i++) {
                if (lrDecayStages.get(i) <= 0 || (i > 0 && lrDecayStages.get(i) <= lrDecayStages.get(i - 1))) {
                    throw new IllegalArgumentException("SOLVER.LR_DECAY_STAGES must be > 0 and strictly increasing, "
                            + "found " + lrDecayStages);
                }
            }
            positive("SOLVER.LR_DECAY_RATE", lrDecayRate);
            nonNegative("SOLVER.WEIGHT_DECAY", weightDecay);
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("SOLVER.MOMENTUM must be in [0, 1), found " + momentum);
            }
            oneOf("SOLVER.TYPE", type, "SGD");
        }
    }

    /**
     * Section {@code LOG}.
     *
     * @param tensorboardFreq    {@code LOG.TENSORBOARD_FREQ}, ignored
     * @param saveCheckpointFreq {@code LOG.SAVE_CHECKPOINT_FREQ}: keep a numbered checkpoint every this many epochs,
     *                           {@code >= 0}, 0 keeping only the latest and the best (default 40)
     * @param prefix             {@code LOG.PREFIX}, the parent of the run directories (default {@code ./output})
     * @param wandb              {@code LOG.WANDB}, ignored (the reference's Weights &amp; Biases switch)
     */
    public record Log(int tensorboardFreq, int saveCheckpointFreq, String prefix, boolean wandb) {
        /** Validates the checkpoint frequency. */
        public Log {
            if (saveCheckpointFreq < 0) {
                throw new IllegalArgumentException("LOG.SAVE_CHECKPOINT_FREQ must be >= 0, found " + saveCheckpointFreq);
            }
        }
    }

    /**
     * Section {@code DTKD4J}: this library's settings, which the reference does not know. Empty strings mean "not
     * set".
     *
     * @param datasetType        {@code DTKD4J.DATASET_TYPE}: {@code cifar10}, {@code cifar100},
     *                           {@code fashion-mnist} or {@code fashion-mnist-32} ({@link DatasetType}); empty uses
     *                           {@code DATASET.TYPE} (default empty)
     * @param datasetDir         {@code DTKD4J.DATASET_DIR}: directory of the dataset files; empty leaves the choice to
     *                           the runner (default empty)
     * @param trainSubset        {@code DTKD4J.TRAIN_SUBSET}: train on the first this many training images (in file
     *                           order), {@code >= 0}, 0 for all (default 0)
     * @param trainPerClass      {@code DTKD4J.TRAIN_PER_CLASS}: train on the first this many training images of each
     *                           class (in file order), {@code >= 0}, 0 for all; not together with
     *                           {@code TRAIN_SUBSET} (default 0)
     * @param teacherWeights     {@code DTKD4J.TEACHER_WEIGHTS}: the teacher's {@code .onnx}, {@code .zip} (DL4J) or
     *                           {@code .h5} (Keras) file; empty leaves the choice to the runner (default empty)
     * @param runDir             {@code DTKD4J.RUN_DIR}: the run directory; empty derives it as the reference does
     *                           (default empty, see {@link #runDirectory()})
     * @param seed               {@code DTKD4J.SEED}: seed of data order, augmentation and initialisation (default 0)
     * @param threads            {@code DTKD4J.THREADS}: compute threads, {@code >= 0}, 0 for the backend's default
     *                           (default 0)
     * @param workers            {@code DTKD4J.WORKERS}: data-parallel training workers (one model replica each,
     *                           DL4J's ParallelWrapper, parameters averaged after every round of one batch per
     *                           worker; {@code Distiller.Builder.workers}), {@code >= 1} (default 1: one model, no
     *                           replicas)
     * @param augmentation       {@code DTKD4J.AUGMENTATION}: augmentation of the training images, any case:
     *                           {@code reference} (the reference's random crop with 4 pixels of zero padding and
     *                           random horizontal flip, {@link Augmentation#REFERENCE}) or {@code none}
     *                           ({@link Augmentation#NONE}) (default {@code reference})
     * @param cacheTeacherLogits {@code DTKD4J.CACHE_TEACHER_LOGITS}: compute the teacher's logits of each training
     *                           example once and reuse them in later epochs ({@code Distiller.Builder
     *                           .cacheTeacherLogits}); needs {@code DTKD4J.AUGMENTATION none} and a teacher, which
     *                           the engine checks when a run is built (default {@code False})
     * @param cacheConvActivations {@code DTKD4J.CACHE_CONV_ACTIVATIONS}: convolution layers keep their training
     *                           forward activations for backprop instead of computing them again ({@code
     *                           Distiller.Builder.cacheConvActivations}; bitwise-identical results, faster, more
     *                           memory) (default {@code True})
     * @param fusedBatchNorm     {@code DTKD4J.FUSED_BATCH_NORM}: the student's BatchNorm layers run dtkd4j's fused
     *                           Java kernel instead of DL4J's helper ({@code Distiller.Builder.fusedBatchNorm}; equal
     *                           to float32 rounding, faster) (default {@code True})
     * @param foldTeacherBatchNorm {@code DTKD4J.FOLD_TEACHER_BATCH_NORM}: a DL4J graph teacher (a {@code .zip}, a zoo
     *                           ONNX export, a Keras file) runs with its BatchNorm folded into its convolutions
     *                           ({@code GraphTeacher.foldingBatchNorm}; logits equal to float rounding, faster)
     *                           (default {@code True})
     * @param teacherChannelsLast {@code DTKD4J.TEACHER_CHANNELS_LAST}: a zoo teacher loaded from its PyTorch ONNX
     *                           export ({@code DISTILLER.TEACHER} a zoo name) runs channels-last
     *                           ({@code CifarZoo.channelsLast}; the same logits, faster inference) (default
     *                           {@code True})
     * @param hazardPolicy       {@code DTKD4J.HAZARD_POLICY}: a {@link HazardPolicy} name, any case (default
     *                           {@code GUARDED})
     * @param detachTemperatures {@code DTKD4J.DETACH_TEMPERATURES}: stop gradients through the DTKD temperatures
     *                           (default {@code False}, as the reference)
     */
    public record Extensions(String datasetType, String datasetDir, int trainSubset, int trainPerClass,
                             String teacherWeights, String runDir, int seed, int threads, int workers,
                             String augmentation, boolean cacheTeacherLogits, boolean cacheConvActivations,
                             boolean fusedBatchNorm, boolean foldTeacherBatchNorm, boolean teacherChannelsLast,
                             String hazardPolicy, boolean detachTemperatures) {
        /** Validates every field. */
        public Extensions {
            if (!datasetType.isEmpty() && DatasetType.ofConfigName(datasetType).isEmpty()) {
                throw new IllegalArgumentException("DTKD4J.DATASET_TYPE must be one of " + DatasetType.configNames()
                        + " (or empty for DATASET.TYPE), found '" + datasetType + "'");
            }
            if (trainSubset < 0) {
                throw new IllegalArgumentException("DTKD4J.TRAIN_SUBSET must be >= 0 (0 for all), found "
                        + trainSubset);
            }
            if (trainPerClass < 0) {
                throw new IllegalArgumentException("DTKD4J.TRAIN_PER_CLASS must be >= 0 (0 for all), found "
                        + trainPerClass);
            }
            if (trainSubset > 0 && trainPerClass > 0) {
                throw new IllegalArgumentException("DTKD4J.TRAIN_SUBSET and DTKD4J.TRAIN_PER_CLASS select the "
                        + "training images in two ways: set one of them, found " + trainSubset + " and "
                        + trainPerClass);
            }
            String w = teacherWeights.toLowerCase(Locale.ROOT);
            if (!w.isEmpty() && !(w.endsWith(".onnx") || w.endsWith(".zip") || w.endsWith(".h5"))) {
                throw new IllegalArgumentException("DTKD4J.TEACHER_WEIGHTS must name an .onnx, .zip or .h5 file, "
                        + "found '" + teacherWeights + "'");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("DTKD4J.THREADS must be >= 0, found " + threads);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("DTKD4J.WORKERS must be >= 1, found " + workers);
            }
            augmentationOf(augmentation);
            policyOf(hazardPolicy);
        }

        /** @return the {@link Augmentation} named by {@link #augmentation()} */
        public Augmentation trainingAugmentation() {
            return augmentationOf(augmentation);
        }

        private static Augmentation augmentationOf(String name) {
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "reference" -> Augmentation.REFERENCE;
                case "none" -> Augmentation.NONE;
                default -> throw new IllegalArgumentException("DTKD4J.AUGMENTATION must be reference or none, found '"
                        + name + "'");
            };
        }

        /** @return the {@link HazardPolicy} named by {@link #hazardPolicy()} */
        public HazardPolicy policy() {
            return policyOf(hazardPolicy);
        }

        private static HazardPolicy policyOf(String name) {
            try {
                return HazardPolicy.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("DTKD4J.HAZARD_POLICY must be one of "
                        + Arrays.toString(HazardPolicy.values()) + ", found '" + name + "'", e);
            }
        }
    }

    /** The merged values as given: defaults, file, overrides. */
    private final Map<String, Object> raw;
    /** The keys the file or the overrides set. */
    private final Set<String> explicit;
    /** {@link #raw} with the method's own defaults for the keys of its section that were not set. */
    private final Map<String, Object> values;
    private final Experiment experiment;
    private final Dataset dataset;
    private final Distiller distiller;
    private final Solver solver;
    private final Log log;
    private final Method method;
    private final DistillationConfig distillation;
    private final Extensions extensions;
    private final DatasetType datasetType;

    private ExperimentConfig(Map<String, Object> merged, Set<String> explicit) {
        raw = Collections.unmodifiableMap(new LinkedHashMap<>(merged));
        this.explicit = Set.copyOf(explicit);
        values = Collections.unmodifiableMap(effective(merged, explicit));
        experiment = new Experiment(str("EXPERIMENT.PROJECT"), str("EXPERIMENT.NAME"), str("EXPERIMENT.TAG"));
        dataset = new Dataset(str("DATASET.TYPE"), integer("DATASET.NUM_WORKERS"), integer("DATASET.TEST.BATCH_SIZE"));
        distiller = new Distiller(str("DISTILLER.TYPE"), str("DISTILLER.TEACHER"), str("DISTILLER.STUDENT"));
        solver = new Solver(str("SOLVER.TRAINER"), integer("SOLVER.BATCH_SIZE"), integer("SOLVER.EPOCHS"),
                real("SOLVER.LR"), ints("SOLVER.LR_DECAY_STAGES"), real("SOLVER.LR_DECAY_RATE"),
                real("SOLVER.WEIGHT_DECAY"), real("SOLVER.MOMENTUM"), str("SOLVER.TYPE"));
        log = new Log(integer("LOG.TENSORBOARD_FREQ"), integer("LOG.SAVE_CHECKPOINT_FREQ"), str("LOG.PREFIX"),
                (Boolean) values.get("LOG.WANDB"));
        extensions = new Extensions(str("DTKD4J.DATASET_TYPE"), str("DTKD4J.DATASET_DIR"),
                integer("DTKD4J.TRAIN_SUBSET"), integer("DTKD4J.TRAIN_PER_CLASS"), str("DTKD4J.TEACHER_WEIGHTS"),
                str("DTKD4J.RUN_DIR"), integer("DTKD4J.SEED"),
                integer("DTKD4J.THREADS"), integer("DTKD4J.WORKERS"), str("DTKD4J.AUGMENTATION"),
                (Boolean) values.get("DTKD4J.CACHE_TEACHER_LOGITS"),
                (Boolean) values.get("DTKD4J.CACHE_CONV_ACTIVATIONS"), (Boolean) values.get("DTKD4J.FUSED_BATCH_NORM"),
                (Boolean) values.get("DTKD4J.FOLD_TEACHER_BATCH_NORM"),
                (Boolean) values.get("DTKD4J.TEACHER_CHANNELS_LAST"), str("DTKD4J.HAZARD_POLICY"),
                (Boolean) values.get("DTKD4J.DETACH_TEMPERATURES"));

        String datasetKey = extensions.datasetType().isEmpty() ? "DATASET.TYPE" : "DTKD4J.DATASET_TYPE";
        String datasetName = str(datasetKey);
        datasetType = DatasetType.ofConfigName(datasetName).orElseThrow(() -> new IllegalArgumentException(
                datasetKey + " must be one of " + DatasetType.configNames() + ", found '" + datasetName + "'"));
        Schema.METHOD_KEYS.forEach((key, kind) -> {
            switch (kind) {
                case POSITIVE -> positive(key, real(key));
                case NON_NEGATIVE -> nonNegative(key, real(key));
                case EPOCHS -> positive(key, integer(key));
            }
        });
        method = methodOf(distiller.type(), distiller.method(), (Boolean) values.get("EXPERIMENT.LOGIT_STAND"));
        distillation = method.defaultConfig().withOfficialKeys(new ConfigValues() {
            @Override
            public double real(String key) {
                return ExperimentConfig.this.real(key);
            }

            @Override
            public int integer(String key) {
                return ExperimentConfig.this.integer(key);
            }

            @Override
            public HazardPolicy hazardPolicy() {
                return extensions.policy();
            }

            @Override
            public boolean detachTemperatures() {
                return extensions.detachTemperatures();
            }
        });
        if (method.usesTeacher() && extensions.teacherWeights().isEmpty()) {
            zooName("DISTILLER.TEACHER", distiller.teacher());
        }
    }

    /** @return the reference's defaults (cfg.py) and this library's: the vanilla baseline of resnet32 on CIFAR-100 */
    public static ExperimentConfig defaults() {
        return new ExperimentConfig(Schema.defaults(), Set.of());
    }

    /**
     * Reads a YAML file over the defaults, as the reference's {@code cfg.merge_from_file}.
     *
     * @param file a YAML file in the reference's schema
     * @return the merged, validated configuration
     * @throws IllegalArgumentException naming the file and the offending key and value, for a missing file, bad YAML,
     *                                  an unknown key or an invalid value
     * @throws UncheckedIOException     on another I/O error
     */
    public static ExperimentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such config file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        return parse(text, file.toString());
    }

    /**
     * Reads YAML text over the defaults; an empty text gives the defaults, as in the reference.
     *
     * @param yaml   the YAML text
     * @param source where the text comes from, for messages (a file name)
     * @return the merged, validated configuration
     * @throws IllegalArgumentException prefixed by {@code source}, for bad YAML, an unknown key or an invalid value
     */
    public static ExperimentConfig parse(String yaml, String source) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root != null && !(root instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(source + ": expected a mapping of sections such as DISTILLER: and "
                    + "SOLVER:, found " + Schema.describe(root));
        }
        Map<String, Object> merged = Schema.defaults();
        try {
            Set<String> explicit = new HashSet<>();
            mergeTree(merged, explicit, root == null ? Map.of() : (Map<?, ?>) root, "");
            return new ExperimentConfig(merged, explicit);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static void mergeTree(Map<String, Object> merged, Set<String> explicit, Map<?, ?> tree, String prefix) {
        for (Map.Entry<?, ?> e : tree.entrySet()) {
            String name = prefix + e.getKey();
            Object value = e.getValue();
            if (Schema.SECTIONS.contains(name)) {
                if (value instanceof Map<?, ?> section) {
                    mergeTree(merged, explicit, section, name + ".");
                } else if (value != null) {
                    throw new IllegalArgumentException(name + " is a section, found " + Schema.describe(value));
                }
            } else if (Schema.KEYS.containsKey(name)) {
                merged.put(name, Schema.decode(Schema.KEYS.get(name), value));
                explicit.add(name);
            } else {
                throw Schema.unknown(name);
            }
        }
    }

    /**
     * Applies command-line overrides, as the reference's {@code cfg.merge_from_list}: {@code KEY VALUE} pairs with
     * dotted keys, values decoded by the type of the default, e.g.
     * {@code List.of("SOLVER.LR", "0.01", "SOLVER.LR_DECAY_STAGES", "[150,180,210]", "DISTILLER.TYPE", "DKD")}.
     *
     * @param keyValues alternating keys and values
     * @return a new configuration with the overrides applied
     * @throws IllegalArgumentException for an odd count, an unknown key or a section (naming it and the closest
     *                                  valid key if obvious), or an invalid value (naming the key and the value)
     */
    public ExperimentConfig withOverrides(List<String> keyValues) {
        if (keyValues.size() % 2 != 0) {
            throw new IllegalArgumentException("command line: overrides must be KEY VALUE pairs, found "
                    + keyValues.size() + " items " + keyValues);
        }
        Map<String, Object> merged = new LinkedHashMap<>(raw);
        Set<String> set = new HashSet<>(explicit);
        try {
            for (int i = 0; i < keyValues.size(); i += 2) {
                Schema.Key key = Schema.key(keyValues.get(i));
                merged.put(key.name(), Schema.decodeText(key, keyValues.get(i + 1)));
                set.add(key.name());
            }
            return new ExperimentConfig(merged, set);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("command line: " + e.getMessage(), e);
        }
    }

    /** @return section {@code EXPERIMENT} */
    public Experiment experiment() {
        return experiment;
    }

    /** @return section {@code DATASET} */
    public Dataset dataset() {
        return dataset;
    }

    /** @return section {@code DISTILLER} */
    public Distiller distiller() {
        return distiller;
    }

    /** @return section {@code SOLVER} */
    public Solver solver() {
        return solver;
    }

    /** @return section {@code LOG} */
    public Log log() {
        return log;
    }

    /** @return section {@code DTKD4J}, this library's extensions */
    public Extensions extensions() {
        return extensions;
    }

    /**
     * @return every key (the reference's, ignored ones included, and {@code DTKD4J.*}) mapped to its value, in
     *         cfg.py's order: {@code String}, {@code Integer}, {@code Double}, {@code Boolean} or
     *         {@code List<Integer>}; unmodifiable
     */
    public Map<String, Object> values() {
        return values;
    }

    /**
     * @param key a dotted key, e.g. {@code CRD.NCE.K}
     * @return its value (see {@link #values()})
     * @throws IllegalArgumentException for an unknown key, naming it and the closest valid key if obvious
     */
    public Object get(String key) {
        return values.get(Schema.key(key).name());
    }

    /**
     * {@code DISTILLER.TYPE} names a method; with {@code EXPERIMENT.LOGIT_STAND True} (the official
     * logit-standardisation code's switch) a type of the original methods selects their logit-standardised variant,
     * e.g. {@code KD} selects {@link Method#LS_KD}.
     */
    private static Method methodOf(String type, Method named, boolean logitStand) {
        if (!logitStand || !named.usesTeacher() || named.defaultConfig().logitStandardization()) {
            return named;
        }
        List<Method> standardized = Arrays.stream(Method.values())
                .filter(m -> m.defaultConfig().logitStandardization()).toList();
        return standardized.stream().filter(m -> m.defaultConfig().officialType().equals(named.name())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("EXPERIMENT.LOGIT_STAND True needs DISTILLER.TYPE "
                        + String.join(", ", standardized.stream().map(m -> m.defaultConfig().officialType())
                        .toList()) + " (or " + String.join(", ", standardized.stream().map(Method::name).toList())
                        + "), found '" + type + "'"));
    }

    /**
     * The method's own defaults for the keys of its section that neither the file nor the overrides set: a section
     * shared by several methods ({@code KD} by KD and LS_KD) has the defaults of the first in the schema, and
     * {@code DISTILLER.TYPE LS_KD} alone must give LS_KD's official defaults, as the official code's command line
     * does for {@code KD} with {@code --logit-stand}.
     */
    private static Map<String, Object> effective(Map<String, Object> merged, Set<String> explicit) {
        Map<String, Object> out = new LinkedHashMap<>(merged);
        String type = (String) merged.get("DISTILLER.TYPE");
        Method method = methodOf(type, Distiller.methodOf(type), (Boolean) merged.get("EXPERIMENT.LOGIT_STAND"));
        for (ConfigKey key : method.defaultConfig().officialKeys()) {
            if (!explicit.contains(key.name())) {
                out.put(key.name(), key.value());
            }
        }
        return out;
    }

    /**
     * @return the method of the run: {@code DISTILLER.TYPE}, or its logit-standardised variant under
     *         {@code EXPERIMENT.LOGIT_STAND True}
     */
    public Method method() {
        return method;
    }

    /**
     * @return the loss of {@link #method()}, read from its section's keys by the method's record
     *         ({@link DistillationConfig#withOfficialKeys}): {@link CeConfig#defaults()} for {@code NONE},
     *         {@code KdConfig} from {@code KD}, {@code DkdConfig} and {@code DtkdDkdConfig} from {@code DKD},
     *         {@code DtkdConfig} from {@code DTKD}, {@code LsKdConfig} from {@code KD} and {@code LsDkdConfig} from
     *         {@code DKD}; the hazard policy and temperature detaching from {@code DTKD4J}
     */
    public DistillationConfig distillation() {
        return distillation;
    }

    /**
     * @return the optimisation recipe: {@code SOLVER.EPOCHS}, {@code BATCH_SIZE}, {@code LR},
     *         {@code LR_DECAY_STAGES}, {@code LR_DECAY_RATE}, {@code MOMENTUM}, {@code WEIGHT_DECAY}, then
     *         {@code DTKD4J.SEED} and {@code LOG.SAVE_CHECKPOINT_FREQ}
     */
    public TrainingRecipe recipe() {
        int[] stages = solver.lrDecayStages().stream().mapToInt(Integer::intValue).toArray();
        return new TrainingRecipe(solver.epochs(), solver.batchSize(), solver.lr(), stages, solver.lrDecayRate(),
                solver.momentum(), solver.weightDecay(), extensions.seed(), log.saveCheckpointFreq());
    }

    /** @return the dataset: {@code DTKD4J.DATASET_TYPE} if set, else {@code DATASET.TYPE} */
    public DatasetType datasetType() {
        return datasetType;
    }

    /**
     * @return {@code DTKD4J.RUN_DIR} if set, else the reference's log path
     *         {@code LOG.PREFIX/EXPERIMENT.PROJECT/(EXPERIMENT.NAME, or EXPERIMENT.TAG if the name is empty)}
     */
    public Path runDirectory() {
        if (!extensions.runDir().isEmpty()) {
            return Path.of(extensions.runDir());
        }
        String name = experiment.name().isEmpty() ? experiment.tag() : experiment.name();
        return Path.of(log.prefix(), experiment.project(), name);
    }

    /** @return {@code DTKD4J.TEACHER_WEIGHTS}, if set */
    public Optional<Path> teacherWeights() {
        return optionalPath(extensions.teacherWeights());
    }

    /** @return {@code DTKD4J.DATASET_DIR}, if set */
    public Optional<Path> datasetDirectory() {
        return optionalPath(extensions.datasetDir());
    }

    /**
     * @return every value as YAML in the reference's nested layout (the analogue of its {@code show_cfg} dump, with
     *         all sections and {@code DTKD4J}); {@link #parse} reads it back to an equal configuration
     */
    public String toYaml() {
        Map<String, Object> tree = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            String[] parts = key.split("\\.");
            Map<String, Object> node = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) node.computeIfAbsent(parts[i],
                        p -> new LinkedHashMap<String, Object>());
                node = child;
            }
            node.put(parts[parts.length - 1], value);
        });
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(new Representer(options), options).dump(tree);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExperimentConfig c && values.equals(c.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ExperimentConfig" + values;
    }

    private String str(String key) {
        return (String) values.get(key);
    }

    private int integer(String key) {
        return (Integer) values.get(key);
    }

    private double real(String key) {
        return (Double) values.get(key);
    }

    @SuppressWarnings("unchecked")
    private List<Integer> ints(String key) {
        return (List<Integer>) values.get(key);
    }

    private static Optional<Path> optionalPath(String value) {
        return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
    }

    private static void positive(String key, double value) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw new IllegalArgumentException(key + " must be finite and > 0, found " + value);
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, found " + value);
        }
    }

    private static void nonNegative(String key, double value) {
        if (!(Double.isFinite(value) && value >= 0)) {
            throw new IllegalArgumentException(key + " must be finite and >= 0, found " + value);
        }
    }

    private static void oneOf(String key, String value, String allowed) {
        if (!value.equals(allowed)) {
            throw new IllegalArgumentException(key + " must be " + allowed + " (the only one implemented), found '"
                    + value + "'");
        }
    }

    private static void zooName(String key, String name) {
        List<String> names = CifarZoo.names();
        if (!names.contains(name)) {
            String close = Schema.closest(name, names);
            throw new IllegalArgumentException(key + " must be a model of CifarZoo.names(), found '" + name + "'"
                    + (close == null ? "; valid: " + names : " (did you mean " + close + "?)"));
        }
    }
}
