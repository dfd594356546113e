package org.dtkd4j.examples.cli;

import org.dtkd4j.core.engine.TrainingDivergedException;
import org.dtkd4j.core.loss.Exponentials;
import org.dtkd4j.core.loss.FloatKd;
import org.dtkd4j.core.perf.FastKernels;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.perf.NativeMemory;
import org.dtkd4j.examples.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code dtkd} command line ({@code ./dtkd} at the repository root). Exit code 0 on success, 2 on bad usage or
 * bad input (one line on standard error), 1 when training diverged (one line; the run directory keeps the last
 * completed epoch). Its {@link #main} runs on DL4J's oneDNN layer helpers unless {@code -Ddtkd.fastKernels=false}
 * ({@link FastKernels#enableUnlessOptedOut()}); {@code --version} also prints which kernels run.
 */
@Command(name = "dtkd", mixinStandardHelpOptions = true, versionProvider = DtkdCli.Version.class,
        description = "Dynamic Temperature Knowledge Distillation for Deeplearning4j.",
        subcommands = {DemoCommand.class, TrainCommand.class, DistillCommand.class, EvalCommand.class,
                CompareCommand.class, StudyCommand.class, BenchCommand.class})
public final class DtkdCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (try --help)");
    }

    /**
     * Runs the command line with the given streams, for mains and tests.
     *
     * @param out standard output
     * @param err standard error
     * @param args command-line arguments
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return execute(new DtkdCli(), out, err, args);
    }

    /**
     * Runs a command (this command line, or another main's command such as the Spark one) with this command line's
     * exit codes and one-line error messages.
     *
     * @param command a picocli command object
     * @param out     standard output
     * @param err     standard error
     * @param args    command-line arguments
     * @return the exit code
     */
    public static int execute(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command).setOut(out).setErr(err)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    if (ex instanceof IllegalArgumentException) {
                        cmd.getErr().println("dtkd: " + oneLine(ex.getMessage()));
                        return 2;
                    }
                    if (ex instanceof TrainingDivergedException) {
                        cmd.getErr().println("dtkd: " + oneLine(ex.getMessage()));
                        return 1;
                    }
                    throw ex;
                });
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("dtkd: " + ex.getMessage());
            return 2;
        });
        return cli.execute(args);
    }

    /** @return the message with its line breaks (e.g. of a library's cause) joined into one line */
    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** @param args command-line arguments */
    public static void main(String[] args) {
        exitWith(new DtkdCli(), args);
    }

    /**
     * A main's whole life: the fast kernels on unless {@code -Ddtkd.fastKernels=false}
     * ({@link FastKernels#enableUnlessOptedOut()}; a bad value exits 2 with one line), then {@link #execute} on the
     * standard streams, then {@link System#exit} with its code. Shared by this command line and other mains (Spark).
     *
     * @param command a picocli command object
     * @param args    command-line arguments
     */
    public static void exitWith(Object command, String... args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            FastKernels.enableUnlessOptedOut();
        } catch (IllegalArgumentException e) {
            err.println("dtkd: " + e.getMessage());
            System.exit(2);
        }
        System.exit(execute(command, out, err, args));
    }

    /**
     * {@code --version}: the version, {@link FastKernels#status()}, the exponentials, the float32 losses and
     * {@link NativeMemory#status()}.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dtkd4j 0.1.0", "kernels: " + FastKernels.status(),
                "exponentials: " + Exponentials.kernel(), "float32 losses: " + FloatKd.kernel(),
                "fused BatchNorm: " + FusedBatchNorm.kernel(), "native memory: " + NativeMemory.status()};
        }
    }
}
