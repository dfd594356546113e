package org.dtkd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.examples.plot.RunPlots;
import org.dtkd4j.examples.testdata.TinyExperiment;
import org.dtkd4j.examples.testdata.TinyFashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * The run subcommands end to end at tiny scale (resnet8 on 128 + 64 images of 1x28x28, one epoch): {@code train} a
 * teacher, {@code distill} it into a student with DTKD from the teacher's checkpoint zip, {@code eval} both,
 * {@code compare} them, and {@code --resume} a run cut short.
 */
class RunCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path data;
    static Path cfg;
    static Path teacherRun;
    static Path studentRun;
    static Cli.Result train;
    static Cli.Result distill;

    @BeforeAll
    static void trainThenDistill() {
        data = TinyFashionMnist.write(tmp.resolve("fmnist"), 128, 64);
        cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        teacherRun = tmp.resolve("teacher");
        train = Cli.run(0, "train", "--cfg", cfg, "--dataset-dir", data, "--run-dir", teacherRun);
        studentRun = tmp.resolve("student");
        distill = Cli.run(0, "distill", "--cfg", cfg, "--dataset-dir", data, "--teacher",
                teacherRun.resolve("checkpoints/best.zip"), "DTKD4J.RUN_DIR", studentRun);
    }

    private static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    @Test
    void trainWritesARunDirectoryWithCheckpointsMetricsAndPlots() throws IOException {
        assertThat(json(teacherRun.resolve("config.json")).get("method").asText()).isEqualTo("NONE");
        assertThat(json(teacherRun.resolve("config.json")).get("teacher").asText()).isEqualTo("none");
        JsonNode summary = json(teacherRun.resolve("summary.json"));
        assertThat(summary.get("epochs").asInt()).isEqualTo(1);
        assertThat(Files.readAllLines(teacherRun.resolve("metrics.csv"))).hasSize(2);
        for (String file : List.of("checkpoints/latest.zip", "checkpoints/best.zip", "train.log",
                RunPlots.ACCURACY, RunPlots.LOSSES)) {
            assertThat(teacherRun.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(teacherRun.resolve(RunPlots.TEMPERATURES)).doesNotExist();
        assertThat(train.out()).contains("run directory: " + teacherRun)
                .contains("NONE: best test top-1 " + percent(summary.get("best_top1").asDouble()) + " (epoch 1)")
                .contains("epoch 1/1").containsPattern("compute threads: \\d+ \\((OMP_NUM_THREADS|one per core)\\)");
        // the saved experiment: train forced DISTILLER.TYPE NONE, and the paths are absolute
        ExperimentConfig saved = ExperimentConfig.load(teacherRun.resolve(RunSetup.EXPERIMENT_FILE));
        assertThat(saved.distiller().type()).isEqualTo("NONE");
        assertThat(saved.runDirectory()).isAbsolute().isEqualTo(teacherRun.toAbsolutePath().normalize());
        assertThat(saved.datasetDirectory()).contains(data.toAbsolutePath().normalize());
        assertThat(saved.solver().epochs()).isEqualTo(1);
    }

    @Test
    void distillFromTheTrainRunsZipTeacherRecordsTemperatures() throws IOException {
        JsonNode config = json(studentRun.resolve("config.json"));
        assertThat(config.get("method").asText()).isEqualTo("DTKD");
        assertThat(config.get("teacher").asText()).contains("best.zip").contains("10 classes");
        assertThat(config.get("loss").get("alpha").asDouble()).isEqualTo(3.0);
        JsonNode summary = json(studentRun.resolve("summary.json"));
        // the teacher is evaluated on the same test split: its top-1 is the teacher run's (one epoch, best = last)
        assertThat(summary.get("teacher_top1").asDouble())
                .isEqualTo(json(teacherRun.resolve("summary.json")).get("best_top1").asDouble());
        assertThat(studentRun.resolve(RunPlots.TEMPERATURES)).isNotEmptyFile();
        assertThat(distill.out()).contains("DTKD: best test top-1").contains("T_stu").contains("T_tea")
                .contains("plot: " + studentRun.resolve(RunPlots.TEMPERATURES));
    }

    /** @return the mean temperatures of the metrics' only epoch: {@code t_stu_mean, t_tea_mean} */
    private static double[] meanTemperatures(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(Distiller.METRICS_FILE));
        assertThat(lines).hasSize(2);
        List<String> header = List.of(lines.get(0).split(","));
        String[] row = lines.get(1).split(",", -1);
        return new double[]{Double.parseDouble(row[header.indexOf("t_stu_mean")]),
                Double.parseDouble(row[header.indexOf("t_tea_mean")])};
    }

    @Test
    void distillOnTwoWorkersRecordsTemperaturesAndTheWorkerCount() throws IOException {
        Path run = tmp.resolve("two-workers");
        Cli.Result r = Cli.run(0, "distill", "--cfg", cfg, "--dataset-dir", data, "--teacher",
                teacherRun.resolve("checkpoints/best.zip"), "--run-dir", run, "--workers", "2");
        // 128 training images in batches of 64: one round of the two workers
        assertThat(r.out()).contains("augmentation REFERENCE, teacher logit cache off, 2 workers")
                .contains("2 workers trained 2 batches (128 samples)").contains("DTKD: best test top-1");
        assertThat(json(run.resolve(Distiller.CONFIG_FILE)).get("workers").asInt()).isEqualTo(2);
        assertThat(ExperimentConfig.load(run.resolve(RunSetup.EXPERIMENT_FILE)).extensions().workers()).isEqualTo(2);
        // the DTKD temperatures sum to 2T per sample, so their epoch means do too (T = 4)
        double[] t = meanTemperatures(run);
        assertThat(t[0]).isPositive();
        assertThat(t[1]).isPositive();
        assertThat(t[0] + t[1]).isCloseTo(8.0, offset(1e-4));
    }

    @Test
    void distillWithoutAugmentationCachesTheTeachersLogits() throws IOException {
        Path run = tmp.resolve("cached");
        Cli.Result r = Cli.run(0, "distill", "--cfg", cfg, "--dataset-dir", data, "--teacher",
                teacherRun.resolve("checkpoints/best.zip"), "--run-dir", run, "DTKD4J.AUGMENTATION", "none",
                "DTKD4J.CACHE_TEACHER_LOGITS", "True", "DTKD4J.CACHE_CONV_ACTIVATIONS", "False",
                "DTKD4J.FUSED_BATCH_NORM", "False");
        assertThat(r.out()).contains("augmentation NONE, teacher logit cache on, 1 worker, conv activation cache off, "
                        + "fused BatchNorm off")
                .contains("caching the teacher's logits of the 128 training examples");
        JsonNode config = json(run.resolve(Distiller.CONFIG_FILE));
        assertThat(config.get("cache_teacher_logits").asBoolean()).isTrue();
        assertThat(config.get("cache_conv_activations").asBoolean()).isFalse();
        assertThat(config.get("fused_batch_norm").asBoolean()).isFalse();
        assertThat(config.get("augmentation").get("padding").asInt()).isZero();
        assertThat(config.get("augmentation").get("horizontalFlip").asBoolean()).isFalse();
        ExperimentConfig saved = ExperimentConfig.load(run.resolve(RunSetup.EXPERIMENT_FILE));
        assertThat(saved.extensions().augmentation()).isEqualTo("none");
        assertThat(saved.extensions().cacheTeacherLogits()).isTrue();
        assertThat(meanTemperatures(run)[0]).isPositive();
    }

    @Test
    void evalOfARunDirectoryPrintsTheAccuracyOfItsBestCheckpoint() throws IOException {
        Cli.Result r = Cli.run(0, "eval", "--model", teacherRun, "--dataset-type", "fashion-mnist",
                "--dataset-dir", data);
        JsonNode summary = json(teacherRun.resolve("summary.json"));
        assertThat(r.out()).contains("model: DL4J teacher best.zip")
                .contains("data:  fashion-mnist-test (10 classes, 1x28x28), 64 test images")
                .contains("top-1: " + percent(summary.get("best_top1").asDouble()))
                .contains("top-5: " + percent(summary.get("last_top5").asDouble()));
    }

    @Test
    void evalOfAZipWithTheDatasetOfAConfig() throws IOException {
        Cli.Result r = Cli.run(0, "eval", "--model", studentRun.resolve("checkpoints/best.zip"), "--cfg", cfg,
                "DTKD4J.DATASET_DIR", data);
        JsonNode summary = json(studentRun.resolve("summary.json"));
        assertThat(r.out()).contains("top-1: " + percent(summary.get("best_top1").asDouble()))
                .contains("top-5: " + percent(summary.get("last_top5").asDouble()));
    }

    @Test
    void compareWritesOnePngAndATableOfTheRuns() throws IOException {
        Path png = tmp.resolve("plots/compare.png");
        Cli.Result r = Cli.run(0, "compare", teacherRun, studentRun, "--out", png);
        assertThat(png).isNotEmptyFile();
        byte[] head = Files.readAllBytes(png);
        assertThat(new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        String teacherBest = percent(json(teacherRun.resolve("summary.json")).get("best_top1").asDouble());
        String studentBest = percent(json(studentRun.resolve("summary.json")).get("best_top1").asDouble());
        assertThat(r.out().lines()).first().asString().containsPattern("run +method +best top-1 +last top-1 +epochs");
        assertThat(r.out()).containsPattern("teacher +NONE +" + teacherBest + " +" + teacherBest + " +1/1\n")
                .containsPattern("student +DTKD +" + studentBest + " +" + studentBest + " +1/1\n")
                .doesNotContain("unfinished").contains("plot: " + png);
    }

    @Test
    void resumeContinuesARunCutShortToTheEndOfItsRecipe() throws IOException {
        // a run of 2 epochs killed after the first: the teacher run's files, with a 2-epoch recipe and no summary
        Path killed = tmp.resolve("killed");
        try (Stream<Path> files = Files.walk(teacherRun)) {
            for (Path f : files.toList()) {
                Path target = killed.resolve(teacherRun.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Files.delete(killed.resolve(Distiller.SUMMARY_FILE));
        ObjectNode config = (ObjectNode) json(killed.resolve(Distiller.CONFIG_FILE));
        ((ObjectNode) config.get("recipe")).put("epochs", 2);
        JSON.writeValue(killed.resolve(Distiller.CONFIG_FILE).toFile(), config);

        Cli.Result before = Cli.run(0, "compare", killed, "--out", tmp.resolve("killed.png"));
        assertThat(before.out()).containsPattern("killed +NONE .* 1/2\\*\n").contains("* unfinished");

        Cli.Result r = Cli.run(0, "train", "--resume", killed, "DTKD4J.THREADS", "1");
        assertThat(r.out()).contains("resuming " + killed + " after epoch 1 of 2").contains("epoch 2/2")
                .contains("compute threads: 1 (DTKD4J.THREADS)");
        assertThat(Files.readAllLines(killed.resolve("metrics.csv"))).hasSize(3);
        assertThat(json(killed.resolve(Distiller.SUMMARY_FILE)).get("epochs").asInt()).isEqualTo(2);
        // the resumed run kept writing into its own directory, not into the one its experiment.yaml names
        assertThat(Files.readAllLines(teacherRun.resolve("metrics.csv"))).hasSize(2);
    }
}
