package org.dtkd4j.examples.demo;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.examples.plot.RunPlots;
import org.dtkd4j.examples.distill.SavedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FashionDemoTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    @Test
    void quickPipelineTrainsTeacherAndThreeStudentsAndWritesRunsPlotsAndTable(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(text, true, StandardCharsets.UTF_8);
        Progress quiet = new Progress(new PrintStream(OutputStream.nullOutputStream()), false, 30, System::nanoTime);
        DemoOptions options = DemoOptions.quick().withOutDir(tmp.resolve("out"))
                .withFashionMnistDir(tmp.resolve("no-package"));

        DemoResult result = FashionDemo.run(options, console, quiet);

        assertThat(result.data().fromPackage()).isFalse();
        assertThat(result.rows()).extracting(DemoResult.Row::role)
                .containsExactly("teacher", "student", "student", "student");
        assertThat(result.rows()).extracting(DemoResult.Row::method)
                .containsExactly(Method.NONE, Method.NONE, Method.KD, Method.DTKD);
        assertThat(result.teacher().model()).isEqualTo(FashionDemo.TEACHER);
        for (DemoResult.Row row : result.rows()) {
            assertThat(row.testTop1()).as("%s, recomputed from its checkpoint", row).isEqualTo(SavedModels.top1(
                    row.runDir().resolve("checkpoints/latest.zip"), result.data().split().test()));
            assertThat(row.seconds()).isPositive();
            assertThat(row.epochs()).isEqualTo(1);
            assertThat(row.runDir().getParent()).isEqualTo(tmp.resolve("out"));
            assertThat(row.runDir().resolve(Distiller.METRICS_FILE)).isRegularFile();
            assertThat(Files.readAllLines(row.runDir().resolve(Distiller.METRICS_FILE))).hasSize(2);
            assertThat(row.plots()).contains(row.runDir().resolve(RunPlots.ACCURACY), row.runDir().resolve(RunPlots.LOSSES));
            for (Path png : row.plots()) {
                assertPng(png);
            }
        }
        assertThat(result.student(Method.DTKD).orElseThrow().plots())
                .contains(result.student(Method.DTKD).orElseThrow().runDir().resolve(RunPlots.TEMPERATURES));
        assertThat(result.student(Method.NONE).orElseThrow().model()).isEqualTo(FashionDemo.STUDENT);
        assertThat(result.comparePlot()).isEqualTo(tmp.resolve("out").resolve(FashionDemo.COMPARE_PNG));
        assertPng(result.comparePlot());
        // the same initial student and data order for the three methods: identical config apart from the loss
        assertThat(Files.readString(result.student(Method.KD).orElseThrow().runDir().resolve(Distiller.CONFIG_FILE)))
                .contains("\"seed\" : 42");

        String out = text.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("bundled").contains("60 training images (first 6 per class)")
                .contains("warmup 1 epoch(s)").contains("alpha=3, beta=1, T=4")
                .containsPattern("resnet20 +teacher +CE +1 +\\d+\\.\\d\\d% +\\d+\\.\\d")
                .containsPattern("resnet8 +student +DTKD +1 +\\d+\\.\\d\\d%")
                .contains("DTKD vs NONE: ").contains("== [4/4] student resnet8, DTKD");
    }

    @Test
    void aNonRunDirectoryInTheOutputIsNotReplaced(@TempDir Path tmp) throws IOException {
        Path foreign = Files.createDirectories(tmp.resolve("student-resnet8-kd"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        DemoOptions options = DemoOptions.quick().withOutDir(tmp).withFashionMnistDir(tmp.resolve("no-package"));
        Progress quiet = new Progress(new PrintStream(OutputStream.nullOutputStream()), false, 30, System::nanoTime);
        assertThatThrownBy(() -> FashionDemo.run(options, new PrintStream(OutputStream.nullOutputStream()), quiet))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output directory " + tmp + " holds student-resnet8-kd which is not a run directory (no "
                        + "config.json): choose another --out");
        assertThat(foreign.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void scheduleIsTheReferencesScaledToTheEpochs() {
        assertThat(FashionDemo.milestones(240)).containsExactly(150, 180, 210);
        assertThat(FashionDemo.milestones(6)).containsExactly(4, 5);
        assertThat(FashionDemo.milestones(10)).containsExactly(6, 8, 9);
        assertThat(FashionDemo.milestones(1)).isEmpty();
        assertThat(FashionDemo.warmup(240)).isEqualTo(20);
        assertThat(FashionDemo.warmup(60)).isEqualTo(5);
        assertThat(FashionDemo.warmup(6)).isEqualTo(1);
        assertThat(FashionDemo.warmup(1)).isEqualTo(1);
    }

    @Test
    void optionsAreValidated() {
        DemoOptions d = DemoOptions.defaults();
        assertThat(d.outDir()).isEqualTo(Path.of("runs", "demo"));
        assertThat(List.of(d.teacherEpochs(), d.studentEpochs(), d.trainPerClass(), d.testPerClass()))
                .containsExactly(DemoOptions.TEACHER_EPOCHS, DemoOptions.STUDENT_EPOCHS, DemoData.TRAIN_PER_CLASS,
                        DemoData.TEST_PER_CLASS);
        assertThatThrownBy(() -> d.withStudentEpochs(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--epochs must be >= 1, found 0");
        assertThatThrownBy(() -> new DemoOptions(d.outDir(), 2, 2, 201, 5, 1, d.fashionMnistDir()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("training images per class must be in 1..200, found 201");
    }

    private static void assertPng(Path png) throws IOException {
        assertThat(png).isRegularFile();
        byte[] head = new byte[4];
        System.arraycopy(Files.readAllBytes(png), 0, head, 0, 4);
        assertThat(head).as(png.toString()).isEqualTo(PNG_MAGIC);
    }
}
