package org.dtkd4j.core.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Official defaults and constructor validation. */
class ConfigTest {

    private static final HazardPolicy G = HazardPolicy.GUARDED;

    @Test
    void officialDefaults() {
        assertThat(DtkdConfig.defaults()).isEqualTo(new DtkdConfig(3, 1, 4, 1, 20, false, G));
        assertThat(DkdConfig.defaults()).isEqualTo(new DkdConfig(1, 8, 4, 1, 20, G));
        assertThat(KdConfig.defaults()).isEqualTo(new KdConfig(4, 0.1, 0.9));
        assertThat(DtkdDkdConfig.defaults()).isEqualTo(new DtkdDkdConfig(1, 8, 4, 1, 20, false, G));
        assertThat(CeConfig.defaults()).isEqualTo(new CeConfig(1));
        for (Method m : Method.values()) {
            assertThat(m.defaultConfig().method()).isEqualTo(m);
            assertThat(DistillationConfig.defaults(m)).isEqualTo(m.defaultConfig());
        }
        assertThat(Method.NONE.usesTeacher()).isFalse();
        assertThat(Method.DTKD_DKD.usesTeacher()).isTrue();
    }

    @Test
    void withers() {
        assertThat(DtkdConfig.defaults().withHazardPolicy(HazardPolicy.STRICT).hazardPolicy())
                .isEqualTo(HazardPolicy.STRICT);
        assertThat(DtkdConfig.defaults().withDetachTemperatures(true).detachTemperatures()).isTrue();
        assertThat(DtkdDkdConfig.defaults().withHazardPolicy(HazardPolicy.OFFICIAL).hazardPolicy())
                .isEqualTo(HazardPolicy.OFFICIAL);
        assertThat(DtkdDkdConfig.defaults().withDetachTemperatures(true).detachTemperatures()).isTrue();
        assertThat(DkdConfig.defaults().withHazardPolicy(HazardPolicy.STRICT).alpha()).isEqualTo(1.0);
    }

    @Test
    void warmupFactorFollowsTheReferenceEpoch() {
        DtkdConfig c = DtkdConfig.defaults();
        assertThat(c.warmupFactor(0)).isEqualTo(0.0);
        assertThat(c.warmupFactor(1)).isEqualTo(0.05);
        assertThat(c.warmupFactor(20)).isEqualTo(1.0);
        assertThat(c.warmupFactor(240)).isEqualTo(1.0);
        assertThat(KdConfig.defaults().warmupFactor(0)).isEqualTo(1.0);
        assertThat(CeConfig.defaults().warmupFactor(3)).isEqualTo(1.0);
        assertThatThrownBy(() -> c.warmupFactor(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch must be >= 0, found -1");
        assertThatThrownBy(() -> KdConfig.defaults().warmupFactor(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch must be >= 0, found -2");
    }

    @Test
    void messagesNameTheFieldAndTheValue() {
        rejects(() -> new DtkdConfig(3, 1, -1, 1, 20, false, G), "DtkdConfig.temperature must be finite and > 0, found -1.0");
        rejects(() -> new DtkdConfig(3, 1, 0, 1, 20, false, G), "DtkdConfig.temperature must be finite and > 0, found 0.0");
        rejects(() -> new DtkdConfig(Double.NaN, 1, 4, 1, 20, false, G), "DtkdConfig.alpha must be finite and >= 0, found NaN");
        rejects(() -> new DtkdConfig(3, -0.5, 4, 1, 20, false, G), "DtkdConfig.beta must be finite and >= 0, found -0.5");
        rejects(() -> new DtkdConfig(3, 1, 4, Double.POSITIVE_INFINITY, 20, false, G),
                "DtkdConfig.ceWeight must be finite and >= 0, found Infinity");
        rejects(() -> new DtkdConfig(3, 1, 4, 1, 0, false, G), "DtkdConfig.warmup must be >= 1 epoch, found 0");
        rejects(() -> new DtkdConfig(3, 1, 4, 1, 20, false, null), "DtkdConfig.hazardPolicy must not be null, found null");
        rejects(() -> new DkdConfig(1, 8, Double.NaN, 1, 20, G), "DkdConfig.temperature must be finite and > 0, found NaN");
        rejects(() -> new DkdConfig(-1, 8, 4, 1, 20, G), "DkdConfig.alpha must be finite and >= 0, found -1.0");
        rejects(() -> new DkdConfig(1, 8, 4, 1, -3, G), "DkdConfig.warmup must be >= 1 epoch, found -3");
        rejects(() -> new DkdConfig(1, 8, 4, 1, 20, null), "DkdConfig.hazardPolicy must not be null");
        rejects(() -> new KdConfig(0, 0.1, 0.9), "KdConfig.temperature must be finite and > 0, found 0.0");
        rejects(() -> new KdConfig(4, -0.1, 0.9), "KdConfig.ceWeight must be finite and >= 0, found -0.1");
        rejects(() -> new KdConfig(4, 0.1, Double.NaN), "KdConfig.kdWeight must be finite and >= 0, found NaN");
        rejects(() -> new DtkdDkdConfig(1, 8, -4, 1, 20, false, G),
                "DtkdDkdConfig.temperature must be finite and > 0, found -4.0");
        rejects(() -> new DtkdDkdConfig(1, 8, 4, 1, 20, true, null), "DtkdDkdConfig.hazardPolicy must not be null");
        rejects(() -> new CeConfig(-1), "CeConfig.ceWeight must be finite and >= 0, found -1.0");
    }

    private static void rejects(Runnable constructor, String message) {
        assertThatThrownBy(constructor::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
