package org.dtkd4j.examples.distill;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.perf.NativeMemory;
import org.dtkd4j.core.testsupport.ChildJvm;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlainApiDistillationTest {

    @TempDir
    Path tmp;

    @Test
    void aBrieflyTrainedTeacherAndItsDistilledStudentLearnTheClasses() {
        Path data = TinyCifar.cifar10(tmp, 200, 100);

        DistillationResult r = PlainApiDistillation.run("--data", data.toString(), "--teacher-epochs", "3",
                "--epochs", "3", "--batch", "20");

        assertThat(r.teacher()).startsWith("DL4J ComputationGraph teacher (10 classes");
        assertThat(r.student()).isEqualTo("8-channel CNN");
        assertThat(r.method()).isEqualTo(Method.DTKD);
        assertThat(r.epochs()).isEqualTo(3);
        // 10 classes: chance is 0.1; the colours are learnable within three epochs
        assertThat(r.teacherTop1()).isGreaterThan(0.5);
        assertThat(r.studentTop1()).isGreaterThan(0.3);
    }

    @Test
    void aGivenTeacherIsEvaluatedAsItIs() throws IOException {
        Path data = TinyCifar.cifar10(Files.createDirectory(tmp.resolve("c")), 50, 40);
        Path zip = tmp.resolve("teacher.zip");
        ComputationGraph untrained = savedTeacher(10, zip);

        DistillationResult r = PlainApiDistillation.run("--data", data.toString(), "--teacher", zip.toString(),
                "--epochs", "1", "--batch", "25");

        assertThat(r.teacherTop1()).isEqualTo(PlainApiDistillation.top1(untrained,
                Datasets.cifar10(data).test(), 25));
    }

    @Test
    void mainSaysWhenTheJvmDoesNotKeepFreedNativeMemory() throws IOException, InterruptedException {
        Map<String, String> twoArenas = new HashMap<>(NativeMemory.KEEP);
        twoArenas.put("MALLOC_ARENA_MAX", "2");
        String without = ChildJvm.run(List.of(), twoArenas, 2, PlainApiDistillation.class, "--unknown", "1");
        String with = ChildJvm.run(List.of(), NativeMemory.KEEP, 2, PlainApiDistillation.class, "--unknown", "1");
        assertThat(with).doesNotContain("native memory:").contains("Usage: PlainApiDistillation");
        if ("Linux".equals(System.getProperty("os.name"))) {
            assertThat(without).contains("native memory: MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 ")
                    .contains("Usage: PlainApiDistillation");
        } else {
            assertThat(without).doesNotContain("native memory:");
        }
    }

    @Test
    void badOptionsAreOneLineErrorsNamingWhatWasFound() throws IOException {
        Path data = TinyCifar.cifar10(Files.createDirectory(tmp.resolve("c")), 5, 5);
        Path zip = tmp.resolve("hundred.zip");
        savedTeacher(100, zip);
        assertThatThrownBy(() -> PlainApiDistillation.run("--data", data.toString(), "--teacher", zip.toString()))
                .hasMessage("--teacher must have 10 outputs (the data's classes), found 100 in " + zip);
        assertThatThrownBy(() -> PlainApiDistillation.run("--data", data.toString(), "--teacher",
                tmp.resolve("no.zip").toString()))
                .hasMessage("--teacher must be a DL4J model zip, found no file " + tmp.resolve("no.zip"));
        assertThatThrownBy(() -> PlainApiDistillation.run("--data", data.toString(), "--teacher-epochs", "0"))
                .hasMessage("--teacher-epochs must be >= 1, found 0");
        assertThatThrownBy(() -> PlainApiDistillation.run("--data", data.toString(), "--unknown", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("PlainApiDistillation: ")
                .hasMessageContaining("--unknown");
    }

    /** An untrained 4-channel CNN teacher with a softmax output, saved to {@code zip}. */
    private static ComputationGraph savedTeacher(int classes, Path zip) throws IOException {
        ComputationGraph teacher = new ComputationGraph(PlainApiDistillation.cnn(4,
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(classes).build()));
        teacher.init();
        ModelSerializer.writeModel(teacher, zip.toFile(), false);
        return teacher;
    }
}
