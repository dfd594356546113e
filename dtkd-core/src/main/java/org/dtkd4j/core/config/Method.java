package org.dtkd4j.core.config;

/**
 * The distillation methods a training run can select, each with its official default configuration.
 */
public enum Method {
    /** No distillation: cross-entropy only (the student baseline). */
    NONE,
    /** Vanilla knowledge distillation (Hinton et al. 2015). */
    KD,
    /** Decoupled knowledge distillation (Zhao et al. 2022). */
    DKD,
    /** Dynamic temperature knowledge distillation (Wei &amp; Bai 2024). */
    DTKD,
    /** DKD computed with the per-sample DTKD temperatures (this library's combination, see {@link DtkdDkdConfig}). */
    DTKD_DKD;

    /** @return the official default configuration of this method */
    public DistillationConfig defaultConfig() {
        return switch (this) {
            case NONE -> CeConfig.defaults();
            case KD -> KdConfig.defaults();
            case DKD -> DkdConfig.defaults();
            case DTKD -> DtkdConfig.defaults();
            case DTKD_DKD -> DtkdDkdConfig.defaults();
        };
    }

    /** @return whether the method needs teacher logits ({@code false} only for {@link #NONE}) */
    public boolean usesTeacher() {
        return this != NONE;
    }
}
