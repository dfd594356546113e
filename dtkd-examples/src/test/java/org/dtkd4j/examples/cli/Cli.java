package org.dtkd4j.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the command line in-process, as {@code DtkdCli.main} does, and checks the exit code (for the tests of every package). */
public final class Cli {

    private Cli() {
    }

    /**
     * What a command printed.
     *
     * @param out standard output
     * @param err standard error
     */
    public record Result(String out, String err) {
    }

    /**
     * @param expectedExit the exit code the command must return
     * @param args         arguments; each is passed as {@code toString()} (paths welcome)
     * @return what it printed
     */
    public static Result run(int expectedExit, Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] strings = Arrays.stream(args).map(Object::toString).toArray(String[]::new);
        int code = DtkdCli.run(new PrintWriter(out, true), new PrintWriter(err, true), strings);
        assertThat(code).as("exit code of dtkd %s; stdout:%n%s%nstderr:%n%s", String.join(" ", strings), out, err)
                .isEqualTo(expectedExit);
        return new Result(out.toString(), err.toString());
    }
}
