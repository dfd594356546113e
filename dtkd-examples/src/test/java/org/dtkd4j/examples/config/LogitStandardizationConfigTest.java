package org.dtkd4j.examples.config;

import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.LsDkdConfig;
import org.dtkd4j.core.config.LsKdConfig;
import org.dtkd4j.core.config.Method;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The logit-standardised methods in the official YAML schema: {@code EXPERIMENT.LOGIT_STAND} or their own names. */
class LogitStandardizationConfigTest {

    private static final String OFFICIAL_KD = "EXPERIMENT:\n  LOGIT_STAND: True\nDISTILLER:\n  TYPE: KD\n"
            + "  TEACHER: resnet56\n  STUDENT: resnet20\nKD:\n  TEMPERATURE: 2\n  LOSS:\n    KD_WEIGHT: 9\n";

    @Test
    void anOfficialConfigWithLogitStandReadsAsIs() {
        ExperimentConfig cfg = ExperimentConfig.parse(OFFICIAL_KD, "ls.yaml");
        assertThat(cfg.method()).isEqualTo(Method.LS_KD);
        assertThat(cfg.distiller().method()).isEqualTo(Method.KD);
        assertThat(cfg.distillation()).isEqualTo(LsKdConfig.defaults());
        assertThat(ExperimentConfig.parse(cfg.toYaml(), "dump")).isEqualTo(cfg);
        assertThat(cfg.withOverrides(List.of("EXPERIMENT.LOGIT_STAND", "False")).distillation().method())
                .isEqualTo(Method.KD);
    }

    @Test
    void dkdWithLogitStandTakesTheDkdSection() {
        ExperimentConfig cfg = ExperimentConfig.parse(OFFICIAL_KD, "ls.yaml").withOverrides(List.of(
                "DISTILLER.TYPE", "DKD", "DKD.T", "2", "DKD.ALPHA", "9", "DKD.BETA", "72",
                "DTKD4J.HAZARD_POLICY", "official"));
        assertThat(cfg.distillation()).isEqualTo(new LsDkdConfig(9, 72, 2, 1, 20, HazardPolicy.OFFICIAL));
        assertThat(cfg.withOverrides(List.of("EXPERIMENT.LOGIT_STAND", "False", "DISTILLER.TYPE", "ls_dkd"))
                .distillation()).isEqualTo(cfg.distillation());
    }

    @Test
    void logitStandNeedsAMethodWithAStandardisedVariant() {
        ExperimentConfig cfg = ExperimentConfig.parse(OFFICIAL_KD, "ls.yaml");
        assertThatThrownBy(() -> cfg.withOverrides(List.of("DISTILLER.TYPE", "DTKD")))
                .hasMessage("command line: EXPERIMENT.LOGIT_STAND True needs DISTILLER.TYPE KD, DKD (or LS_KD, LS_DKD)"
                        + ", found 'DTKD'");
        assertThat(cfg.withOverrides(List.of("DISTILLER.TYPE", "NONE")).method()).isEqualTo(Method.NONE);
        assertThatThrownBy(() -> cfg.withOverrides(List.of("KD.TEMPERATURE", "0")))
                .hasMessage("command line: KD.TEMPERATURE must be finite and > 0, found 0.0");
    }
}
