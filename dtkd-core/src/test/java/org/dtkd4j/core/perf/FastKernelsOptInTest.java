package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.dtkd4j.core.testsupport.ChildJvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fast kernels are opt-in: a program with dtkd-core on the classpath keeps DL4J's stock kernels unless it calls
 * {@link FastKernels#enable()} or sets {@value FastKernels#PROPERTY} (or {@value FastKernels#ENV_VARIABLE}) to
 * {@code true}. Each case runs {@link PlainDl4jNetwork} in a fresh JVM with this module's test classpath and no
 * inherited setting, since the switch is JVM-global and this JVM's ND4J is already initialized.
 */
class FastKernelsOptInTest {

    private static final String ONE_DNN_CONV = "helper=org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper";
    private static final String NO_HELPER = "helper=null";

    @BeforeAll
    static void requireCpuBackend() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "oneDNN helpers exist on ND4J's CPU backend only");
    }

    @Test
    void plainDl4jProgramKeepsStockKernels() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of(), Map.of())).contains(NO_HELPER);
    }

    @Test
    void dl4jsOwnSwitchAloneDoesNotActivateTheBridge() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.HELPERS_DISABLE_PROPERTY + "=false"), Map.of()))
                .contains(NO_HELPER);
    }

    @Test
    void enableCallGivesOneDnnHelpers() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of(), Map.of(), "enable")).contains(ONE_DNN_CONV);
    }

    @Test
    void propertyGivesOneDnnHelpersToAProgramThatNeverCallsDtkd4j() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.PROPERTY + "=true"), Map.of()))
                .contains(ONE_DNN_CONV);
    }

    @Test
    void environmentVariableGivesOneDnnHelpers() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of(), Map.of(FastKernels.ENV_VARIABLE, "true"))).contains(ONE_DNN_CONV);
    }

    @Test
    void applicationDefaultIsOnAndThePropertyOptsOut() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of(), Map.of(), "enableUnlessOptedOut")).contains(ONE_DNN_CONV)
                .containsPattern("maxPhysicalBytes=0\\R").containsPattern("blasThreads=1\\R");
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.PROPERTY + "=false"),
                Map.of(FastKernels.ENV_VARIABLE, "true"), "enableUnlessOptedOut")).contains(NO_HELPER)
                .containsPattern("maxPhysicalBytes=[1-9]");
    }

    @Test
    void residentSetCheckStaysAsJavaCppHasItOutsideTheApplicationDefault() throws Exception {
        assertThat(runPlainDl4jNetwork(List.of(), Map.of())).containsPattern("maxPhysicalBytes=[1-9]");
        assertThat(runPlainDl4jNetwork(List.of(), Map.of(), "enable")).containsPattern("maxPhysicalBytes=[1-9]");
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.MAX_PHYSICAL_BYTES_PROPERTY + "=3g"), Map.of(),
                "enableUnlessOptedOut")).contains("maxPhysicalBytes=" + 3L * 1024 * 1024 * 1024);
    }

    @Test
    void blasThreadsPropertyTakesEffectOnlyThroughTheApplicationDefault() throws Exception {
        int nd4jDefault = Nd4j.factory().blas().getMaxThreads();
        String other = String.valueOf(nd4jDefault + 1);
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.BLAS_THREADS_PROPERTY + "=" + other), Map.of(),
                "enableUnlessOptedOut")).containsPattern("blasThreads=" + other + "\\R");
        assertThat(runPlainDl4jNetwork(List.of("-D" + FastKernels.BLAS_THREADS_PROPERTY + "=" + other), Map.of()))
                .as("a program that never calls dtkd4j keeps ND4J's count")
                .containsPattern("blasThreads=" + nd4jDefault + "\\R");
    }

    private static String runPlainDl4jNetwork(List<String> jvmOptions, Map<String, String> environment,
            String... args) throws IOException, InterruptedException {
        return ChildJvm.run(jvmOptions, environment, 0, PlainDl4jNetwork.class, args);
    }
}
