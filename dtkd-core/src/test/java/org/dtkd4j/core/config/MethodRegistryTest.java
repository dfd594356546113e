package org.dtkd4j.core.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link Method} registry and what each record declares about itself. */
class MethodRegistryTest {

    @Test
    void everyPermittedRecordHasExactlyOneMethod() {
        assertThat(Arrays.stream(Method.values()).<Class<?>>map(Method::configType))
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrder(DistillationConfig.class.getPermittedSubclasses());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void defaultsBelongToTheirMethod(Method method) {
        assertThat(method.defaultConfig().method()).isEqualTo(method);
        assertThat(method.defaultConfig().getClass()).isEqualTo(method.configType());
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void officialKeysReadBackToTheSameRecord(Method method) {
        DistillationConfig config = method.defaultConfig();
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey key : config.officialKeys()) {
            assertThat(values.put(key.name(), key.value())).as("%s lists %s twice", method, key.name()).isNull();
        }
        ConfigValues read = new ConfigValues() {
            @Override
            public double real(String key) {
                return (Double) require(key);
            }

            @Override
            public int integer(String key) {
                return (Integer) require(key);
            }

            private Object require(String key) {
                assertThat(values).as("%s reads a key it does not declare", method).containsKey(key);
                return values.get(key);
            }

            @Override
            public HazardPolicy hazardPolicy() {
                return config.hazardPolicy();
            }

            @Override
            public boolean detachTemperatures() {
                return false;
            }
        };
        assertThat(config.withOfficialKeys(read)).isEqualTo(config);
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void warmupIsDeclaredOnce(Method method) {
        DistillationConfig config = method.defaultConfig();
        assertThat(config.hasWarmup()).isEqualTo(config.warmup() > 0);
        assertThat(config.warmupFactor(0)).isEqualTo(config.hasWarmup() ? 0.0 : 1.0);
        assertThat(config.warmupFactor(config.warmup() + 1)).isEqualTo(1.0);
        assertThatThrownBy(() -> config.warmupFactor(-1)).hasMessage("epoch must be >= 0, found -1");
    }

    @Test
    void aKeyHoldsTheJavaTypeOfItsKind() {
        assertThatThrownBy(() -> new ConfigKey("DKD.WARMUP", ConfigKey.Kind.EPOCHS, 20.0))
                .hasMessage("DKD.WARMUP: a EPOCHS key holds an Integer, found 20.0");
    }
}
