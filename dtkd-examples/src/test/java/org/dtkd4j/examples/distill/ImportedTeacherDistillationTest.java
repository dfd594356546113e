package org.dtkd4j.examples.distill;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The imported-teacher example, with an ONNX teacher: the golden fixtures hold ONNX exports of CIFAR models, while
 * the repository's Keras fixtures (dtkd-zoo test resources) are models for 8-12 pixel inputs, not CIFAR images, and
 * a CIFAR-sized {@code .h5} cannot be written from Java; Keras import itself is tested in dtkd-zoo.
 */
class ImportedTeacherDistillationTest {

    @TempDir
    Path tmp;

    @Test
    void anOnnxGraphImportedIntoSameDiffTeachesAsItsNativeZooGraph() {
        TeacherPredictions.Labelled labelled = TeacherPredictions.cifar100LabelledByAnExport(tmp.resolve("c"));

        DistillationResult r = ImportedTeacherDistillation.run("--data", labelled.data().toString(), "--teacher",
                labelled.export().toString(), "--student", "resnet8", "--method", "KD", "--epochs", "1",
                "--batch", "32", "--run-dir", tmp.resolve("run").toString());

        // imported graph (SameDiff) and native zoo graph agree on every test image
        assertThat(r.teacher()).isEqualTo("ONNX teacher " + labelled.export().getFileName() + " (100 classes)");
        assertThat(r.teacherTop1()).isEqualTo(1.0);
        assertThat(r.method()).isEqualTo(Method.KD);
        assertThat(r.studentTop1()).as("the student's top-1, recomputed from its checkpoint")
                .isEqualTo(SavedModels.top1(tmp.resolve("run/checkpoints/latest.zip"), Datasets.cifar100(labelled.data()).test()));
        assertThat(tmp.resolve("run").resolve("summary.json")).exists();
    }

    @Test
    void aTeacherFileOfUnknownFormatIsNamed() throws IOException {
        Path data = TinyCifar.cifar100(tmp, 5, 5);
        Path teacher = Files.writeString(tmp.resolve("teacher.pt"), "not a model");
        assertThatThrownBy(() -> ImportedTeacherDistillation.run("--data", data.toString(), "--teacher",
                teacher.toString(), "--epochs", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("teacher file " + teacher).hasMessageContaining("unknown format '.pt'");
        assertThatThrownBy(() -> ImportedTeacherDistillation.run("--data", data.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--teacher");
    }
}
