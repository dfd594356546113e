package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Data-parallel training with two ParallelWrapper workers on the CPU, at tiny scale. */
class DistillerWorkersTest {

    static final int TRAIN = 240;

    /** Class 0: a bright row, class 1: a bright column, class 2: noise only; 1×8×8. */
    static ImageDataset lines(String name, int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            int line = r.nextInt(8);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = labels[i] == 0 && y == line || labels[i] == 1 && x == line;
                    px[i * 64 + y * 8 + x] = (byte) Math.min(255, (on ? 180 : 0) + r.nextInt(60));
                }
            }
        }
        return ImageDataset.of(name, 3, List.of("row", "column", "none"), 1, 8, 8, px, labels,
                Normalization.of(new double[]{0.2}, new double[]{0.3}));
    }

    static TrainTestSplit data() {
        return new TrainTestSplit(lines("lines-train", TRAIN, 3), lines("lines-test", 60, 4));
    }

    static Distiller.Builder builder(TrainingRecipe recipe, Path dir) {
        return Distiller.builder().student(DistillerTest.cnn(1, 4)).studentName("tiny")
                .teacher(DistillerTest.teacher()).data(data()).loss(DistillationConfig.defaults(Method.DTKD))
                .recipe(recipe).runDirectory(dir).workers(2)
                .progress(new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime))
                .console(DistillerTest.QUIET);
    }

    @Test
    void twoWorkersTrainTwoEpochsWithEveryMetricAndACompleteRunDirectory(@TempDir Path dir) throws Exception {
        RunSummary summary = builder(DistillerTest.recipe(2), dir).build().run();

        List<String> lines = Files.readAllLines(dir.resolve(Distiller.METRICS_FILE));
        assertThat(lines).hasSize(3);
        for (int e = 1; e <= 2; e++) {
            String[] row = lines.get(e).split(",", -1);
            assertThat(Double.parseDouble(cell(row, "loss_total"))).isFinite().isPositive();
            for (String term : List.of("L_ce", "L_kd", "L_dtkd")) {
                assertThat(Double.parseDouble(cell(row, term))).as(term).isFinite().isPositive();
            }
            // the replicas trained at this epoch's warmup factor (the engine checks every batch against it)
            assertThat(Double.parseDouble(cell(row, "warmup"))).isEqualTo(e / 20.0);
            double tMean = Double.parseDouble(cell(row, "t_stu_mean"));
            assertThat(tMean).isFinite().isBetween(Double.parseDouble(cell(row, "t_stu_min")),
                    Double.parseDouble(cell(row, "t_stu_max")));
            assertThat(Double.parseDouble(cell(row, "t_tea_mean"))).isFinite().isPositive();
            assertThat(Long.parseLong(cell(row, "guarded_rows"))).isBetween(0L, (long) TRAIN);
            assertThat(Double.parseDouble(cell(row, "test_top1"))).as("epoch %d test top-1", e).isEqualTo(
                    DistillerTest.top1(dir.resolve(String.format("checkpoints/epoch-%03d.zip", e)), data().test()));
        }
        // three balanced classes: chance is 1/3; the replicas' predictions learn the lines in epoch 2
        assertThat(Double.parseDouble(cell(lines.get(2).split(",", -1), "train_top1"))).as("train top-1 of epoch 2")
                .isGreaterThan(0.4);
        // 15 batches of 16 per epoch, all of them counted: 8 rounds of 2 workers, the last round with one batch
        String log = Files.readString(dir.resolve(Distiller.LOG_FILE));
        assertThat(log).contains("epoch 1: 2 workers trained 15 batches (240 samples)")
                .contains("epoch 2: 2 workers trained 15 batches (240 samples)").contains("2 workers");
        assertThat(summary.lastTop1()).as("test top-1 above chance (1/3)").isGreaterThan(0.5);
        assertThat(dir.resolve(Distiller.CONFIG_FILE)).content().contains("\"workers\" : 2");
        for (String f : List.of("checkpoints/latest.zip", "checkpoints/best.zip", "checkpoints/epoch-001.zip",
                "checkpoints/epoch-002.zip", Distiller.SUMMARY_FILE)) {
            assertThat(dir.resolve(f)).exists();
        }
        ComputationGraph last = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(last.getEpochCount()).isEqualTo(2);
        assertThat(last.params().isNaN().any() || last.params().isInfinite().any()).isFalse();
    }

    @Test
    void aResumedTwoWorkerRunEqualsAnUninterruptedOne(@TempDir Path straight, @TempDir Path interrupted)
            throws Exception {
        builder(DistillerTest.recipe(2), straight).build().run();
        builder(DistillerTest.recipe(2), interrupted).build().runEpochs(1);
        Distiller.resume(interrupted, DistillerTest.teacher(), data(),
                new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime), DistillerTest.QUIET).run();

        ComputationGraph a = ModelSerializer.restoreComputationGraph(straight.resolve("checkpoints/latest.zip").toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(interrupted.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(b.getEpochCount()).isEqualTo(2);
        assertThat(b.params()).as("parameters after resume").isEqualTo(a.params());
        assertThat(Files.readString(interrupted.resolve(Distiller.LOG_FILE))).contains("resuming")
                .contains("epoch 2: 2 workers trained");
    }

    @Test
    void theDivergenceGuardStopsAWorkerStep(@TempDir Path dir) throws Exception {
        Distiller d = builder(DistillerTest.EXPLODING, dir).build();
        assertThatThrownBy(d::run).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("epoch 2, batch").hasMessageContaining("round of 2 workers")
                .hasMessageContaining("round's averaged update was not applied").hasMessageContaining("latest.zip");
        DistillerTest.assertStoppedAfterEpochOne(dir);
    }

    @Test
    void workersBelowOneAreRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> builder(DistillerTest.recipe(1), dir).workers(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers must be >= 1, found 0");
        assertThat(dir).isEmptyDirectory();
    }

    private static String cell(String[] row, String column) {
        return row[EpochMetrics.COLUMNS.indexOf(column)];
    }
}
