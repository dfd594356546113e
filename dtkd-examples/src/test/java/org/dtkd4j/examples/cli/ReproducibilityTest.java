package org.dtkd4j.examples.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.EpochMetrics;
import org.dtkd4j.examples.testdata.BusyJvm;
import org.dtkd4j.examples.testdata.TinyExperiment;
import org.dtkd4j.examples.testdata.TinyFashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Same seed, same numbers: two command-line runs of one configuration write identical {@code metrics.csv} files
 * (timing columns aside) and identical final weights: {@code train}, {@code distill} from a teacher checkpoint
 * {@code .zip}, and {@code distill} twice more while a second JVM keeps every core busy with training steps of its
 * own (tagged {@code slow}). The configuration leaves {@code DTKD4J.SEED} at its default, 0 (which ND4J alone would
 * seed from the clock). Tiny scale: resnet8 on 192 + 64 Fashion-MNIST-format images, two epochs of three batches.
 */
class ReproducibilityTest {

    /** The columns that measure time, not computation. */
    private static final Set<String> TIMINGS = Set.of("epoch_seconds", "samples_per_s");

    @TempDir
    static Path tmp;

    static Path data;
    static Path cfg;
    /** The first train run, whose best checkpoint is the teacher of the distill runs. */
    static Path trainA;
    static Path teacher;

    @BeforeAll
    static void trainATeacher() {
        data = TinyFashionMnist.write(tmp.resolve("fmnist"), 192, 64);
        cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        trainA = train("train-a");
        teacher = trainA.resolve(Distiller.CHECKPOINT_DIR).resolve(Distiller.BEST);
    }

    private static Path train(String name) {
        Path run = tmp.resolve(name);
        Cli.run(0, "train", "--cfg", cfg, "--dataset-dir", data, "--epochs", 2, "--run-dir", run);
        return run;
    }

    private static Path distill(String name, Object... overrides) {
        Path run = tmp.resolve(name);
        List<Object> args = new ArrayList<>(List.of("distill", "--cfg", cfg, "--dataset-dir", data, "--epochs", 2,
                "--teacher", teacher, "--run-dir", run));
        args.addAll(List.of(overrides));
        Cli.run(0, args.toArray());
        return run;
    }

    /** @return the rows of a run's metrics without the timing columns, header included */
    private static List<String> metricsWithoutTimings(Path run) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(Distiller.METRICS_FILE));
        List<String> rows = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            assertThat(cells).hasSize(EpochMetrics.COLUMNS.size());
            List<String> kept = new ArrayList<>();
            for (int c = 0; c < cells.length; c++) {
                if (!TIMINGS.contains(EpochMetrics.COLUMNS.get(c))) {
                    kept.add(cells[c]);
                }
            }
            rows.add(String.join(",", kept));
        }
        return rows;
    }

    private static void assertSameNumbers(Path a, Path b) throws IOException {
        List<String> metrics = metricsWithoutTimings(a);
        assertThat(metrics).as("metrics.csv of %s: a header and two epochs", a).hasSize(3);
        assertThat(metricsWithoutTimings(b)).as("metrics.csv of %s vs %s", b, a).isEqualTo(metrics);
        ComputationGraph first = latest(a);
        ComputationGraph second = latest(b);
        assertThat(second.params()).as("final weights and BatchNorm statistics").isEqualTo(first.params());
        assertThat(second.getUpdater().getStateViewArray()).as("momentum").isEqualTo(first.getUpdater()
                .getStateViewArray());
    }

    private static ComputationGraph latest(Path run) throws IOException {
        return ModelSerializer.restoreComputationGraph(
                run.resolve(Distiller.CHECKPOINT_DIR).resolve(Distiller.LATEST).toFile(), true);
    }

    @Test
    void trainTwiceGivesTheSameNumbers() throws IOException {
        assertSameNumbers(trainA, train("train-b"));
    }

    @Test
    void distillTwiceFromATeacherZipGivesTheSameNumbers() throws IOException {
        assertSameNumbers(distill("distill-a"), distill("distill-b"));
    }

    /**
     * The runs compute with at least two threads whatever the environment, so that the kernels split their work
     * among threads that compete for the cores with the busy JVM's. Slow: two JVMs on the same cores slow each
     * other's oneDNN steps several times (OpenMP threads spin).
     */
    @Test
    @Tag("slow")
    void distillWhileAnotherJvmKeepsTheCoresBusyGivesTheSameNumbers() throws IOException {
        Object[] threads = {"DTKD4J.THREADS", Math.max(2, Runtime.getRuntime().availableProcessors())};
        Path quiet = distill("distill-quiet", threads);
        Path busyA;
        Path busyB;
        try (BusyJvm busy = BusyJvm.start(600)) {
            long before = busy.rounds();
            busyA = distill("distill-busy-a", threads);
            busyB = distill("distill-busy-b", threads);
            assertThat(busy.isAlive()).as("the busy JVM ran throughout").isTrue();
            assertThat(busy.rounds()).as("training steps of the busy JVM during the runs").isGreaterThan(before);
        }
        assertSameNumbers(busyA, busyB);
        assertSameNumbers(quiet, busyA);
    }
}
