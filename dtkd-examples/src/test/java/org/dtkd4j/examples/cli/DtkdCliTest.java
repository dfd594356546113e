package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

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
        String out = run(0, "demo")[0];
        assertThat(out).contains("T_stu").contains("T_tea").contains("L_dtkd").contains("L_kd").contains("L_ce")
                .contains("guarded rows = 1").contains("guarded: maxima of opposite sign");
        // the printed total is the library's
        assertThat(out).containsPattern("total   = \\d+\\.\\d{6}");
        assertThat(out).contains(DtkdConfig.defaults().toString());
    }

    @Test
    void badUsageExitsWithTwoAndOneLine() {
        String[] r = run(2, "demo", "--rows", "1");
        assertThat(r[1].strip()).isEqualTo("dtkd: --rows must be >= 2, found 1");
        assertThat(run(2, "nosuch")[1]).contains("dtkd: ").contains("nosuch");
        assertThat(run(2)[1]).contains("subcommand is required");
        assertThat(run(0, "--help")[0]).contains("demo");
    }
}
