package org.dtkd4j.examples.config;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.zoo.CifarZoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExperimentConfigTest {

    /** The repository's configs directory (tests run in the module directory). */
    private static final Path CONFIGS = Path.of("..", "configs", "cifar100");

    /** The pair-specific values of the reference files, written out independently of the YAML files. */
    private record Pair(String teacher, String student, double lr, double dtkdAlpha, double dtkdBeta, double dkdBeta) {
    }

    private static final Map<String, Pair> PAIRS = Map.ofEntries(
            Map.entry("res56_res20", new Pair("resnet56", "resnet20", 0.05, 1.0, 0.5, 2.0)),
            Map.entry("res110_res32", new Pair("resnet110", "resnet32", 0.05, 1.0, 0.5, 2.0)),
            Map.entry("res32x4_res8x4", new Pair("resnet32x4", "resnet8x4", 0.05, 3.0, 1.0, 8.0)),
            Map.entry("wrn40_2_wrn_16_2", new Pair("wrn_40_2", "wrn_16_2", 0.05, 3.0, 1.0, 6.0)),
            Map.entry("wrn40_2_wrn_40_1", new Pair("wrn_40_2", "wrn_40_1", 0.05, 1.0, 0.5, 6.0)),
            Map.entry("vgg13_vgg8", new Pair("vgg13", "vgg8", 0.05, 3.0, 1.0, 6.0)),
            Map.entry("res32x4_shuv1", new Pair("resnet32x4", "ShuffleV1", 0.01, 3.0, 1.0, 8.0)),
            Map.entry("wrn40_2_shuv1", new Pair("wrn_40_2", "ShuffleV1", 0.01, 2.0, 0.5, 8.0)),
            Map.entry("vgg13_mv2", new Pair("vgg13", "MobileNetV2", 0.01, 3.0, 1.0, 6.0)),
            Map.entry("res50_mv2", new Pair("ResNet50", "MobileNetV2", 0.01, 3.0, 2.0, 8.0)),
            Map.entry("res32x4_shuv2", new Pair("resnet32x4", "ShuffleV2", 0.01, 3.0, 1.0, 8.0)));

    private static ExperimentConfig yaml(String text) {
        return ExperimentConfig.parse(text, "test.yaml");
    }

    @Test
    void everyShippedConfigParsesAndConvertsToThePairsValues() throws IOException {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(CONFIGS)) {
            walk.filter(p -> p.toString().endsWith(".yaml"))
                    .forEach(p -> files.put(CONFIGS.relativize(p).toString(), p));
        }
        assertThat(files).hasSize(22);
        for (String method : List.of("dtkd", "dkd")) {
            for (Map.Entry<String, Pair> e : PAIRS.entrySet()) {
                String name = method + "/" + e.getKey() + ".yaml";
                Pair pair = e.getValue();
                assertThat(files).as(name).containsKey(name);
                ExperimentConfig cfg = ExperimentConfig.load(files.get(name));

                assertThat(CifarZoo.names()).as(name).contains(cfg.distiller().teacher(), cfg.distiller().student());
                assertThat(cfg.distiller().teacher()).as(name).isEqualTo(pair.teacher());
                assertThat(cfg.distiller().student()).as(name).isEqualTo(pair.student());
                assertThat(cfg.datasetType()).isEqualTo(ExperimentConfig.DatasetType.CIFAR100);
                assertThat(cfg.distillation()).as(name).isEqualTo(method.equals("dtkd")
                        ? new DtkdConfig(pair.dtkdAlpha(), pair.dtkdBeta(), 4, 1, 20, false, HazardPolicy.GUARDED)
                        : new DkdConfig(1, pair.dkdBeta(), 4, 1, 20, HazardPolicy.GUARDED));
                TrainingRecipe recipe = cfg.recipe();
                assertThat(recipe.learningRate()).as(name).isEqualTo(pair.lr());
                assertThat(recipe).as(name).isEqualTo(TrainingRecipe.reference(pair.student()));
                String project = method.equals("dtkd") ? "DTKD_Final" : "cifar100_baselines";
                assertThat(cfg.runDirectory()).as(name)
                        .isEqualTo(Path.of("./output", project, cfg.experiment().tag()));
                assertThat(cfg.experiment().tag()).as(name).startsWith(method + ",");
            }
        }
    }

    @Test
    void theReferencesDefaultsAreTheOfficialDefaults() {
        for (Method m : Method.values()) {
            ExperimentConfig cfg = yaml("DISTILLER:\n  TYPE: \"" + m.name() + "\"\n");
            assertThat(cfg.distiller().method()).isEqualTo(m);
            assertThat(cfg.distillation()).as(m.name()).isEqualTo(m.defaultConfig());
        }
        assertThat(yaml("DISTILLER:\n  TYPE: vanilla\n").distillation()).isEqualTo(CeConfig.defaults());
        assertThat(yaml("DISTILLER:\n  TYPE: dtkd\n").distillation()).isEqualTo(DtkdConfig.defaults());
        // cfg.py's own weight decay is 1e-4; every CIFAR-100 file of the reference sets 5e-4
        assertThat(yaml("DISTILLER:\n  TYPE: DTKD\n").recipe())
                .isEqualTo(TrainingRecipe.reference().withWeightDecay(1e-4));
        assertThat(ExperimentConfig.defaults()).isEqualTo(yaml("")).isEqualTo(yaml("{}"));
        assertThat(ExperimentConfig.defaults().distiller()).isEqualTo(
                new ExperimentConfig.Distiller("NONE", "ResNet50", "resnet32"));
        assertThat(ExperimentConfig.defaults().runDirectory()).isEqualTo(Path.of("./output", "distill", "default"));
    }

    @Test
    void overridesAreDecodedByTheTypeOfTheDefault() {
        ExperimentConfig base = yaml("DISTILLER:\n  TYPE: DTKD\n  TEACHER: resnet56\n  STUDENT: resnet20\n");
        ExperimentConfig cfg = base.withOverrides(List.of(
                "SOLVER.LR", "0.01",
                "SOLVER.LR_DECAY_STAGES", "[100,150]",
                "SOLVER.WEIGHT_DECAY", "5e-4",
                "SOLVER.EPOCHS", "30",
                "DTKD.ALPHA", "2",
                "DTKD.T", "4.5",
                "LOG.WANDB", "False",
                "LOG.SAVE_CHECKPOINT_FREQ", "0",
                "EXPERIMENT.TAG", "2024",
                "EXPERIMENT.NAME", "'quoted'",
                "DTKD4J.SEED", "7",
                "DTKD4J.HAZARD_POLICY", "strict",
                "DTKD4J.DETACH_TEMPERATURES", "True",
                "DTKD4J.RUN_DIR", "/tmp/runs/a"));
        assertThat(cfg.recipe()).isEqualTo(new TrainingRecipe(30, 64, 0.01, new int[] {100, 150}, 0.1, 0.9, 5e-4,
                7, 0));
        assertThat(cfg.distillation()).isEqualTo(new DtkdConfig(2, 1, 4.5, 1, 20, true, HazardPolicy.STRICT));
        assertThat(cfg.log().wandb()).isFalse();
        assertThat(cfg.experiment()).isEqualTo(new ExperimentConfig.Experiment("distill", "quoted", "2024"));
        assertThat(cfg.runDirectory()).isEqualTo(Path.of("/tmp/runs/a"));
        assertThat(cfg.withOverrides(List.of("SOLVER.LR_DECAY_STAGES", "(150, 180, 210)", "FITNET.INPUT_SIZE", "(32,)"))
                .solver().lrDecayStages()).containsExactly(150, 180, 210);
        assertThat(base.withOverrides(List.of("SOLVER.LR_DECAY_STAGES", "[]")).recipe().lrMilestones()).isEmpty();
        // the original is unchanged; later overrides win
        assertThat(base.solver().lr()).isEqualTo(0.05);
        assertThat(base.withOverrides(List.of("SOLVER.LR", "0.1", "SOLVER.LR", "0.2")).solver().lr()).isEqualTo(0.2);

        ExperimentConfig dtkdDkd = base.withOverrides(List.of("DISTILLER.TYPE", "DTKD_DKD", "DKD.BETA", "2"));
        assertThat(dtkdDkd.distillation()).isEqualTo(new DtkdDkdConfig(1, 2, 4, 1, 20, false, HazardPolicy.GUARDED));
        assertThat(base.withOverrides(List.of("DISTILLER.TYPE", "KD", "KD.TEMPERATURE", "2", "KD.LOSS.CE_WEIGHT", "0.5"))
                .distillation()).isEqualTo(new KdConfig(2, 0.5, 0.9));
        assertThat(base.withOverrides(List.of("DTKD4J.DATASET_TYPE", "fashion-mnist", "DTKD4J.DATASET_DIR", "/data"))
                .datasetType()).isEqualTo(ExperimentConfig.DatasetType.FASHION_MNIST);
        ExperimentConfig fashion32 = base.withOverrides(List.of("DATASET.TYPE", "fashion-mnist-32",
                "DTKD4J.TRAIN_SUBSET", "10000"));
        assertThat(fashion32.datasetType()).isEqualTo(ExperimentConfig.DatasetType.FASHION_MNIST_32);
        assertThat(fashion32.extensions().trainSubset()).isEqualTo(10_000);
        assertThat(base.extensions().trainSubset()).isZero();
        assertThat(base.extensions().trainPerClass()).isZero();

        // the engine options: the reference's augmentation, no teacher-logit cache, the conv cache, one worker unless set
        assertThat(base.extensions().trainingAugmentation()).isEqualTo(Augmentation.REFERENCE);
        assertThat(base.extensions().cacheTeacherLogits()).isFalse();
        assertThat(base.extensions().workers()).isEqualTo(1);
        assertThat(base.extensions().cacheConvActivations()).isTrue();
        assertThat(base.extensions().fusedBatchNorm()).isTrue();
        assertThat(base.extensions().foldTeacherBatchNorm()).isTrue();
        assertThat(base.extensions().teacherChannelsLast()).isTrue();
        ExperimentConfig.Extensions engine = base.withOverrides(List.of("DTKD4J.AUGMENTATION", "None",
                "DTKD4J.CACHE_TEACHER_LOGITS", "True", "DTKD4J.WORKERS", "4", "DTKD4J.CACHE_CONV_ACTIVATIONS",
                "False", "DTKD4J.FUSED_BATCH_NORM", "False", "DTKD4J.FOLD_TEACHER_BATCH_NORM", "False",
                "DTKD4J.TEACHER_CHANNELS_LAST", "False")).extensions();
        assertThat(engine.trainingAugmentation()).isEqualTo(Augmentation.NONE);
        assertThat(engine.cacheTeacherLogits()).isTrue();
        assertThat(engine.cacheConvActivations()).isFalse();
        assertThat(engine.fusedBatchNorm()).isFalse();
        assertThat(engine.foldTeacherBatchNorm()).isFalse();
        assertThat(engine.teacherChannelsLast()).isFalse();
        assertThat(engine.workers()).isEqualTo(4);
    }

    @Test
    void everyKeyCanBeOverriddenWithTheTextOfItsValue() {
        ExperimentConfig defaults = ExperimentConfig.defaults();
        assertThat(defaults.values()).hasSize(Schema.KEYS.size()).containsKeys("LOG.WANDB", "CRD.NCE.K",
                "REVIEWKD.STU_PREACT", "DTKD.WARMUP", "DTKD4J.SEED");
        defaults.values().forEach((key, value) -> assertThat(
                defaults.withOverrides(List.of(key, String.valueOf(value)))).as(key).isEqualTo(defaults));
    }

    @Test
    void aReferenceFileWithIgnoredSectionsLoadsAndKeepsThem() {
        ExperimentConfig cfg = yaml("""
                EXPERIMENT:
                  NAME: "crd-like"
                DATASET:
                  TYPE: "cifar100"
                  NUM_WORKERS: 8
                  TEST:
                    BATCH_SIZE: 128
                DISTILLER:
                  TYPE: "KD"
                LOG:
                  WANDB: False
                  TENSORBOARD_FREQ: 100
                CRD:
                  NCE:
                    K: 4096
                RKD:
                  PDIST:
                    EPSILON: 1e-10
                FITNET:
                  INPUT_SIZE: [28, 28]
                REVIEWKD:
                  SHAPES: [1, 4, 8, 16]
                DTKD:
                  LOSS:
                """);
        assertThat(cfg.get("CRD.NCE.K")).isEqualTo(4096);
        assertThat(cfg.get("RKD.PDIST.EPSILON")).isEqualTo(1e-10);
        assertThat(cfg.get("FITNET.INPUT_SIZE")).isEqualTo(List.of(28, 28));
        assertThat(cfg.get("REVIEWKD.SHAPES")).isEqualTo(List.of(1, 4, 8, 16));
        assertThat(cfg.dataset()).isEqualTo(new ExperimentConfig.Dataset("cifar100", 8, 128));
        assertThat(cfg.log().tensorboardFreq()).isEqualTo(100);
        assertThat(cfg.runDirectory()).isEqualTo(Path.of("./output", "distill", "crd-like"));
        assertThat(cfg.distillation()).isEqualTo(KdConfig.defaults());
        assertThat(ExperimentConfig.parse(cfg.toYaml(), "dump")).isEqualTo(cfg);
    }

    @Test
    void toYamlRoundTripsOverridesAndExtensions() {
        ExperimentConfig cfg = yaml("DISTILLER:\n  TYPE: DTKD\n").withOverrides(List.of("SOLVER.WEIGHT_DECAY", "5e-4",
                "DTKD.BETA", "0.5", "DTKD4J.TEACHER_WEIGHTS", "t/resnet56.onnx", "RKD.PDIST.EPSILON", "1e-12"));
        String dumped = cfg.toYaml();
        assertThat(dumped).contains("DTKD4J:", "TEACHER_WEIGHTS: t/resnet56.onnx");
        assertThat(ExperimentConfig.parse(dumped, "dump")).isEqualTo(cfg);
        assertThat(cfg.teacherWeights()).contains(Path.of("t/resnet56.onnx"));
        assertThat(cfg.datasetDirectory()).isEmpty();
    }

    @Test
    void unknownKeysAreRejectedWithTheClosestValidKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "SOLVER:\n  LRR: 0.1\n");
        assertThatThrownBy(() -> ExperimentConfig.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": unknown config key SOLVER.LRR (did you mean SOLVER.LR?)");
        assertThatThrownBy(() -> yaml("DTKD4j:\n  SEED: 1\n"))
                .hasMessage("test.yaml: unknown config key DTKD4j (did you mean DTKD4J?)");
        assertThatThrownBy(() -> yaml("MYMETHOD:\n  ALPHA: 1\n"))
                .hasMessage("test.yaml: unknown config key MYMETHOD");

        ExperimentConfig cfg = ExperimentConfig.defaults();
        assertThatThrownBy(() -> cfg.withOverrides(List.of("SOLVER.MOMENTUMM", "0.8")))
                .hasMessage("command line: unknown config key SOLVER.MOMENTUMM (did you mean SOLVER.MOMENTUM?)");
        assertThatThrownBy(() -> cfg.withOverrides(List.of("solver.lr", "0.1")))
                .hasMessage("command line: unknown config key solver.lr (did you mean SOLVER.LR?)");
        assertThatThrownBy(() -> cfg.withOverrides(List.of("DTKD.TEMPERATURE", "2")))
                .hasMessageStartingWith("command line: unknown config key DTKD.TEMPERATURE");
        assertThatThrownBy(() -> cfg.withOverrides(List.of("SOLVER", "1")))
                .hasMessage("command line: SOLVER is a section, not a value; set one of its keys, e.g. "
                        + "SOLVER.TRAINER");
        assertThatThrownBy(() -> cfg.withOverrides(List.of("SOLVER.LR", "0.1", "SOLVER.EPOCHS")))
                .hasMessageContaining("KEY VALUE pairs, found 3 items");
        assertThatThrownBy(() -> cfg.get("LOG.WANDBB")).hasMessageContaining("did you mean LOG.WANDB?");
    }

    @Test
    void badValuesNameTheKeyAndTheValueFound(@TempDir Path dir) throws IOException {
        ExperimentConfig cfg = ExperimentConfig.defaults();
        assertBad(cfg, "SOLVER.EPOCHS", "240.5", "SOLVER.EPOCHS must be an integer, found '240.5'");
        assertBad(cfg, "SOLVER.LR", "fast", "SOLVER.LR must be a number, found 'fast'");
        assertBad(cfg, "SOLVER.LR", "-0.1", "SOLVER.LR must be finite and > 0, found -0.1");
        assertBad(cfg, "SOLVER.MOMENTUM", "1", "SOLVER.MOMENTUM must be in [0, 1), found 1.0");
        assertBad(cfg, "SOLVER.LR_DECAY_STAGES", "[180,150]",
                "SOLVER.LR_DECAY_STAGES must be > 0 and strictly increasing, found [180, 150]");
        assertBad(cfg, "SOLVER.LR_DECAY_STAGES", "150", "SOLVER.LR_DECAY_STAGES must be a list of integers such as "
                + "[150, 180, 210], found '150'");
        assertBad(cfg, "SOLVER.TYPE", "Adam", "SOLVER.TYPE must be SGD (the only one implemented), found 'Adam'");
        assertBad(cfg, "SOLVER.BATCH_SIZE", "99999999999", "SOLVER.BATCH_SIZE is out of the integer range, found "
                + "99999999999");
        assertBad(cfg, "LOG.WANDB", "maybe", "LOG.WANDB must be a boolean (True or False), found 'maybe'");
        assertBad(cfg, "LOG.SAVE_CHECKPOINT_FREQ", "-1", "LOG.SAVE_CHECKPOINT_FREQ must be >= 0, found -1");
        assertBad(cfg, "DTKD.WARMUP", "0", "DTKD.WARMUP must be > 0, found 0");
        assertBad(cfg, "DTKD.ALPHA", "-3", "DTKD.ALPHA must be finite and >= 0, found -3.0");
        assertBad(cfg, "DKD.T", "0", "DKD.T must be finite and > 0, found 0.0");
        assertBad(cfg, "DISTILLER.TYPE", "CRD",
                "DISTILLER.TYPE must be one of NONE (or vanilla), KD, DKD, DTKD, DTKD_DKD, LS_KD, LS_DKD, NORMKD, "
                + "NORMKD_DKD (or NormKD_W_DKD), found 'CRD'");
        assertBad(cfg, "DISTILLER.STUDENT", "resnet21",
                "DISTILLER.STUDENT must be a model of CifarZoo.names(), found 'resnet21' (did you mean resnet20?)");
        assertBad(cfg.withOverrides(List.of("DISTILLER.TYPE", "DTKD")), "DISTILLER.TEACHER", "bert",
                "DISTILLER.TEACHER must be a model of CifarZoo.names(), found 'bert'; valid: " + CifarZoo.names());
        assertBad(cfg, "DATASET.TYPE", "imagenet",
                "DATASET.TYPE must be one of cifar10, cifar100, fashion-mnist, fashion-mnist-32, found 'imagenet'");
        assertBad(cfg, "DTKD4J.DATASET_TYPE", "mnist", "DTKD4J.DATASET_TYPE must be one of cifar10, cifar100, "
                + "fashion-mnist, fashion-mnist-32 (or empty for DATASET.TYPE), found 'mnist'");
        assertBad(cfg, "DTKD4J.TRAIN_SUBSET", "-1", "DTKD4J.TRAIN_SUBSET must be >= 0 (0 for all), found -1");
        assertBad(cfg, "DTKD4J.TRAIN_PER_CLASS", "-2", "DTKD4J.TRAIN_PER_CLASS must be >= 0 (0 for all), found -2");
        assertBad(cfg.withOverrides(List.of("DTKD4J.TRAIN_SUBSET", "100")), "DTKD4J.TRAIN_PER_CLASS", "10",
                "DTKD4J.TRAIN_SUBSET and DTKD4J.TRAIN_PER_CLASS select the training images in two ways: set one of "
                        + "them, found 100 and 10");
        assertBad(cfg, "DTKD4J.TEACHER_WEIGHTS", "teacher.pt",
                "DTKD4J.TEACHER_WEIGHTS must name an .onnx, .zip or .h5 file, found 'teacher.pt'");
        assertBad(cfg, "DTKD4J.HAZARD_POLICY", "ignore",
                "DTKD4J.HAZARD_POLICY must be one of [GUARDED, OFFICIAL, STRICT], found 'ignore'");
        assertBad(cfg, "DTKD4J.WORKERS", "0", "DTKD4J.WORKERS must be >= 1, found 0");
        assertBad(cfg, "DTKD4J.AUGMENTATION", "flip", "DTKD4J.AUGMENTATION must be reference or none, found 'flip'");
        assertBad(cfg, "DTKD4J.CACHE_TEACHER_LOGITS", "yes",
                "DTKD4J.CACHE_TEACHER_LOGITS must be a boolean (True or False), found 'yes'");

        // a teacher outside the zoo is accepted as a label when its weights file is given, and for NONE
        assertThat(cfg.withOverrides(List.of("DISTILLER.TYPE", "DTKD", "DISTILLER.TEACHER", "my-vit",
                "DTKD4J.TEACHER_WEIGHTS", "vit.onnx")).distiller().teacher()).isEqualTo("my-vit");
        assertThat(cfg.withOverrides(List.of("DISTILLER.TEACHER", "none")).distiller().method()).isEqualTo(Method.NONE);

        // file values: YAML types, the file named first
        assertThatThrownBy(() -> yaml("SOLVER:\n  EPOCHS: 240.5\n"))
                .hasMessage("test.yaml: SOLVER.EPOCHS must be an integer, found double 240.5");
        assertThatThrownBy(() -> yaml("EXPERIMENT:\n  TAG: yes\n"))
                .hasMessage("test.yaml: EXPERIMENT.TAG must be a string, found boolean true (quote it in YAML)");
        assertThatThrownBy(() -> yaml("EXPERIMENT:\n  NAME:\n"))
                .hasMessage("test.yaml: EXPERIMENT.NAME must be a string, found an empty value");
        assertThatThrownBy(() -> yaml("SOLVER: 3\n")).hasMessage("test.yaml: SOLVER is a section, found integer 3");
        assertThatThrownBy(() -> yaml("SOLVER:\n  LR:\n    X: 1\n"))
                .hasMessage("test.yaml: SOLVER.LR must be a number, found a section {X=1}");
        assertThatThrownBy(() -> yaml("SOLVER:\n  LR_DECAY_STAGES: [150, 1.5]\n"))
                .hasMessageStartingWith("test.yaml: SOLVER.LR_DECAY_STAGES must be a list of integers");
        assertThatThrownBy(() -> yaml("- 1\n- 2\n")).hasMessageStartingWith("test.yaml: expected a mapping of sections");
        assertThatThrownBy(() -> yaml("SOLVER:\n  LR: 0.1\n  LR: 0.2\n"))
                .hasMessageStartingWith("test.yaml: not valid YAML: ").hasMessageContaining("duplicate key LR");
        assertThatThrownBy(() -> yaml("SOLVER:\n  LR: [0.1\n")).hasMessageStartingWith("test.yaml: not valid YAML: ");
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> ExperimentConfig.load(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(missing + ": no such config file");
    }

    private static void assertBad(ExperimentConfig cfg, String key, String value, String message) {
        assertThatThrownBy(() -> cfg.withOverrides(List.of(key, value))).as(key + " " + value)
                .isInstanceOf(IllegalArgumentException.class).hasMessage("command line: " + message);
    }
}
