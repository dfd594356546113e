package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * Knowledge distillation on standardised logits (Sun, Ren, Li, Wang &amp; Cao 2024, "Logit Standardization in
 * Knowledge Distillation", CVPR), as in the official code (sunshangquan/logit-standardization-KD, {@code KD} with
 * {@code EXPERIMENT.LOGIT_STAND}). Per row, for the student and the teacher alike, with the unbiased std:
 * <pre>
 *   z̃     = (z − mean(z)) / (1e-7 + std(z))
 *   L_kd  = mean_n( T² · KL(softmax(t̃_n/T) ‖ softmax(s̃_n/T)) )
 *   total = kdWeight · L_kd + ceWeight · CE(s, y)                    (CE on the raw logits; no warmup)
 * </pre>
 * Gradients flow through the student's mean and std. A row whose logits are all equal follows the hazard policy
 * (see {@link org.dtkd4j.core.loss.LossBuilder#standardized}).
 *
 * @param temperature  the base temperature {@code T}, finite and {@code > 0} (default 2)
 * @param ceWeight     weight of the cross-entropy, finite and {@code >= 0} (default 0.1)
 * @param kdWeight     weight of the KD term, finite and {@code >= 0} (default 9)
 * @param hazardPolicy what to do with constant rows (default {@link HazardPolicy#GUARDED})
 */
public record LsKdConfig(double temperature, double ceWeight, double kdWeight, HazardPolicy hazardPolicy)
        implements DistillationConfig {

    /** Validates every field. */
    public LsKdConfig {
        Checks.positive("LsKdConfig", "temperature", temperature);
        Checks.nonNegative("LsKdConfig", "ceWeight", ceWeight);
        Checks.nonNegative("LsKdConfig", "kdWeight", kdWeight);
        Checks.policy("LsKdConfig", hazardPolicy);
    }

    /**
     * @return the official defaults ({@code train.py --logit-stand --base-temp 2 --kd-weight 9}): {@code T = 2},
     *         CE weight 0.1, KD weight 9, GUARDED
     */
    public static LsKdConfig defaults() {
        return new LsKdConfig(2.0, 0.1, 9.0, HazardPolicy.GUARDED);
    }

    /** KD's loss, on a standardised view of the builder. */
    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        asKd().build(builder.standardized(hazardPolicy));
    }

    /** @return KD's keys, {@code KD.TEMPERATURE}, {@code KD.LOSS.CE_WEIGHT}, {@code KD.LOSS.KD_WEIGHT} */
    @Override
    public List<ConfigKey> officialKeys() {
        return asKd().officialKeys();
    }

    @Override
    public LsKdConfig withOfficialKeys(ConfigValues v) {
        KdConfig kd = asKd().withOfficialKeys(v);
        return new LsKdConfig(kd.temperature(), kd.ceWeight(), kd.kdWeight(), v.hazardPolicy());
    }

    /** @return {@code KD}, selected with {@code EXPERIMENT.LOGIT_STAND True} */
    @Override
    public String officialType() {
        return Method.KD.name();
    }

    @Override
    public boolean logitStandardization() {
        return true;
    }

    private KdConfig asKd() {
        return new KdConfig(temperature, ceWeight, kdWeight);
    }
}
