package org.dtkd4j.core.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.dtkd4j.core.perf.FastKernels;

/**
 * Runs a {@code main} class in a fresh JVM with this test run's class path, for settings that are global to a JVM
 * (fast kernels, JVM modules). The child gets no JVM options of this one (in particular no
 * {@code --add-modules}), logs at WARN, and does not inherit {@value FastKernels#ENV_VARIABLE}.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * @param jvmOptions  options before the main class
     * @param environment variables added to the child's environment
     * @param exitCode    the exit code expected
     * @param main        the class whose {@code main} runs
     * @param args        its arguments
     * @return everything the child wrote (standard output and error, merged)
     */
    public static String run(List<String> jvmOptions, Map<String, String> environment, int exitCode,
            Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(FastKernels.ENV_VARIABLE);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        assertThat(process.exitValue()).as("child JVM exit code, output:%n%s", output).isEqualTo(exitCode);
        return output;
    }
}
