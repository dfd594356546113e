package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * Decoupled knowledge distillation (Zhao, Cui, Song, Qiu &amp; Liang 2022, "Decoupled Knowledge Distillation",
 * CVPR), as in mdistiller's {@code DKD}. With {@code p = softmax(z/T)} and the target class {@code y}:
 * <pre>
 *   TCKD  = mean_n( T² · KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s]) )
 *   NCKD  = mean_n( T² · KL(softmax(t_n/T − 1000·1_y) ‖ softmax(s_n/T − 1000·1_y)) )
 *   total = min(epoch/warmup, 1) · (alpha · TCKD + beta · NCKD) + ceWeight · CE(s, y)
 * </pre>
 * The target class is suppressed in NCKD by subtracting exactly 1000, as in the reference.
 *
 * @param alpha        weight of TCKD, finite and {@code >= 0} (default 1)
 * @param beta         weight of NCKD, finite and {@code >= 0} (default 8)
 * @param temperature  the temperature {@code T}, finite and {@code > 0} (default 4)
 * @param ceWeight     weight of the cross-entropy, finite and {@code >= 0} (default 1)
 * @param warmup       warmup length in epochs, {@code >= 1} (default 20)
 * @param hazardPolicy what to do when the student's target or non-target probability underflows (default
 *                     {@link HazardPolicy#GUARDED})
 */
public record DkdConfig(double alpha, double beta, double temperature, double ceWeight, int warmup,
                        HazardPolicy hazardPolicy) implements DistillationConfig {

    /** Validates every field. */
    public DkdConfig {
        Checks.nonNegative("DkdConfig", "alpha", alpha);
        Checks.nonNegative("DkdConfig", "beta", beta);
        Checks.positive("DkdConfig", "temperature", temperature);
        Checks.nonNegative("DkdConfig", "ceWeight", ceWeight);
        Checks.warmup("DkdConfig", warmup);
        Checks.policy("DkdConfig", hazardPolicy);
    }

    /** @return the official defaults: alpha 1, beta 8, {@code T = 4}, CE weight 1, warmup 20, GUARDED */
    public static DkdConfig defaults() {
        return new DkdConfig(1.0, 8.0, 4.0, 1.0, 20, HazardPolicy.GUARDED);
    }

    /**
     * @param policy the hazard policy
     * @return a copy with the given policy
     */
    public DkdConfig withHazardPolicy(HazardPolicy policy) {
        return new DkdConfig(alpha, beta, temperature, ceWeight, warmup, policy);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        builder.decoupled(builder.fixed(temperature), alpha, beta, ceWeight, hazardPolicy);
    }

    /** @return {@code DKD.CE_WEIGHT}, {@code DKD.ALPHA}, {@code DKD.BETA}, {@code DKD.T}, {@code DKD.WARMUP} */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of(ConfigKey.nonNegative("DKD.CE_WEIGHT", ceWeight), ConfigKey.nonNegative("DKD.ALPHA", alpha),
                ConfigKey.nonNegative("DKD.BETA", beta), ConfigKey.positive("DKD.T", temperature),
                ConfigKey.epochs("DKD.WARMUP", warmup));
    }

    @Override
    public DkdConfig withOfficialKeys(ConfigValues v) {
        return new DkdConfig(v.real("DKD.ALPHA"), v.real("DKD.BETA"), v.real("DKD.T"), v.real("DKD.CE_WEIGHT"),
                v.integer("DKD.WARMUP"), v.hazardPolicy());
    }
}
