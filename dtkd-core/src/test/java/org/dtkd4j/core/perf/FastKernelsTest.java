package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.Nd4jCpu;

/**
 * The helper switch logic of {@link FastKernels} once enabled, its setting, and the forwarding of the
 * {@code org.nd4j.nativeblas} bridge. What happens without the opt-in is {@link FastKernelsOptInTest}'s part (fresh
 * JVMs): enabling is JVM-wide and cannot be undone here.
 */
class FastKernelsTest {

    private static final String DL4J_SWITCH = FastKernels.HELPERS_DISABLE_PROPERTY;

    private String saved;

    @BeforeEach
    void saveProperty() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "FastKernels switches helpers on the CPU backend only");
        saved = System.getProperty(DL4J_SWITCH);
        System.clearProperty(DL4J_SWITCH);
    }

    @AfterEach
    void restoreProperty() {
        if (saved == null) {
            System.clearProperty(DL4J_SWITCH);
        } else {
            System.setProperty(DL4J_SWITCH, saved);
        }
    }

    @Test
    void enableSwitchesHelpersOnAndIsIdempotent() {
        FastKernels.enable();
        assertThat(FastKernels.isEnabled()).isTrue();
        assertThat(System.getProperty(DL4J_SWITCH)).isEqualTo("false");
        String once = FastKernels.status();
        FastKernels.enable();
        FastKernels.enable();

        assertThat(System.getProperty(DL4J_SWITCH)).isEqualTo("false");
        assertThat(FastKernels.status()).isEqualTo(once).contains("DL4J layer helpers ON, BLAS threads ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "false"})
    void enableLeavesAnExplicitUserSettingAlone(String userValue) {
        System.setProperty(DL4J_SWITCH, userValue);

        FastKernels.enable();

        assertThat(System.getProperty(DL4J_SWITCH)).isEqualTo(userValue);
        assertThat(FastKernels.status()).contains(Boolean.parseBoolean(userValue)
                ? "DL4J layer helpers OFF (" + DL4J_SWITCH + " is not false), BLAS threads "
                : "DL4J layer helpers ON, BLAS threads ");
    }

    @Test
    void statusNamesBackendNativesAndInstructionSets() {
        FastKernels.enable();
        String isa = "(AVX512|AVX2|generic x86-64)";
        assertThat(FastKernels.status()).matches("ND4J backend CPU, natives linux-x86_64-onednn[-a-z0-9]* "
                + "\\(built for " + isa + ", CPU has " + isa + "\\), oneDNN built in and in use, "
                + "DL4J layer helpers ON, BLAS threads [1-9][0-9]*(, JavaCPP resident-set check off)?");
    }

    /** Drives ND4J's real binding by reflection, so this test compiles without the CPU backend too. */
    @Test
    void bridgeForwardsEveryCallToNd4jsRenamedBinding() throws ReflectiveOperationException {
        Class<?> binding = Class.forName(Nd4jCpu.Environment.TARGET);
        Object real = binding.getMethod("getInstance").invoke(null);
        Method setUseOneDnn = binding.getMethod("setUseONEDNN", boolean.class);
        Nd4jCpu.Environment bridge = Nd4jCpu.Environment.getInstance();
        FastKernels.enable();
        assertThat(binding.getMethod("isUseONEDNN").invoke(real)).isEqualTo(true);
        assertThat(bridge.isUseOneDnn()).isTrue();
        assertThat(bridge.isUseMKLDNN()).isTrue();
        try {
            setUseOneDnn.invoke(real, false);
            assertThat(bridge.isUseOneDnn()).isFalse();
            assertThat(bridge.isUseMKLDNN()).isFalse();
            assertThat(FastKernels.status())
                    .contains("oneDNN built in, switched off, DL4J layer helpers OFF (oneDNN switched off), BLAS threads ");
        } finally {
            setUseOneDnn.invoke(real, true);
        }
        assertThat(bridge.isUseMKLDNN()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", " True ", "FALSE"})
    void settingReadsTrueOrFalseIgnoringCaseAndBlanks(String value) {
        withFastKernelsProperty(value, () -> assertThat(FastKernels.setting())
                .isEqualTo(Boolean.valueOf(value.trim().toLowerCase(Locale.ROOT))));
    }

    @Test
    void settingThatIsNotABooleanFailsNamingIt() {
        withFastKernelsProperty("on", () -> {
            assertThatThrownBy(FastKernels::setting)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("system property dtkd.fastKernels must be true or false, found on");
            assertThatThrownBy(FastKernelsAtStartup::new)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("found on");
            assertThatThrownBy(FastKernels::enableUnlessOptedOut)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("found on");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "two", ""})
    void blasThreadsThatAreNotAPositiveIntegerFailNamingTheProperty(String value) {
        String saved = System.getProperty(FastKernels.BLAS_THREADS_PROPERTY);
        System.setProperty(FastKernels.BLAS_THREADS_PROPERTY, value);
        try {
            assertThatThrownBy(FastKernels::enableUnlessOptedOut)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("system property dtkd.blasThreads must be an integer >= 1, found " + value);
            System.setProperty(FastKernels.BLAS_THREADS_PROPERTY, " 4 ");
            assertThat(FastKernels.blasThreads()).isEqualTo(4);
        } finally {
            if (saved == null) {
                System.clearProperty(FastKernels.BLAS_THREADS_PROPERTY);
            } else {
                System.setProperty(FastKernels.BLAS_THREADS_PROPERTY, saved);
            }
        }
    }

    @Test
    void startupHookNamesItsEnvironmentVariable() {
        assertThat(new FastKernelsAtStartup().targetVariable()).isEqualTo("DTKD4J_FAST_KERNELS");
    }

    private static void withFastKernelsProperty(String value, Runnable body) {
        String previous = System.getProperty(FastKernels.PROPERTY);
        System.setProperty(FastKernels.PROPERTY, value);
        try {
            body.run();
        } finally {
            if (previous == null) {
                System.clearProperty(FastKernels.PROPERTY);
            } else {
                System.setProperty(FastKernels.PROPERTY, previous);
            }
        }
    }
}
