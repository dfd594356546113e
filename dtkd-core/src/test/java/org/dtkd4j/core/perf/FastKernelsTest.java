package org.dtkd4j.core.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.Nd4jCpu;

/** The helper switch logic of {@link FastKernels} and the forwarding of the {@code org.nd4j.nativeblas} bridge. */
class FastKernelsTest {

    private static final String PROPERTY = FastKernels.HELPERS_DISABLE_PROPERTY;

    private String saved;

    @BeforeEach
    void saveProperty() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "FastKernels switches helpers on the CPU backend only");
        saved = System.getProperty(PROPERTY);
        System.clearProperty(PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (saved == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, saved);
        }
    }

    @Test
    void enableSwitchesHelpersOnAndIsIdempotent() {
        assertThat(FastKernels.status()).endsWith("OFF (" + PROPERTY + " is not false)");

        FastKernels.enable();
        assertThat(System.getProperty(PROPERTY)).isEqualTo("false");
        String once = FastKernels.status();
        FastKernels.enable();
        FastKernels.enable();

        assertThat(System.getProperty(PROPERTY)).isEqualTo("false");
        assertThat(FastKernels.status()).isEqualTo(once).endsWith("DL4J layer helpers ON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "false"})
    void enableLeavesAnExplicitUserSettingAlone(String userValue) {
        System.setProperty(PROPERTY, userValue);

        FastKernels.enable();

        assertThat(System.getProperty(PROPERTY)).isEqualTo(userValue);
        assertThat(FastKernels.status()).endsWith(Boolean.parseBoolean(userValue)
                ? "DL4J layer helpers OFF (" + PROPERTY + " is not false)"
                : "DL4J layer helpers ON");
    }

    @Test
    void statusNamesBackendNativesAndInstructionSets() {
        String isa = "(AVX512|AVX2|generic x86-64)";
        assertThat(FastKernels.status()).matches("ND4J backend CPU, natives linux-x86_64-onednn[-a-z0-9]* "
                + "\\(built for " + isa + ", CPU has " + isa + "\\), oneDNN built in and in use, "
                + "DL4J layer helpers OFF \\(" + PROPERTY.replace(".", "\\.") + " is not false\\)");
    }

    /** Drives ND4J's real binding by reflection, so this test compiles without the CPU backend too. */
    @Test
    void bridgeForwardsEveryCallToNd4jsRenamedBinding() throws ReflectiveOperationException {
        Class<?> binding = Class.forName(Nd4jCpu.Environment.TARGET);
        Object real = binding.getMethod("getInstance").invoke(null);
        Method setUseOneDnn = binding.getMethod("setUseONEDNN", boolean.class);
        Nd4jCpu.Environment bridge = Nd4jCpu.Environment.getInstance();
        assertThat(binding.getMethod("isUseONEDNN").invoke(real)).isEqualTo(true);
        assertThat(bridge.isUseMKLDNN()).isTrue();
        FastKernels.enable();
        try {
            setUseOneDnn.invoke(real, false);
            assertThat(bridge.isUseMKLDNN()).isFalse();
            assertThat(FastKernels.status())
                    .endsWith("oneDNN built in, switched off, DL4J layer helpers OFF (oneDNN switched off)");
        } finally {
            setUseOneDnn.invoke(real, true);
        }
        assertThat(bridge.isUseMKLDNN()).isTrue();
    }

    @Test
    void startupHookRejectsAValueThatIsNotABoolean() {
        FastKernelsAtStartup hook = new FastKernelsAtStartup();
        assertThat(hook.targetVariable()).isEqualTo("DTKD4J_FAST_KERNELS");
        hook.process(" False ");
        hook.process("true");
        assertThatThrownBy(() -> hook.process("off"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DTKD4J_FAST_KERNELS must be true or false, found off");
    }
}
