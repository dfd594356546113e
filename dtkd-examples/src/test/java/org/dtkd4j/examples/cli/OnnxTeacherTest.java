package org.dtkd4j.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.examples.testdata.GoldenOnnx;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ONNX teachers on the command line, with a PyTorch export of a randomly initialised zoo model (CIFAR-100, the
 * smallest of the repository's golden fixtures) and tiny CIFAR binary files: {@code distill} runs it as the zoo's
 * native graph when {@code DISTILLER.TEACHER} names its architecture, and imports the ONNX graph otherwise;
 * {@code eval} imports it.
 */
class OnnxTeacherTest {

    @TempDir
    static Path tmp;

    static Path onnx;
    static Path cifar100;

    @BeforeAll
    static void data() {
        onnx = GoldenOnnx.smallest();
        cifar100 = TinyCifar.cifar100(tmp.resolve("cifar100"), 64, 16);
    }

    @Test
    void distillRunsAZooExportAsTheNativeZooGraph() throws IOException {
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run(0, "distill", "--cfg", Path.of("..", "configs", "cifar100", "dtkd", "res32x4_res8x4.yaml"),
                "--teacher", onnx, "--dataset-dir", cifar100, "--run-dir", run, "--epochs", "1",
                "DISTILLER.TEACHER", GoldenOnnx.model(onnx), "DISTILLER.STUDENT", "resnet8");
        String teacher = new ObjectMapper().readTree(run.resolve("config.json").toFile()).get("teacher").asText();
        String zoo = GoldenOnnx.model(onnx) + " zoo teacher from " + onnx.getFileName();
        // by default the teacher runs channels-last (DTKD4J.TEACHER_CHANNELS_LAST) with its BatchNorm folded into its
        // convolutions (DTKD4J.FOLD_TEACHER_BATCH_NORM)
        String last = zoo + ", channels-last";
        assertThat(teacher).startsWith(last + " (").endsWith(" BatchNorm layers folded into convolutions) (100 classes)");
        assertThat(Integer.parseInt(teacher.substring(last.length() + 2, teacher.indexOf(' ', last.length() + 2))))
                .as("BatchNorm layers folded").isPositive();
        assertThat(r.out()).contains("teacher " + teacher + ": test top-1")
                .doesNotContain("importing its ONNX graph");
        assertThat(Files.readAllLines(run.resolve("metrics.csv"))).hasSize(2);

        Path unfolded = tmp.resolve("unfolded");
        Cli.run(0, "distill", "--cfg", Path.of("..", "configs", "cifar100", "dtkd", "res32x4_res8x4.yaml"),
                "--teacher", onnx, "--dataset-dir", cifar100, "--run-dir", unfolded, "--epochs", "1",
                "DISTILLER.TEACHER", GoldenOnnx.model(onnx), "DISTILLER.STUDENT", "resnet8",
                "DTKD4J.FOLD_TEACHER_BATCH_NORM", "False", "DTKD4J.TEACHER_CHANNELS_LAST", "False");
        assertThat(new ObjectMapper().readTree(unfolded.resolve("config.json").toFile()).get("teacher").asText())
                .isEqualTo(zoo + " (100 classes)");
    }

    @Test
    void anExportOfAnotherArchitectureIsImportedAndCheckedAgainstTheData() {
        Path cifar10 = TinyCifar.cifar10(tmp.resolve("cifar10"), 20, 4);
        Path run = tmp.resolve("cifar10-run");
        Cli.Result r = Cli.run(2, "distill", "--cfg", Path.of("..", "configs", "cifar100", "dtkd",
                        "res56_res20.yaml"), "--teacher", onnx, "--dataset-type", "cifar10", "--dataset-dir", cifar10,
                "--run-dir", run);
        assertThat(r.out()).contains("teacher: " + onnx + " is not a PyTorch export of the zoo's resnet56")
                .contains("importing its ONNX graph instead");
        assertThat(r.err().strip()).startsWith("dtkd: ONNX teacher").contains("has 100 classes, the data "
                + "cifar10-test (10 classes, 3x32x32) has 10").doesNotContain("\n");
        assertThat(run).doesNotExist();
    }

    @Test
    void evalImportsAnOnnxModel() {
        Cli.Result r = Cli.run(0, "eval", "--model", onnx, "--dataset-type", "cifar100", "--dataset-dir", cifar100);
        assertThat(r.out()).contains("model: ONNX teacher").contains("data:  cifar100-test (100 classes, 3x32x32), "
                + "16 test images").containsPattern("top-1: \\d+\\.\\d\\d%").containsPattern("top-5: \\d+\\.\\d\\d%");
    }
}
