package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.Divergence;
import org.dtkd4j.core.loss.LossBuilder;
import org.dtkd4j.core.loss.Term;

import java.util.List;

/**
 * Dynamic temperature knowledge distillation (Wei &amp; Bai 2024, "Dynamic Temperature Knowledge Distillation",
 * arXiv:2404.12711), exactly as the official code computes it. Per sample, with the row maxima
 * {@code ms = max_c s_c} and {@code mt = max_c t_c}:
 * <pre>
 *   T_stu = 2·ms/(ms+mt)·T,   T_tea = 2·mt/(ms+mt)·T
 *   L_dtkd = mean_n( T_tea·T_stu · KL(softmax(t_n/T_tea) ‖ softmax(s_n/T_stu)) )
 *   L_kd   = mean_n( T² · KL(softmax(t_n/T) ‖ softmax(s_n/T)) )
 *   total  = min(epoch/warmup, 1) · (alpha · L_dtkd + beta · L_kd) + ceWeight · CE(s, y)
 * </pre>
 * {@code ceWeight} is the paper's γ. Gradients flow through the temperatures (through {@code ms}) unless
 * {@code detachTemperatures} is set.
 *
 * @param alpha              weight of the DTKD term, finite and {@code >= 0} (default 3)
 * @param beta               weight of the vanilla KD term, finite and {@code >= 0} (default 1)
 * @param temperature        the reference temperature {@code T}, finite and {@code > 0} (default 4)
 * @param ceWeight           γ, weight of the cross-entropy, finite and {@code >= 0} (default 1)
 * @param warmup             warmup length in epochs, {@code >= 1} (default 20)
 * @param detachTemperatures treat {@code T_stu}, {@code T_tea} as constants in the gradient (default {@code false},
 *                           as the official code)
 * @param hazardPolicy       what to do with hazardous temperature rows (default {@link HazardPolicy#GUARDED})
 */
public record DtkdConfig(double alpha, double beta, double temperature, double ceWeight, int warmup,
                         boolean detachTemperatures, HazardPolicy hazardPolicy) implements DistillationConfig {

    /** Validates every field. */
    public DtkdConfig {
        Checks.nonNegative("DtkdConfig", "alpha", alpha);
        Checks.nonNegative("DtkdConfig", "beta", beta);
        Checks.positive("DtkdConfig", "temperature", temperature);
        Checks.nonNegative("DtkdConfig", "ceWeight", ceWeight);
        Checks.warmup("DtkdConfig", warmup);
        Checks.policy("DtkdConfig", hazardPolicy);
    }

    /** @return the official defaults: alpha 3, beta 1, {@code T = 4}, γ 1, warmup 20, not detached, GUARDED */
    public static DtkdConfig defaults() {
        return new DtkdConfig(3.0, 1.0, 4.0, 1.0, 20, false, HazardPolicy.GUARDED);
    }

    /**
     * @param policy the hazard policy
     * @return a copy with the given policy
     */
    public DtkdConfig withHazardPolicy(HazardPolicy policy) {
        return new DtkdConfig(alpha, beta, temperature, ceWeight, warmup, detachTemperatures, policy);
    }

    /**
     * @param detach whether to detach the temperatures from the gradient
     * @return a copy with the given setting
     */
    public DtkdConfig withDetachTemperatures(boolean detach) {
        return new DtkdConfig(alpha, beta, temperature, ceWeight, warmup, detach, hazardPolicy);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        T dynamic = builder.dynamic(temperature, hazardPolicy, detachTemperatures);
        V dtkd = builder.term(Term.DTKD, Divergence.FULL, dynamic, hazardPolicy);
        V kd = builder.term(Term.KD, Divergence.FULL, builder.fixed(temperature), hazardPolicy);
        builder.total(dynamic, ceWeight, builder.crossEntropy(), List.of(dtkd, kd), alpha, beta);
    }

    /** @return {@code DTKD.ALPHA}, {@code DTKD.BETA}, {@code DTKD.CE_WEIGHT}, {@code DTKD.T}, {@code DTKD.WARMUP} */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of(ConfigKey.nonNegative("DTKD.ALPHA", alpha), ConfigKey.nonNegative("DTKD.BETA", beta),
                ConfigKey.nonNegative("DTKD.CE_WEIGHT", ceWeight), ConfigKey.positive("DTKD.T", temperature),
                ConfigKey.epochs("DTKD.WARMUP", warmup));
    }

    @Override
    public DtkdConfig withOfficialKeys(ConfigValues v) {
        return new DtkdConfig(v.real("DTKD.ALPHA"), v.real("DTKD.BETA"), v.real("DTKD.T"), v.real("DTKD.CE_WEIGHT"),
                v.integer("DTKD.WARMUP"), v.detachTemperatures(), v.hazardPolicy());
    }
}
