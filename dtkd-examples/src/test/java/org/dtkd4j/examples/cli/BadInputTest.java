package org.dtkd4j.examples.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.examples.testdata.TinyExperiment;
import org.dtkd4j.examples.testdata.TinyFashionMnist;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad usage and bad input: exit code 2, one line on standard error naming the problem, nothing on standard output,
 * and no run directory created.
 */
class BadInputTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Path cfg;
    static Path fiveClassTeacher;
    static Path colourTeacher;
    static Path teacher;

    @BeforeAll
    static void fixtures() throws IOException {
        data = TinyFashionMnist.write(tmp.resolve("fmnist"), 20, 10);
        cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        ComputationGraph five = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(5).input(1, 28, 28).build());
        fiveClassTeacher = tmp.resolve("five.zip");
        ModelSerializer.writeModel(five, fiveClassTeacher.toFile(), false);
        ComputationGraph colour = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).build());
        colourTeacher = tmp.resolve("colour.zip");
        ModelSerializer.writeModel(colour, colourTeacher.toFile(), false);
        ComputationGraph fits = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).input(1, 28, 28).build());
        teacher = tmp.resolve("teacher.zip");
        ModelSerializer.writeModel(fits, teacher.toFile(), false);
    }

    /** Runs {@code command --cfg tiny.yaml --dataset-dir data --run-dir <new> args...} and checks it failed cleanly. */
    private static String runFails(String command, Object... args) {
        Path runDir = tmp.resolve("run-" + System.nanoTime());
        List<Object> all = new ArrayList<>(List.of(command, "--cfg", cfg, "--dataset-dir", data, "--run-dir", runDir));
        all.addAll(List.of(args));
        String message = fails(all.toArray());
        assertThat(runDir).as("run directory after: %s", message).doesNotExist();
        return message;
    }

    /** Runs the command line and checks exit code 2, one line on stderr starting "dtkd: " and nothing on stdout. */
    private static String fails(Object... args) {
        Cli.Result r = Cli.run(2, args);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("dtkd: ").endsWith(System.lineSeparator());
        assertThat(r.err().strip().lines()).hasSize(1);
        return r.err().strip();
    }

    @Test
    void configProblemsNameTheFileTheKeyOrTheValue() {
        assertThat(fails("train")).contains("missing --cfg FILE");
        assertThat(fails("train", "--cfg", tmp.resolve("nope.yaml")))
                .isEqualTo("dtkd: " + tmp.resolve("nope.yaml") + ": no such config file");
        assertThat(runFails("train", "SOLVER.LRR", "0.1"))
                .isEqualTo("dtkd: command line: unknown config key SOLVER.LRR (did you mean SOLVER.LR?)");
        assertThat(runFails("train", "SOLVER.LR")).contains("overrides must be KEY VALUE pairs, found 1 items");
        assertThat(runFails("train", "SOLVER.EPOCHS", "ten")).contains("SOLVER.EPOCHS").contains("'ten'");
        assertThat(runFails("distill", "--teacher", tmp.resolve("teacher.txt")))
                .contains("DTKD4J.TEACHER_WEIGHTS must name an .onnx, .zip or .h5 file");
        assertThat(fails("train", "--bogus")).contains("Unknown option: '--bogus'");
    }

    @Test
    void engineOptionsAreCheckedBeforeTheRunStarts() {
        assertThat(runFails("train", "--workers", "0")).contains("DTKD4J.WORKERS must be >= 1, found 0");
        assertThat(runFails("distill", "--teacher", teacher, "DTKD4J.AUGMENTATION", "flip"))
                .contains("DTKD4J.AUGMENTATION must be reference or none, found 'flip'");
        // the engine's own checks, which Distiller.Builder.build() makes before it writes anything
        assertThat(runFails("distill", "--teacher", teacher, "DTKD4J.CACHE_TEACHER_LOGITS", "True"))
                .isEqualTo("dtkd: cacheTeacherLogits(true) needs augmentation NONE: an augmented example changes "
                        + "every epoch, and so do its teacher logits; found augmentation REFERENCE");
        assertThat(runFails("train", "DTKD4J.AUGMENTATION", "none", "DTKD4J.CACHE_TEACHER_LOGITS", "True"))
                .isEqualTo("dtkd: cacheTeacherLogits(true) needs a teacher, found method NONE without one");
    }

    @Test
    void aStudentOutsideTheZooIsNamedWithTheValidNames() {
        assertThat(runFails("train", "DISTILLER.STUDENT", "foonet"))
                .contains("DISTILLER.STUDENT must be a model of CifarZoo.names(), found 'foonet'; valid: [")
                .contains("resnet8").contains("ShuffleV2");
    }

    @Test
    void dataProblemsNameTheDirectoryAndTheExpectedFiles() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(runFails("train", "DTKD4J.DATASET_DIR", empty)).contains("Fashion-MNIST directory " + empty + " lacks "
                + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz");
        Path truncated = Files.createDirectories(tmp.resolve("truncated"));
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.write(truncated.resolve(f), new byte[]{1, 2, 3});
        }
        assertThat(runFails("train", "DTKD4J.DATASET_DIR", truncated)).contains(truncated.toString());
        assertThat(runFails("train", "DTKD4J.DATASET_TYPE", "cifar100", "DTKD4J.DATASET_DIR", ""))
                .contains("no dataset directory for cifar100: set DTKD4J.DATASET_DIR or --dataset-dir")
                .contains("train.bin, test.bin");
    }

    @Test
    void teacherProblemsAreFoundBeforeTheRunStarts() {
        assertThat(runFails("distill")).contains("distillation needs the teacher's weights: set "
                + "DTKD4J.TEACHER_WEIGHTS or --teacher");
        assertThat(runFails("distill", "--teacher", tmp.resolve("missing.zip")))
                .isEqualTo("dtkd: teacher file " + tmp.resolve("missing.zip") + " (DTKD4J.TEACHER_WEIGHTS) does not "
                        + "exist");
        assertThat(runFails("distill", "--teacher", fiveClassTeacher)).contains("DL4J teacher five.zip")
                .contains("has 5 classes, the data fashion-mnist-test (10 classes, 1x28x28) has 10");
        assertThat(runFails("distill", "--teacher", colourTeacher)).startsWith("dtkd: DL4J teacher colour.zip (")
                .contains(" BatchNorm layers folded into convolutions) (10 classes) cannot classify the images of "
                        + "fashion-mnist-test (10 classes, 1x28x28): ")
                .contains("input of shape [2, 1, 28, 28] does not fit the model's input [-1, 3, -1, -1]");
        assertThat(runFails("distill", "--teacher", fiveClassTeacher, "DISTILLER.TYPE", "NONE"))
                .contains("distill needs DISTILLER.TYPE KD, DKD, DTKD, DTKD_DKD, LS_KD, LS_DKD, NORMKD or NORMKD_DKD, found NONE");
    }

    /** Runs {@code study --cfg tiny.yaml --dataset-dir data --out <new> args...} and checks it failed cleanly. */
    private static String studyFails(Object... args) {
        Path out = tmp.resolve("study-" + System.nanoTime());
        List<Object> all = new ArrayList<>(List.of("study", "--cfg", cfg, "--dataset-dir", data, "--out", out));
        all.addAll(List.of(args));
        String message = fails(all.toArray());
        assertThat(out).as("study directory after: %s", message).doesNotExist();
        return message;
    }

    @Test
    void studyOptionsTheConfigTheDataAndTheTeacherAreCheckedBeforeTheStudyStarts() throws IOException {
        assertThat(studyFails("--methods", "KD,FOO")).isEqualTo("dtkd: --methods: unknown method 'FOO', expected one "
                + "of [NONE, KD, DKD, DTKD, DTKD_DKD, LS_KD, LS_DKD, NORMKD, NORMKD_DKD]");
        assertThat(studyFails("--methods", "KD,dtkd,DTKD")).isEqualTo("dtkd: --methods lists DTKD twice, found [KD, "
                + "dtkd, DTKD]");
        assertThat(studyFails("--seeds", "0")).isEqualTo("dtkd: --seeds must be >= 1, found 0");
        assertThat(studyFails("--methods", "KD,DTKD", "--baseline", "DKD"))
                .isEqualTo("dtkd: --baseline DKD is not among --methods [KD, DTKD]");
        assertThat(studyFails("--teacher", tmp.resolve("missing.zip"))).isEqualTo("dtkd: teacher file "
                + tmp.resolve("missing.zip") + " (DTKD4J.TEACHER_WEIGHTS) does not exist");
        assertThat(studyFails("--teacher", teacher, "--teacher-epochs", "2"))
                .startsWith("dtkd: --teacher-epochs sets the epochs of the teacher the study trains");
        assertThat(studyFails("--teacher", fiveClassTeacher)).contains("has 5 classes, the data fashion-mnist-test");
        assertThat(studyFails("--train-subset", "10", "--train-per-class", "1"))
                .startsWith("dtkd: --train-subset and --train-per-class select the training images in two ways");
        assertThat(studyFails("--train-subset", "21")).isEqualTo("dtkd: DTKD4J.TRAIN_SUBSET 21 exceeds the training "
                + "images of fashion-mnist-train (10 classes, 1x28x28), found 20");
        assertThat(studyFails("DISTILLER.TEACHER", "bert")).contains("DISTILLER.TEACHER must be a model of "
                + "CifarZoo.names(), found 'bert'");
        // the config's own method needs no teacher, the study's do
        assertThat(studyFails("DISTILLER.TYPE", "NONE", "DISTILLER.TEACHER", "bert")).startsWith("dtkd: "
                + "DISTILLER.TEACHER must be a model of CifarZoo.names() for the study to train it, found 'bert' (or "
                + "give --teacher FILE)");
        assertThat(studyFails("SOLVER.LR", "zero")).contains("SOLVER.LR").contains("'zero'");
        Path empty = Files.createDirectories(tmp.resolve("study-empty-data"));
        assertThat(studyFails("DTKD4J.DATASET_DIR", empty)).contains("Fashion-MNIST directory " + empty + " lacks");
        // the engine's own checks, made on a trial build before the study writes anything
        assertThat(studyFails("--methods", "NONE,KD", "DTKD4J.CACHE_TEACHER_LOGITS", "True"))
                .isEqualTo("dtkd: cacheTeacherLogits(true) needs augmentation NONE: an augmented example changes "
                        + "every epoch, and so do its teacher logits; found augmentation REFERENCE");
        assertThat(fails("study", "--seeds", "2")).contains("missing --cfg FILE");
        // a directory that holds something other than a study is left alone
        Path used = Files.createDirectories(tmp.resolve("study-used"));
        Files.writeString(used.resolve("notes.txt"), "mine");
        assertThat(fails("study", "--cfg", cfg, "--dataset-dir", data, "--out", used)).isEqualTo("dtkd: study "
                + "directory " + used.toAbsolutePath().normalize() + " is not empty and holds no study.json: choose a "
                + "new or empty --out");
        try (var files = Files.list(used)) {
            assertThat(files.toList()).containsExactly(used.resolve("notes.txt"));
        }
    }

    @Test
    void aRunDirectoryHoldingACheckpointIsLeftAlone() throws IOException {
        Path used = tmp.resolve("used");
        Path latest = Files.createDirectories(used.resolve("checkpoints")).resolve("latest.zip");
        Files.writeString(latest, "not touched");
        String message = fails("train", "--cfg", cfg, "--dataset-dir", data, "--run-dir", used);
        assertThat(message).isEqualTo("dtkd: run directory " + used + " already holds checkpoints/latest.zip: "
                + "continue it with --resume " + used + ", or choose another DTKD4J.RUN_DIR (--run-dir)");
        try (var files = Files.list(used)) {
            assertThat(files.toList()).containsExactly(used.resolve("checkpoints"));
        }
        assertThat(latest).hasContent("not touched");
    }

    @Test
    void resumeNeedsARunDirectoryAndKeepsItsRecipe() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("not-a-run"));
        assertThat(fails("train", "--resume", empty)).contains("--resume " + empty + ": no experiment.yaml in it");
        assertThat(fails("train", "--resume", tmp.resolve("nowhere"))).contains("no such run directory");
        assertThat(fails("train", "--resume", empty, "--epochs", "3")).contains("leave out --epochs");
        assertThat(fails("train", "--resume", empty, "--workers", "2")).contains("leave out --workers");
        assertThat(fails("distill", "--resume", empty, "--cfg", cfg, "--teacher", fiveClassTeacher,
                "--dataset-dir", data, "DISTILLER.TYPE", "KD")).contains("has 5 classes");
    }

    @Test
    void evalAndCompareNameTheMissingModelOrRun() throws IOException {
        Path notRun = Files.createDirectories(tmp.resolve("plain-dir"));
        assertThat(fails("eval", "--model", tmp.resolve("none.zip"), "--dataset-dir", data, "--dataset-type",
                "fashion-mnist")).contains("--model " + tmp.resolve("none.zip") + ": no such file or run directory");
        assertThat(fails("eval", "--model", notRun, "--cfg", cfg, "--dataset-dir", data))
                .contains("is a directory without checkpoints/best.zip");
        assertThat(fails("eval", "--model", fiveClassTeacher, "--cfg", cfg, "--dataset-dir", data))
                .contains("has 5 classes");
        assertThat(fails("eval", "--model", colourTeacher, "--cfg", cfg, "--dataset-dir", data))
                .contains("cannot classify the images of fashion-mnist-test (10 classes, 1x28x28)");
        assertThat(fails("eval", "--cfg", cfg)).contains("Missing required option: '--model=RUN_DIR|FILE'");
        Path png = tmp.resolve("cmp.png");
        assertThat(fails("compare", notRun, "--out", png)).contains(notRun.resolve("metrics.csv")
                + ": no such file (is " + notRun + " a run directory?)");
        assertThat(png).doesNotExist();
        assertThat(fails("compare", notRun)).contains("Missing required option: '--out=PNG'");
    }
}
