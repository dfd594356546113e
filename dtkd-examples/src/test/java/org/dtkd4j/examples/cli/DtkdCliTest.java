package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DtkdCliTest {

    @Test
    void demoPrintsTemperaturesTermsAndTheGuardedRow() {
        String out = CliRun.run(0, "demo")[0];
        assertThat(out).contains("T_stu").contains("T_tea").contains("L_dtkd").contains("L_kd").contains("L_ce")
                .contains("guarded rows = 1").contains("guarded: maxima of opposite sign");
        // the printed total is the library's
        assertThat(out).containsPattern("total   = \\d+\\.\\d{6}");
        assertThat(out).contains(DtkdConfig.defaults().toString());
    }

    @Test
    void badUsageExitsWithTwoAndOneLine() {
        String[] r = CliRun.run(2, "demo", "--rows", "1");
        assertThat(r[1].strip()).isEqualTo("dtkd: --rows must be >= 2, found 1");
        assertThat(CliRun.run(2, "nosuch")[1]).contains("dtkd: ").contains("nosuch");
        assertThat(CliRun.run(2)[1]).contains("subcommand is required");
        assertThat(CliRun.run(0, "--help")[0]).contains("demo");
    }
}
