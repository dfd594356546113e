package org.dtkd4j.examples.config;

import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.config.NormKdConfig;
import org.dtkd4j.core.config.NormKdDkdConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NormKD and NormKD+DKD in the official YAML schema: {@code DISTILLER.TYPE NormKD / NormKD_W_DKD} and sections. */
class NormKdConfigTest {

    /** As {@code configs/imagenet/r34_r18/dkd_normkd.yaml} of the official code (distiller part). */
    private static final String OFFICIAL_DKD = "DISTILLER:\n  TYPE: NormKD_W_DKD\n  TEACHER: resnet56\n"
            + "  STUDENT: resnet20\nNormKD_W_DKD:\n  TEMPERATURE_NORM: 0.5\n  ALPHA: 1.0\n  BETA: 1.0\n  WARMUP: 1\n";

    @Test
    void anOfficialNormKdWithDkdConfigReadsAsIs() {
        ExperimentConfig cfg = ExperimentConfig.parse(OFFICIAL_DKD, "normkd.yaml");
        assertThat(cfg.method()).isEqualTo(Method.NORMKD_DKD);
        assertThat(cfg.distillation()).isEqualTo(new NormKdDkdConfig(0.5, 1, 1, 1, 1, HazardPolicy.GUARDED));
        assertThat(ExperimentConfig.parse(cfg.toYaml(), "dump")).isEqualTo(cfg);
        assertThat(cfg.withOverrides(List.of("DISTILLER.TYPE", "normkd_dkd")).distillation())
                .isEqualTo(cfg.distillation());
    }

    @Test
    void normKdTakesItsOwnSectionWithTheOfficialDefaults() {
        ExperimentConfig cfg = ExperimentConfig.parse(OFFICIAL_DKD, "normkd.yaml")
                .withOverrides(List.of("DISTILLER.TYPE", "NormKD"));
        assertThat(cfg.distillation()).isEqualTo(NormKdConfig.defaults());
        assertThat(cfg.withOverrides(List.of("NormKD.TEMPERATURE_NORM", "1.0", "NormKD.LOSS.CE_WEIGHT", "0.5",
                "NormKD.LOSS.KD_WEIGHT", "0.5", "DTKD4J.HAZARD_POLICY", "strict")).distillation())
                .isEqualTo(new NormKdConfig(1.0, 0.5, 0.5, HazardPolicy.STRICT));
        assertThatThrownBy(() -> cfg.withOverrides(List.of("NormKD.TEMPERATURE_NORM", "0")))
                .hasMessage("command line: NormKD.TEMPERATURE_NORM must be finite and > 0, found 0.0");
    }
}
