package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.engine.Distiller;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DtkdCliTest {

    private static String[] run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DtkdCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        return new String[]{out.toString(), err.toString()};
    }

    @Test
    void demoPrintsTemperaturesTermsAndTheGuardedRow() {
        String out = run(0, "demo", "--sample-batch")[0];
        assertThat(out).contains("T_stu").contains("T_tea").contains("L_dtkd").contains("L_kd").contains("L_ce")
                .contains("guarded rows = 1").contains("guarded: maxima of opposite sign");
        // the printed total is the library's
        assertThat(out).containsPattern("total   = \\d+\\.\\d{6}");
        assertThat(out).contains(DtkdConfig.defaults().toString());
    }

    @Test
    void badUsageExitsWithTwoAndOneLine() {
        String[] r = run(2, "demo", "--sample-batch", "--rows", "1");
        assertThat(r[1].strip()).isEqualTo("dtkd: --rows must be >= 2, found 1");
        assertThat(run(2, "demo", "--rows", "3")[1].strip()).isEqualTo("dtkd: --rows only applies with --sample-batch");
        assertThat(run(2, "demo", "--sample-batch", "--quick", "--out", "x")[1].strip())
                .isEqualTo("dtkd: --out, --quick cannot be combined with --sample-batch");
        assertThat(run(2, "demo", "--epochs", "0")[1].strip()).isEqualTo("dtkd: --epochs must be >= 1, found 0");
        assertThat(run(2, "demo", "--epochs", "many")[1].strip()).startsWith("dtkd: ").contains("--epochs")
                .contains("many").doesNotContain("\n");
        assertThat(run(2, "nosuch")[1]).contains("dtkd: ").contains("nosuch");
        assertThat(run(2)[1]).contains("subcommand is required");
        assertThat(run(0, "--help")[0]).contains("demo");
        assertThat(run(0, "demo", "--help")[0]).contains("--sample-batch").contains("--quick").contains("--out");
    }

    @Test
    void quickDemoFromTheCommandLineReplacesAPreviousDemo(@TempDir Path tmp) throws IOException {
        Path previous = Files.createDirectories(tmp.resolve("student-resnet8-none"));
        Files.writeString(previous.resolve(Distiller.CONFIG_FILE), "{}");
        Files.writeString(previous.resolve("stale.txt"), "from an earlier demo");
        String out = run(0, "demo", "--quick", "--out", tmp.toString(), "--data", tmp.resolve("none").toString(),
                "--seed", "7")[0];
        assertThat(out).contains("== [1/4] teacher resnet20").contains("seed 7").contains("the Fashion-MNIST subset bundled")
                .containsPattern("resnet8 +student +KD +1 +\\d+\\.\\d\\d%");
        assertThat(previous.resolve("stale.txt")).doesNotExist();
        assertThat(previous.resolve(Distiller.METRICS_FILE)).isRegularFile();
        assertThat(tmp.resolve("compare.png")).isRegularFile();
    }
}
