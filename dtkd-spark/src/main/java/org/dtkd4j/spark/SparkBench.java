package org.dtkd4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.EpochMetrics;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.cli.DtkdCli;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Training throughput of the engine alone against the same engine with its epochs on Spark, on the same machine:
 * DTKD from a randomly initialised zoo teacher into a zoo student on random CIFAR-shaped images, a few epochs each;
 * the table reports the last epoch's samples per second (teacher inference, steps and, on Spark, scheduling,
 * serialization and averaging included; evaluation excluded). Run it on a quiet machine.
 */
@Command(name = "dtkd-spark-bench", mixinStandardHelpOptions = true,
        description = "Samples per second of a DTKD epoch: the engine alone, then on Spark (local mode by default).")
public final class SparkBench implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--spark-workers", defaultValue = "2", description = "Spark tasks per round (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--averaging", defaultValue = "1", description = "steps between averagings (default ${DEFAULT-VALUE})")
    int averaging;

    @Option(names = "--student", defaultValue = "resnet8", description = "zoo student (default ${DEFAULT-VALUE})")
    String student;

    @Option(names = "--teacher", defaultValue = "resnet32x4", description = "zoo teacher (default ${DEFAULT-VALUE})")
    String teacher;

    @Option(names = "--images", defaultValue = "1024", description = "training images (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--batch", defaultValue = "64", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--epochs", defaultValue = "2", description = "epochs per row; the last one is reported "
            + "(default ${DEFAULT-VALUE})")
    int epochs;

    /** @param args the command line */
    public static void main(String[] args) {
        DtkdCli.exitWith(new SparkBench(), args);
    }

    @Override
    public Integer call() {
        if (images < 1 || batch < 1 || epochs < 1) {
            throw new IllegalArgumentException("--images, --batch and --epochs must be >= 1, found " + images + ", "
                    + batch + " and " + epochs);
        }
        PrintWriter out = spec.commandLine().getOut();
        TrainTestSplit data = new TrainTestSplit(randomImages("random-train", images, 1), randomImages("random-test",
                batch, 2));
        double alone = lastEpochSamplesPerSecond(data, d -> d);
        double spark;
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("dtkd bench")
                .set("spark.ui.enabled", "false"))) {
            SparkDistillation trainer = new SparkDistillation(sc, teacherSource(teacher), workers, averaging);
            spark = lastEpochSamplesPerSecond(data, d -> d.trainEpochsWith(trainer));
        }
        out.printf(Locale.ROOT, "DTKD, %s -> %s, %d random 3x32x32 images, batch %d, epoch %d of %d%n", teacher,
                student, images, batch, epochs, epochs);
        out.println("| engine | samples/s | vs alone |");
        out.println("| --- | ---: | ---: |");
        out.printf(Locale.ROOT, "| Distiller alone | %.1f | 1.00 |%n", alone);
        out.printf(Locale.ROOT, "| Spark %s, %d workers, averaging every %d | %.1f | %.2f |%n", master, workers,
                averaging, spark, spark / alone);
        return 0;
    }

    private double lastEpochSamplesPerSecond(TrainTestSplit data, UnaryOperator<Distiller> how) {
        Path dir;
        try {
            dir = Files.createTempDirectory("dtkd-spark-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary run directory: " + e.getMessage(), e);
        }
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (Teacher t = teacherSource(teacher).open()) {
            ComputationGraph s = CifarZoo.build(student, ZooSpec.builder().numClasses(10).input(3, 32, 32).seed(1)
                    .build());
            Distiller d = Distiller.builder().student(s).studentName(student).teacher(t).data(data)
                    .loss(DistillationConfig.defaults(Method.DTKD))
                    .recipe(TrainingRecipe.reference(student).withEpochs(epochs).withBatchSize(batch))
                    .runDirectory(dir).progress(new Progress(quiet, false, 1e9, System::nanoTime)).console(quiet)
                    .build();
            how.apply(d).run();
            List<String> rows = Files.readAllLines(dir.resolve(Distiller.METRICS_FILE));
            String[] last = rows.get(rows.size() - 1).split(",", -1);
            return Double.parseDouble(last[EpochMetrics.COLUMNS.indexOf("samples_per_s")]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bench run's metrics: " + e.getMessage(), e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                spec.commandLine().getErr().println("dtkd-spark-bench: could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    /** @return a source of the zoo teacher, randomly initialised with a fixed seed (the same on every executor) */
    private static TeacherSource teacherSource(String name) {
        return () -> GraphTeacher.of(CifarZoo.build(name, ZooSpec.builder().numClasses(10).input(3, 32, 32).seed(2)
                .build()), name + " (random weights)");
    }

    private static ImageDataset randomImages(String name, int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 3 * 32 * 32];
        r.nextBytes(px);
        int[] labels = r.ints(n, 0, 10).toArray();
        return ImageDataset.of(name, 10, List.of(), 3, 32, 32, px, labels, Normalization.CIFAR10);
    }
}
