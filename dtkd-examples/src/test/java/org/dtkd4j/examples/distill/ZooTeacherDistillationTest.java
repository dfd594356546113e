package org.dtkd4j.examples.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.testdata.GoldenOnnx;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZooTeacherDistillationTest {

    @TempDir
    Path tmp;

    @Test
    void distillsTheZooTeacherIntoAZooStudentAndReportsTheRun() throws IOException {
        TeacherPredictions.Labelled labelled = TeacherPredictions.cifar100LabelledByAnExport(tmp.resolve("c"));
        Path runDir = tmp.resolve("run");

        DistillationResult r = ZooTeacherDistillation.run("--data", labelled.data().toString(),
                "--teacher-onnx", labelled.export().toString(),
                "--student", "resnet8", "--epochs", "1", "--batch", "32", "--run-dir", runDir.toString());

        // the teacher model defaults to the file's base name; the test labels are its predictions
        String teacher = labelled.model() + " zoo teacher from " + labelled.export().getFileName() + " (100 classes)";
        assertThat(r.teacher()).isEqualTo(teacher);
        assertThat(r.teacherTop1()).isEqualTo(1.0);
        assertThat(r.student()).isEqualTo("resnet8");
        assertThat(r.method()).isEqualTo(Method.DTKD);
        assertThat(r.epochs()).isEqualTo(1);
        JsonNode summary = new ObjectMapper().readTree(runDir.resolve(Distiller.SUMMARY_FILE).toFile());
        assertThat(summary.get("teacher_top1").asDouble()).isEqualTo(r.teacherTop1());
        assertThat(summary.get("last_top1").asDouble()).isEqualTo(r.studentTop1());
        assertThat(summary.get("method").asText()).isEqualTo("DTKD");
        List<String> metrics = Files.readAllLines(runDir.resolve(Distiller.METRICS_FILE));
        assertThat(metrics).hasSize(2);
        assertThat(r.line()).startsWith("teacher " + teacher + ": test top-1 100.00% | student resnet8 (DTKD, "
                + "1 epoch): test top-1 ");
    }

    @Test
    void aTeacherWhoseClassesAreNotTheDataSIsRefusedBeforeTraining() {
        Path data = TinyCifar.cifar10(tmp, 10, 5);
        Path runDir = tmp.resolve("run");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", data.toString(), "--dataset", "cifar10",
                "--teacher-onnx", GoldenOnnx.smallest().toString(), "--student", "resnet8", "--epochs", "1",
                "--run-dir", runDir.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has 100 classes, the data cifar10-train has 10");
        assertThat(runDir.resolve(Distiller.CHECKPOINT_DIR)).doesNotExist();
    }

    @Test
    void badOptionsAreOneLineErrorsNamingWhatWasFound() {
        String onnx = GoldenOnnx.smallest().toString();
        String dir = tmp.toString();
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--teacher-onnx", onnx))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--data")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", onnx, "--epochs", "0"))
                .hasMessage("--epochs must be >= 1, found 0");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", onnx, "--student", "res8"))
                .hasMessageStartingWith("--student must be one of [resnet8, ").hasMessageEndingWith("found res8");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", onnx, "--method", "none"))
                .hasMessage("--method must be one of [KD, DKD, DTKD, DTKD_DKD, LS_KD, LS_DKD, NORMKD, NORMKD_DKD], found none");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", onnx, "--dataset", "svhn"))
                .hasMessage("--dataset must be cifar10 or cifar100, found svhn");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", tmp.resolve("t.onnx")
                .toString())).hasMessageStartingWith("--teacher-model must be one of").hasMessageEndingWith("found t");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", dir, "--teacher-onnx", onnx, "--batch", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--batch").hasMessageContaining("'x'")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ZooTeacherDistillation.run("--data", tmp.resolve("none").toString(),
                "--teacher-onnx", onnx)).hasMessageContaining("CIFAR-100 directory " + tmp.resolve("none"));
    }

    @Test
    void methodNamesAreReadLikeTheReferenceSpellsThem() {
        ExampleArgs args = ZooTeacherDistillation.arguments().parse("--data", "d", "--teacher-onnx", "t.onnx",
                "--method", "dtkd+dkd");
        EngineRun run = EngineRun.from(args);
        assertThat(run.method()).isEqualTo(Method.DTKD_DKD);
        assertThat(run.runDirectory()).isEqualTo(Path.of("runs", "resnet8x4-dtkd_dkd"));
        assertThat(run.student()).isEqualTo("resnet8x4");
        assertThat(run.epochs()).isEqualTo(240);
    }
}
