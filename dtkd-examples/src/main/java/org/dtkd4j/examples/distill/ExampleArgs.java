package org.dtkd4j.examples.distill;

import org.dtkd4j.core.perf.FastKernels;
import org.dtkd4j.core.perf.NativeMemory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.List;
import java.util.function.Function;

/**
 * The command-line options of one example, declared with picocli's programmatic API: {@code --name value} pairs,
 * bad usage reported as one-line {@link IllegalArgumentException}s (so a test calling {@code run(args)} sees the
 * same error a user sees), and the shared {@code main} behaviour of the examples.
 */
final class ExampleArgs {

    private final CommandSpec spec;

    /**
     * @param command     the example's class name, shown in usage and error messages
     * @param description one line on what the example does
     */
    ExampleArgs(String command, String description) {
        this.spec = CommandSpec.create().name(command);
        spec.usageMessage().description(description).sortOptions(false).sortSynopsis(false);
    }

    /**
     * Declares a required option.
     *
     * @param name        e.g. {@code "--data"}
     * @param type        the value type ({@code Path}, {@code String}, {@code Integer})
     * @param label       the value's name in the usage, e.g. {@code "DIR"}
     * @param description one line
     * @return this
     */
    ExampleArgs required(String name, Class<?> type, String label, String description) {
        spec.addOption(OptionSpec.builder(name).type(type).paramLabel(label).required(true)
                .description(description).build());
        return this;
    }

    /**
     * Declares an optional option.
     *
     * @param name         e.g. {@code "--epochs"}
     * @param type         the value type
     * @param label        the value's name in the usage
     * @param defaultValue its value when absent, as text; null for none ({@link #get} then returns null)
     * @param description  one line; the default is appended
     * @return this
     */
    ExampleArgs optional(String name, Class<?> type, String label, String defaultValue, String description) {
        spec.addOption(OptionSpec.builder(name).type(type).paramLabel(label).defaultValue(defaultValue)
                .description(description + (defaultValue == null ? "" : " (default " + defaultValue + ")")).build());
        return this;
    }

    /**
     * Parses the arguments into the declared options.
     *
     * @param args the command-line arguments
     * @return this, holding the values
     * @throws IllegalArgumentException naming the missing, unknown or malformed option
     */
    ExampleArgs parse(String... args) {
        try {
            new CommandLine(spec).parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(spec.name() + ": " + e.getMessage(), e);
        }
        return this;
    }

    /**
     * @param name a declared option
     * @param <T>  its declared type
     * @return its parsed value, its default, or null
     */
    <T> T get(String name) {
        return spec.findOption(name).getValue();
    }

    /** @return the usage text listing every option */
    String usage() {
        return new CommandLine(spec).getUsageMessage();
    }

    /**
     * @param option the option's name, for the message
     * @param min    the smallest allowed value
     * @param value  the value
     * @return the value
     * @throws IllegalArgumentException if {@code value < min}
     */
    static int atLeast(String option, int min, int value) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be >= " + min + ", found " + value);
        }
        return value;
    }

    /**
     * What every example's {@code main} does: usage on {@code -h}/{@code --help}; otherwise enable the fast kernels
     * unless {@code -Ddtkd.fastKernels=false} ({@link FastKernels#enableUnlessOptedOut()}), say on standard error
     * when the JVM does not keep freed native memory ({@link NativeMemory#notice()}), run and print the result's one
     * line; on bad usage or bad input the message and the usage on standard error, exit code 2.
     *
     * @param args      the command-line arguments
     * @param arguments the example's declared options (for the usage)
     * @param run       the example's {@code run}
     */
    static void main(String[] args, ExampleArgs arguments, Function<String[], DistillationResult> run) {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.print(arguments.usage());
            return;
        }
        try {
            FastKernels.enableUnlessOptedOut();
            NativeMemory.notice().ifPresent(System.err::println);
            System.out.println(run.apply(args).line());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(arguments.usage());
            System.exit(2);
        }
    }
}
