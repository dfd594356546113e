package org.dtkd4j.spark;

import org.dtkd4j.examples.cli.DtkdCli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark command at smoke size: it prints its table (the numbers are for a quiet machine). */
class SparkBenchTest {

    @Test
    void printsTheEngineAndTheSparkRow() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DtkdCli.execute(new SparkBench(), new PrintWriter(out, true), new PrintWriter(err, true),
                "--images", "16", "--batch", "8", "--epochs", "1", "--teacher", "resnet8");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("DTKD, resnet8 -> resnet8, 16 random 3x32x32 images, batch 8, epoch 1 of 1")
                .containsPattern("\\| Distiller alone \\| [0-9.]+ \\| 1\\.00 \\|")
                .containsPattern("\\| Spark local\\[2\\], 2 workers, averaging every 1 \\| [0-9.]+ \\| [0-9.]+ \\|");
    }

    @Test
    void countsBelowOneAreRefused() {
        StringWriter err = new StringWriter();
        int code = DtkdCli.execute(new SparkBench(), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), "--images", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--images, --batch and --epochs must be >= 1, found 0, 64 and 2");
    }
}
