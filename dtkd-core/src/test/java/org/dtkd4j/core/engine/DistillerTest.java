package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Tiny end-to-end runs of the engine: 3 classes of 1×8×8 images, a 2-layer CNN student and teacher. */
class DistillerTest {

    static final int CLASSES = 3;
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    static TrainTestSplit data() {
        return new TrainTestSplit(images("tiny-train", 48, 1), images("tiny-test", 24, 2));
    }

    /** Class k: a bright horizontal band at rows 2k..2k+2, plus noise. */
    static ImageDataset images(String name, int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int band = (y / 2 == labels[i] + 1) ? 160 : 0;
                    px[i * 64 + y * 8 + x] = (byte) Math.min(255, band + r.nextInt(60));
                }
            }
        }
        return ImageDataset.of(name, CLASSES, List.of("a", "b", "c"), 1, 8, 8, px, labels,
                Normalization.of(new double[]{0.3}, new double[]{0.3}));
    }

    static ComputationGraph cnn(long seed, int channels) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(channels).padding(1, 1)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().activation(Activation.RELU).build(), "conv")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("logits", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("logits").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static Teacher teacher() {
        return GraphTeacher.of(cnn(99, 8), "tiny-teacher");
    }

    static TrainingRecipe recipe(int epochs) {
        return TrainingRecipe.reference().withEpochs(epochs).withBatchSize(16).withLrMilestones(2).withSeed(5)
                .withCheckpointEvery(1);
    }

    static Distiller distiller(Method method, TrainingRecipe recipe, Path dir) {
        return Distiller.builder().student(cnn(1, 4)).studentName("tiny").teacher(method.usesTeacher() ? teacher() : null)
                .data(data()).loss(DistillationConfig.defaults(method)).recipe(recipe).runDirectory(dir)
                .progress(new Progress(QUIET, false, 1e9, System::nanoTime)).console(QUIET).build();
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void everyMethodWritesItsMetricsCheckpointsAndSummary(Method method, @TempDir Path dir) throws Exception {
        RunSummary s = distiller(method, recipe(2), dir).run();

        List<String> lines = Files.readAllLines(dir.resolve(Distiller.METRICS_FILE));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo(String.join(",", EpochMetrics.COLUMNS));
        for (int e = 1; e <= 2; e++) {
            String[] row = lines.get(e).split(",", -1);
            assertThat(row).hasSize(EpochMetrics.COLUMNS.size());
            assertThat(Integer.parseInt(cell(row, "epoch"))).isEqualTo(e);
            // the reference's step schedule: rate 0.05 until milestone 2, then ×0.1
            assertThat(Double.parseDouble(cell(row, "lr"))).isCloseTo(e <= 2 ? 0.05 : 0.005, within(1e-12));
            double warmup = Double.parseDouble(cell(row, "warmup"));
            assertThat(warmup).isEqualTo(method.defaultConfig().hasWarmup() ? e / 20.0 : 1.0);
            for (Term t : Term.values()) {
                boolean expected = switch (method) {
                    case NONE -> t == Term.CE;
                    case KD, LS_KD, NORMKD -> t == Term.CE || t == Term.KD;
                    case DTKD -> t == Term.CE || t == Term.KD || t == Term.DTKD;
                    case DKD, DTKD_DKD, LS_DKD, NORMKD_DKD -> t == Term.CE || t == Term.TCKD || t == Term.NCKD;
                };
                assertThat(cell(row, t.outputName()).isEmpty()).as("%s column %s", method, t).isEqualTo(!expected);
            }
            assertThat(Double.parseDouble(cell(row, "test_top1"))).as("%s epoch %d test top-1", method, e)
                    .isEqualTo(top1(dir.resolve(String.format("checkpoints/epoch-%03d.zip", e)), data().test()));
            assertThat(Double.parseDouble(cell(row, "test_top5"))).isEqualTo(1.0); // 3 classes: top-5 is everything
            double trainHits = Double.parseDouble(cell(row, "train_top1")) * 48;
            assertThat(trainHits).as("train top-1 × 48 training images").isCloseTo(Math.rint(trainHits), within(1e-9));
            assertThat(Double.parseDouble(cell(row, "loss_total"))).isFinite().isPositive();
            boolean temperatures = method == Method.DTKD || method == Method.DTKD_DKD;
            if (temperatures) {
                double mean = Double.parseDouble(cell(row, "t_stu_mean"));
                assertThat(mean).isBetween(Double.parseDouble(cell(row, "t_stu_min")),
                        Double.parseDouble(cell(row, "t_stu_max")));
                assertThat(Long.parseLong(cell(row, "guarded_rows"))).isBetween(0L, 48L);
            }
            assertThat(Double.parseDouble(cell(row, "samples_per_s"))).isPositive();
        }
        assertThat(dir.resolve("checkpoints/latest.zip")).exists();
        assertThat(dir.resolve("checkpoints/best.zip")).exists();
        assertThat(dir.resolve("checkpoints/epoch-001.zip")).exists();
        assertThat(dir.resolve("checkpoints/epoch-002.zip")).exists();
        assertThat(Files.readString(dir.resolve(Distiller.SUMMARY_FILE))).contains("\"method\" : \"" + method + "\"");
        assertThat(Files.readString(dir.resolve(Distiller.LOG_FILE))).contains("epoch 2/2");
        assertThat(s.epochs()).isEqualTo(2);
        assertThat(s.bestTop1()).isGreaterThanOrEqualTo(s.lastTop1());
        assertThat(Double.isNaN(s.teacherTop1())).isEqualTo(!method.usesTeacher());
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(restored.getEpochCount()).isEqualTo(2);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedRun(@TempDir Path straight, @TempDir Path interrupted) throws Exception {
        distiller(Method.DTKD, recipe(3), straight).run();

        distiller(Method.DTKD, recipe(3), interrupted).runEpochs(1);
        Distiller.resume(interrupted, teacher(), data(), new Progress(QUIET, false, 1e9, System::nanoTime), QUIET).run();

        ComputationGraph a = ModelSerializer.restoreComputationGraph(straight.resolve("checkpoints/latest.zip").toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(interrupted.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(b.getEpochCount()).isEqualTo(3);
        assertThat(b.params()).as("parameters after resume").isEqualTo(a.params());
        assertThat(b.getUpdater().getStateViewArray()).as("momentum after resume").isEqualTo(a.getUpdater().getStateViewArray());
        assertThat(withoutTimings(interrupted)).isEqualTo(withoutTimings(straight));
        assertThat(Files.readString(interrupted.resolve(Distiller.LOG_FILE))).contains("resuming");
    }

    @Test
    void aDivergingStepStopsBeforeItsUpdateAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Distiller d = distiller(Method.DTKD, EXPLODING, dir);
        assertThatThrownBy(d::run).isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("epoch 2, batch").hasMessageContaining("latest.zip");
        assertStoppedAfterEpochOne(dir);
    }

    /** Learning rate ×1e38 after epoch 1: the second epoch explodes. */
    static final TrainingRecipe EXPLODING = new TrainingRecipe(3, 16, 0.05, new int[]{1}, 1e38, 0.9, 5e-4, 5, 1);

    /** Asserts that a run stopped by divergence in epoch 2 kept epoch 1's finite checkpoint and metrics row. */
    static void assertStoppedAfterEpochOne(Path dir) throws Exception {
        ComputationGraph last = ModelSerializer.restoreComputationGraph(dir.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(last.getEpochCount()).isEqualTo(1);
        assertThat(last.params().isInfinite().any() || last.params().isNaN().any()).isFalse();
        assertThat(Files.readAllLines(dir.resolve(Distiller.METRICS_FILE))).hasSize(2);
    }

    @Test
    void badConfigurationsAreRejectedBeforeAnyFileIsWritten(@TempDir Path dir) {
        Distiller.Builder noTeacher = Distiller.builder().student(cnn(1, 4)).data(data())
                .loss(DistillationConfig.defaults(Method.DTKD)).runDirectory(dir);
        assertThatThrownBy(noTeacher::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DTKD needs a teacher");
        Distiller.Builder extraTeacher = Distiller.builder().student(cnn(1, 4)).data(data()).teacher(teacher())
                .loss(DistillationConfig.defaults(Method.NONE)).runDirectory(dir);
        assertThatThrownBy(extraTeacher::build).hasMessageContaining("NONE trains without a teacher");
        assertThat(dir).isEmptyDirectory();
        assertThatThrownBy(() -> Distiller.resume(dir, teacher(), data(), Progress.onStderr(), QUIET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("to resume from");
    }

    @Test
    void aFinishedRunCannotBeStartedAgainInTheSameDirectory(@TempDir Path dir) {
        distiller(Method.KD, recipe(1), dir).run();
        assertThatThrownBy(() -> distiller(Method.KD, recipe(1), dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already holds checkpoints/latest.zip");
    }

    @Test
    void aStudentLearnsALearnableTaskBeyondChanceInTraining(@TempDir Path dir) throws Exception {
        Distiller.builder().student(cnn(1, 4)).studentName("tiny").data(DistillerWorkersTest.data())
                .loss(DistillationConfig.defaults(Method.NONE)).recipe(recipe(2)).runDirectory(dir)
                .progress(new Progress(QUIET, false, 1e9, System::nanoTime)).console(QUIET).build().run();

        String[] last = Files.readAllLines(dir.resolve(Distiller.METRICS_FILE)).get(2).split(",", -1);
        // three balanced classes: chance is 1/3 (test top-1 needs more epochs: the BatchNorm running statistics lag)
        assertThat(Double.parseDouble(cell(last, "train_top1"))).as("train top-1 of epoch 2").isGreaterThan(0.45);
    }

    /**
     * The accuracy of a saved model recomputed independently of the engine: restored from its zip, scored with DL4J's
     * {@link Evaluation}.
     */
    static double top1(Path zip, ImageDataset test) throws IOException {
        ComputationGraph net = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        Evaluation evaluation = new Evaluation();
        try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(test, 50)) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                evaluation.eval(ds.getLabels(), net.outputSingle(false, ds.getFeatures()));
            }
        }
        return evaluation.accuracy();
    }

    private static String cell(String[] row, String column) {
        return row[EpochMetrics.COLUMNS.indexOf(column)];
    }

    private static List<String> withoutTimings(Path dir) throws Exception {
        int seconds = EpochMetrics.COLUMNS.indexOf("epoch_seconds");
        return Files.readAllLines(dir.resolve(Distiller.METRICS_FILE)).stream()
                .map(l -> String.join(",", Arrays.copyOfRange(l.split(",", -1), 0, seconds))).toList();
    }
}
