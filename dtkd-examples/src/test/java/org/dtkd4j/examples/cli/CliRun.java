package org.dtkd4j.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the {@code dtkd} command line in-process for tests. */
public final class CliRun {

    private CliRun() {
    }

    /**
     * @param expectedExit the exit code the run must end with (asserted, showing standard error otherwise)
     * @param args         command-line arguments
     * @return {standard output, standard error}
     */
    public static String[] run(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DtkdCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as("exit code; stderr: %s", err).isEqualTo(expectedExit);
        return new String[]{out.toString(), err.toString()};
    }
}
