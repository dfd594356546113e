package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * Decoupled knowledge distillation on standardised logits (Sun et al. 2024, "Logit Standardization in Knowledge
 * Distillation", CVPR), as in the official code ({@code DKD} with {@code EXPERIMENT.LOGIT_STAND}): {@link DkdConfig}'s
 * loss on {@code z̃ = (z − mean(z)) / (1e-7 + std(z))} of the student and the teacher (unbiased std, see
 * {@link LsKdConfig}), with the cross-entropy on the raw logits:
 * <pre>
 *   total = min(epoch/warmup, 1) · (alpha · TCKD(s̃, t̃) + beta · NCKD(s̃, t̃)) + ceWeight · CE(s, y)
 * </pre>
 * Standardised logits are bounded ({@code |z̃| < √C}), so DKD's {@code −1000} mask never leaks and its
 * target-class KL cannot take {@code log 0}; a row whose logits are all equal follows the hazard policy.
 *
 * @param alpha        weight of TCKD, finite and {@code >= 0} (default 9: DKD's 1 times the official kd weight 9)
 * @param beta         weight of NCKD, finite and {@code >= 0} (default 72: DKD's 8 times 9)
 * @param temperature  the base temperature {@code T}, finite and {@code > 0} (default 2)
 * @param ceWeight     weight of the cross-entropy, finite and {@code >= 0} (default 1)
 * @param warmup       warmup length in epochs, {@code >= 1} (default 20)
 * @param hazardPolicy what to do with constant rows (default {@link HazardPolicy#GUARDED})
 */
public record LsDkdConfig(double alpha, double beta, double temperature, double ceWeight, int warmup,
                          HazardPolicy hazardPolicy) implements DistillationConfig {

    /** Validates every field. */
    public LsDkdConfig {
        Checks.nonNegative("LsDkdConfig", "alpha", alpha);
        Checks.nonNegative("LsDkdConfig", "beta", beta);
        Checks.positive("LsDkdConfig", "temperature", temperature);
        Checks.nonNegative("LsDkdConfig", "ceWeight", ceWeight);
        Checks.warmup("LsDkdConfig", warmup);
        Checks.policy("LsDkdConfig", hazardPolicy);
    }

    /**
     * @return the official defaults ({@code train.py --logit-stand --base-temp 2 --kd-weight 9} on DKD's config):
     *         alpha 9, beta 72, {@code T = 2}, CE weight 1, warmup 20, GUARDED
     */
    public static LsDkdConfig defaults() {
        return new LsDkdConfig(9.0, 72.0, 2.0, 1.0, 20, HazardPolicy.GUARDED);
    }

    /** DKD's loss, on a standardised view of the builder. */
    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        asDkd().build(builder.standardized(hazardPolicy));
    }

    /** @return DKD's keys, {@code DKD.CE_WEIGHT}, {@code DKD.ALPHA}, {@code DKD.BETA}, {@code DKD.T}, {@code DKD.WARMUP} */
    @Override
    public List<ConfigKey> officialKeys() {
        return asDkd().officialKeys();
    }

    @Override
    public LsDkdConfig withOfficialKeys(ConfigValues v) {
        DkdConfig d = asDkd().withOfficialKeys(v);
        return new LsDkdConfig(d.alpha(), d.beta(), d.temperature(), d.ceWeight(), d.warmup(), d.hazardPolicy());
    }

    /** @return {@code DKD}, selected with {@code EXPERIMENT.LOGIT_STAND True} */
    @Override
    public String officialType() {
        return Method.DKD.name();
    }

    @Override
    public boolean logitStandardization() {
        return true;
    }

    private DkdConfig asDkd() {
        return new DkdConfig(alpha, beta, temperature, ceWeight, warmup, hazardPolicy);
    }
}
