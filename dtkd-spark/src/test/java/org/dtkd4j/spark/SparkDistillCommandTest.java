package org.dtkd4j.spark;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.cli.DtkdCli;
import org.dtkd4j.examples.testdata.TinyExperiment;
import org.dtkd4j.examples.testdata.TinyFashionMnist;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spark-submit main in local mode: {@code dtkd distill}'s configuration and run directory, trained on Spark,
 * resumable with the Spark settings it started with.
 */
class SparkDistillCommandTest {

    record Result(int code, String out, String err) {
    }

    static Result run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DtkdCli.execute(new SparkDistill(), new PrintWriter(out, true), new PrintWriter(err, true),
                Stream.of(args).map(String::valueOf).toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void distilsOnLocalSparkWritesTheRunDirectoryAndResumesWithItsSettings(@TempDir Path tmp) throws Exception {
        Path data = TinyFashionMnist.write(tmp.resolve("fmnist"), 128, 64);
        Path cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        Path teacher = tmp.resolve("teacher.zip");
        ComputationGraph net = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).input(1, 28, 28).seed(3)
                .build());
        ModelSerializer.writeModel(net, teacher.toFile(), false);
        Path run = tmp.resolve("run");

        Result r = run("--master", "local[2]", "--cfg", cfg, "--dataset-dir", data, "--teacher", teacher, "--run-dir",
                run, "--spark-workers", "2", "SOLVER.BATCH_SIZE", "32");
        assertThat(r.code()).as(r.err()).isZero();
        // 128 images in batches of 32: one round of 2 workers x 1 step, then another
        assertThat(r.out()).contains("epochs train on Spark local[2]: 2 workers, parameters and momentum averaged "
                + "every 1 step").contains("DTKD: best test top-1").contains("T_stu");
        assertThat(run.resolve(SparkSettings.FILE)).content().contains("\"workers\": 2").contains("\"averaging\": 1");
        List<String> metrics = Files.readAllLines(run.resolve(Distiller.METRICS_FILE));
        assertThat(metrics).hasSize(2);
        assertThat(run.resolve("checkpoints/latest.zip")).isNotEmptyFile();

        Result refused = run("--master", "local[2]", "--resume", run, "--spark-workers", "3");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("with the Spark settings it started with (2 workers, averaging every 1 "
                + "steps): leave out --spark-workers and --averaging");

        Result resumed = run("--master", "local[2]", "--resume", run);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readString(run.resolve(Distiller.LOG_FILE))).contains("resuming " + run);
        assertThat(Files.readAllLines(run.resolve(Distiller.METRICS_FILE))).isEqualTo(metrics);
    }

    @Test
    void theOneMachineWorkersAndLogitCacheAreRefusedBeforeAnythingIsWritten(@TempDir Path tmp) {
        Path cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        Path run = tmp.resolve("run");
        Result r = run("--master", "local[1]", "--cfg", cfg, "--run-dir", run, "--teacher", tmp.resolve("t.zip"),
                "--workers", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("on Spark, --spark-workers replaces DTKD4J.WORKERS and the executors' teachers "
                + "replace DTKD4J.CACHE_TEACHER_LOGITS: leave them at 1 and False, found 2 and False");
        assertThat(run).doesNotExist();
    }

    @Test
    void withoutAMasterItSaysHowToGiveOne(@TempDir Path tmp) {
        Result r = run("--cfg", TinyExperiment.write(tmp.resolve("tiny.yaml")));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no Spark master: submit with spark-submit --master URL, or give --master "
                + "local[2], found none");
    }
}
