package org.dtkd4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.EpochMetrics;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.TrainingDivergedException;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Distillation on Spark in local mode: a resnet8 student distilled with DTKD from a resnet20 teacher on 32 random
 * CIFAR-shaped images (batches of 8), through the engine with {@link SparkDistillation} taking the steps.
 */
class SparkDistillationTest {

    private static final int TRAIN = 32;
    private static final int BATCH = 8;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("dtkd-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    static ImageDataset images(String name, int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 3 * 32 * 32];
        r.nextBytes(px);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return ImageDataset.of(name, 10, List.of(), 3, 32, 32, px, labels, Normalization.CIFAR10);
    }

    static TrainTestSplit data() {
        return new TrainTestSplit(images("random-train", TRAIN, 1), images("random-test", 16, 2));
    }

    /** The teacher every executor opens: a seeded resnet20, the same on every JVM. */
    static Teacher teacher() {
        return GraphTeacher.of(CifarZoo.build("resnet20", ZooSpec.builder().numClasses(10).input(3, 32, 32).seed(99)
                .build()), "resnet20 teacher");
    }

    static ComputationGraph student() {
        return CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).input(3, 32, 32).seed(7).build());
    }

    static Distiller.Builder builder(int epochs, Path dir) {
        return Distiller.builder().student(student()).studentName("resnet8").teacher(teacher()).data(data())
                .loss(DistillationConfig.defaults(Method.DTKD))
                .recipe(TrainingRecipe.reference("resnet8").withEpochs(epochs).withBatchSize(BATCH))
                .augmentation(Augmentation.REFERENCE).runDirectory(dir).progress(quiet()).console(QUIET);
    }

    static Progress quiet() {
        return new Progress(QUIET, false, 1e9, System::nanoTime);
    }

    static String cell(String row, String column) {
        return row.split(",", -1)[EpochMetrics.COLUMNS.indexOf(column)];
    }

    @Test
    void twoWorkersDistilAResnet8WithTheEpochsWarmupOnTheExecutors(@TempDir Path dir) throws Exception {
        INDArray before = student().params();
        Distiller d = builder(2, dir).build().trainEpochsWith(new SparkDistillation(sc,
                SparkDistillationTest::teacher, 2, 2));
        d.run();

        INDArray after = d.student().params();
        assertThat(after.isNaN().any() || after.isInfinite().any()).as("finite parameters").isFalse();
        assertThat(after.sub(before).norm2Number().doubleValue()).as("parameters moved").isGreaterThan(1e-3);
        List<String> rows = Files.readAllLines(dir.resolve(Distiller.METRICS_FILE));
        assertThat(rows).hasSize(3);
        for (int e = 1; e <= 2; e++) {
            String row = rows.get(e);
            // the engine checked every executor batch's warmup factor against this value: a replica that missed
            // the epoch counter would have trained at 1/20 in epoch 2 and failed the run
            assertThat(Double.parseDouble(cell(row, "warmup"))).isEqualTo(e / 20.0);
            for (String column : List.of("loss_total", "L_ce", "L_kd", "L_dtkd", "t_stu_mean", "t_tea_mean")) {
                assertThat(Double.parseDouble(cell(row, column))).as(column + " of epoch " + e).isFinite().isPositive();
            }
            assertThat(Double.parseDouble(cell(row, "train_top1"))).isBetween(0.0, 1.0);
        }
        assertThat(Files.readString(dir.resolve(Distiller.LOG_FILE)))
                .contains("epochs train on Spark local[2]: 2 workers, parameters and momentum averaged every 2 steps");
        ComputationGraph latest = ModelSerializer.restoreComputationGraph(
                dir.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(latest.getEpochCount()).isEqualTo(2);
        assertThat(latest.params()).isEqualTo(after);
    }

    @Test
    void oneWorkerAveragingEveryStepTakesTheEnginesStepsExactly(@TempDir Path engine, @TempDir Path spark)
            throws Exception {
        Distiller alone = builder(1, engine).build();
        alone.run();
        Distiller onSpark = builder(1, spark).build().trainEpochsWith(new SparkDistillation(sc,
                SparkDistillationTest::teacher, 1, 1));
        onSpark.run();

        // one task from the broadcast parameters and momentum, one step, 'averaged' alone: the engine's step, bit for bit
        assertThat(onSpark.student().params()).as("parameters after " + TRAIN / BATCH + " steps")
                .isEqualTo(alone.student().params());
        assertThat(onSpark.student().getUpdater().getStateViewArray()).as("momentum")
                .isEqualTo(alone.student().getUpdater().getStateViewArray());
        assertThat(onSpark.student().getIterationCount()).isEqualTo(alone.student().getIterationCount());
        // the executor's statistics reach metrics.csv as the engine's own do: every column but the timings
        String aloneRow = Files.readAllLines(engine.resolve(Distiller.METRICS_FILE)).get(1);
        String sparkRow = Files.readAllLines(spark.resolve(Distiller.METRICS_FILE)).get(1);
        for (String column : EpochMetrics.COLUMNS) {
            if (!column.equals("epoch_seconds") && !column.equals("samples_per_s")) {
                assertThat(cell(sparkRow, column)).as(column).isEqualTo(cell(aloneRow, column));
            }
        }
    }

    /** Teacher rows computed by {@link #countingTeacher()} (local mode: the executors share this JVM). */
    static final AtomicLong TEACHER_ROWS = new AtomicLong();

    static Teacher countingTeacher() {
        Teacher inner = teacher();
        return new Teacher() {
            @Override
            public INDArray logits(INDArray features) {
                TEACHER_ROWS.addAndGet(features.size(0));
                return inner.logits(features);
            }

            @Override
            public int numClasses() {
                return inner.numClasses();
            }

            @Override
            public String describe() {
                return inner.describe();
            }
        };
    }

    @Test
    void withoutAugmentationTheExecutorsComputeTheTeachersLogitsOnceAndTrainAsTheEngine(@TempDir Path engine,
                                                                                        @TempDir Path spark) {
        Distiller alone = builder(2, engine).augmentation(Augmentation.NONE).build();
        alone.run();
        TEACHER_ROWS.set(0);
        Distiller onSpark = builder(2, spark).augmentation(Augmentation.NONE).build()
                .trainEpochsWith(new SparkDistillation(sc, SparkDistillationTest::countingTeacher, 1, 1));
        onSpark.run();

        assertThat(TEACHER_ROWS.get()).as("teacher rows in two epochs").isEqualTo(TRAIN);
        assertThat(onSpark.student().params()).as("parameters after two epochs")
                .isEqualTo(alone.student().params());
    }

    @Test
    void aResumedSparkRunEqualsAnUninterruptedOne(@TempDir Path straight, @TempDir Path interrupted)
            throws Exception {
        builder(2, straight).build().trainEpochsWith(new SparkDistillation(sc, SparkDistillationTest::teacher, 2, 1))
                .run();
        builder(2, interrupted).build().trainEpochsWith(new SparkDistillation(sc, SparkDistillationTest::teacher, 2,
                1)).runEpochs(1);
        try (Teacher t = teacher()) {
            Distiller.resume(interrupted, t, data(), quiet(), QUIET)
                    .trainEpochsWith(new SparkDistillation(sc, SparkDistillationTest::teacher, 2, 1)).run();
        }
        ComputationGraph a = ModelSerializer.restoreComputationGraph(
                straight.resolve("checkpoints/latest.zip").toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(
                interrupted.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(b.getEpochCount()).isEqualTo(2);
        // two workers' results are summed in either order, and a + b == b + a: the resumed run is the same bit for bit
        assertThat(b.params()).as("parameters after resume").isEqualTo(a.params());
        assertThat(Files.readString(interrupted.resolve(Distiller.LOG_FILE))).contains("resuming");
    }

    @Test
    void theExecutorsTrainAtTheEpochsLearningRateAndTheirDivergenceStopsTheRun(@TempDir Path dir) throws Exception {
        // the learning rate jumps by 1e38 after epoch 1: executors still at epoch 0 would never diverge
        TrainingRecipe exploding = new TrainingRecipe(3, BATCH, 0.05, new int[]{1}, 1e38, 0.9, 5e-4, 5, 1);
        Distiller d = builder(3, dir).recipe(exploding).build().trainEpochsWith(new SparkDistillation(sc,
                SparkDistillationTest::teacher, 2, 1));
        assertThatThrownBy(d::run).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("training diverged at epoch 2, batch").hasMessageContaining("latest.zip")
                .hasMessageContaining("must be finite").hasMessageNotContaining("\tat ");
        ComputationGraph last = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/latest.zip").toFile(),
                true);
        assertThat(last.getEpochCount()).isEqualTo(1);
        assertThat(last.params().isInfinite().any() || last.params().isNaN().any()).isFalse();
        assertThat(Files.readAllLines(dir.resolve(Distiller.METRICS_FILE))).hasSize(2);
    }

    @Test
    void countsBelowOneAreRefused() {
        assertThatThrownBy(() -> new SparkDistillation(sc, SparkDistillationTest::teacher, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 0 and 1");
        assertThatThrownBy(() -> new SparkDistillation(sc, SparkDistillationTest::teacher, 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 2 and 0");
    }
}
