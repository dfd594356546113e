package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * "Fast by default": a program that only uses DL4J, with dtkd-core on the classpath, gets oneDNN helpers because
 * ND4J runs {@link FastKernelsAtStartup} while it starts. Each case runs {@link PlainDl4jNetwork} in a fresh JVM,
 * since the helper switch is JVM-global and this JVM's ND4J is already initialized.
 */
class FastKernelsAtStartupTest {

    @Test
    void plainDl4jProgramGetsOneDnnHelpers() throws Exception {
        assertThat(runPlainDl4jNetwork(null)).contains("helper=org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper");
    }

    @Test
    void environmentVariableOptsOutOfTheStartupHook() throws Exception {
        assertThat(runPlainDl4jNetwork("false")).contains("helper=null");
    }

    private static String runPlainDl4jNetwork(String fastKernelsEnv) throws IOException, InterruptedException {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "oneDNN helpers exist on ND4J's CPU backend only");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                PlainDl4jNetwork.class.getName()))
                .redirectErrorStream(true);
        builder.environment().remove(FastKernelsAtStartup.ENV_VARIABLE);
        if (fastKernelsEnv != null) {
            builder.environment().put(FastKernelsAtStartup.ENV_VARIABLE, fastKernelsEnv);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        assertThat(process.exitValue()).as("child JVM exit code, output:%n%s", output).isZero();
        return output;
    }
}
