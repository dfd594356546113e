package org.dtkd4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.cli.DistillCommand;
import org.dtkd4j.examples.cli.DtkdCli;
import org.dtkd4j.examples.config.ExperimentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code dtkd distill} on Apache Spark: the same options, YAML configuration, run directory, metrics, checkpoints and
 * {@code --resume}, with the epochs trained by {@link SparkDistillation} (DL4J's parameter averaging). Submit it with
 * {@code spark-submit --class org.dtkd4j.spark.SparkDistill}, or run it with {@code --master local[N]}. Like the
 * {@code dtkd} command line it turns the fast kernels on in its own JVM (the driver, and the executors in local mode)
 * unless {@code -Ddtkd.fastKernels=false}; executors on a cluster get them with {@code -Ddtkd.fastKernels=true} in
 * {@code spark.executor.extraJavaOptions}.
 */
@Command(name = "dtkd-spark-distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distil a teacher into a student on Apache Spark, with the configuration of dtkd distill "
                + "(DISTILLER.TYPE, SOLVER.*, DTKD4J.*; DTKD4J.WORKERS and DTKD4J.CACHE_TEACHER_LOGITS stay off).",
                "Each round, --spark-workers tasks take --averaging steps each from the driver's parameters; the "
                        + "driver then averages their parameters and momentum."},
        footer = {"", "Example: spark-submit --class org.dtkd4j.spark.SparkDistill --master spark://host:7077 "
                + "dtkd-spark.jar --cfg res32x4_res8x4.yaml --teacher resnet32x4.onnx --dataset-dir /data/cifar-100-binary "
                + "--spark-workers 8"})
public final class SparkDistill extends DistillCommand {

    @Option(names = "--master", paramLabel = "URL", description = "Spark master when not set by spark-submit, "
            + "e.g. local[2]")
    String master;

    @Option(names = "--spark-workers", paramLabel = "N", description = "tasks training in parallel per round "
            + "(default: Spark's default parallelism, i.e. the cluster's cores)")
    Integer sparkWorkers;

    @Option(names = "--averaging", paramLabel = "K", description = "steps of each task between two averagings "
            + "(default 1: one step on the mean gradient of N batches)")
    Integer averaging;

    private JavaSparkContext sc;

    /** @param args the command line; exit code 0 on success, 2 on bad input, 1 when training diverged */
    public static void main(String[] args) {
        DtkdCli.exitWith(new SparkDistill(), args);
    }

    @Override
    public Integer call() {
        SparkConf conf = new SparkConf().setAppName("dtkd distill");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new IllegalArgumentException("no Spark master: submit with spark-submit --master URL, or give "
                    + "--master local[2], found none");
        }
        sc = new JavaSparkContext(conf);
        try {
            return super.call();
        } finally {
            sc.stop();
        }
    }

    /** Refuses the one-machine options the Spark workers replace, before anything is written. */
    @Override
    protected ExperimentConfig adapt(ExperimentConfig cfg) {
        ExperimentConfig c = super.adapt(cfg);
        if (c.extensions().workers() != 1 || c.extensions().cacheTeacherLogits()) {
            throw new IllegalArgumentException("on Spark, --spark-workers replaces DTKD4J.WORKERS and the executors' "
                    + "teachers replace DTKD4J.CACHE_TEACHER_LOGITS: leave them at 1 and False, found "
                    + c.extensions().workers() + " and " + (c.extensions().cacheTeacherLogits() ? "True" : "False"));
        }
        return c;
    }

    @Override
    protected Distiller beforeRun(Distiller distiller, ExperimentConfig cfg, PrintStream console) {
        Path dir = cfg.runDirectory();
        SparkSettings settings;
        if (distiller.student().getEpochCount() > 0 && Files.isRegularFile(dir.resolve(SparkSettings.FILE))) {
            settings = SparkSettings.read(dir);
            if (sparkWorkers != null && sparkWorkers != settings.workers()
                    || averaging != null && averaging != settings.averaging()) {
                throw new IllegalArgumentException("--resume continues " + dir + " with the Spark settings it started "
                        + "with (" + settings.workers() + " workers, averaging every " + settings.averaging()
                        + " steps): leave out --spark-workers and --averaging");
            }
        } else {
            settings = new SparkSettings(sparkWorkers != null ? sparkWorkers : sc.defaultParallelism(),
                    averaging != null ? averaging : 1).write(dir);
        }
        TeacherSource teacher = SparkTeachers.fromFile(sc, cfg.teacherWeights().orElseThrow(),
                cfg.distiller().teacher(), cfg.extensions().foldTeacherBatchNorm(),
                cfg.extensions().teacherChannelsLast());
        return distiller.trainEpochsWith(new SparkDistillation(sc, teacher, settings.workers(), settings.averaging()));
    }
}
