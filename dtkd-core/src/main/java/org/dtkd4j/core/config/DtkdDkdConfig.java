package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * DTKD+DKD: DKD's two terms computed with the per-sample DTKD temperatures. The reference code has no such loss;
 * this library defines it as follows. With {@code T_stu}, {@code T_tea} as in {@link DtkdConfig},
 * {@code p^s = softmax(s_n/T_stu)}, {@code p^t = softmax(t_n/T_tea)} and the target class {@code y}:
 * <pre>
 *   TCKD  = mean_n( T_stu·T_tea · KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s]) )
 *   NCKD  = mean_n( T_stu·T_tea · KL(softmax(t_n/T_tea − 1000·1_y) ‖ softmax(s_n/T_stu − 1000·1_y)) )
 *   total = min(epoch/warmup, 1) · (alpha · TCKD + beta · NCKD) + ceWeight · CE(s, y)
 * </pre>
 * Each term is scaled by {@code T_stu·T_tea} instead of DKD's {@code T²}, so when {@code ms = mt} (both
 * temperatures equal {@code T}) the loss equals DKD's. Gradients flow through the temperatures unless
 * {@code detachTemperatures} is set.
 *
 * <p>Measured (README, "Accuracy study": resnet20 → resnet8 on Fashion-MNIST, warmup 1, three seeds): this loss
 * does not train. A new student's maximum logit is small next to a trained teacher's, so {@code T_stu} starts near
 * 0.3 and {@code T_tea} near {@code 2T}; DKD's non-target term at full weight on those temperatures drives the
 * student's logits towards equal values, which keeps {@code T_stu} small (test top-1 10-20%, also with detached
 * temperatures). Unlike DTKD, nothing at a fixed temperature holds the student. Keep a long warmup (the default 20
 * epochs was not measured).
 *
 * @param alpha              weight of TCKD, finite and {@code >= 0} (default 1, DKD's)
 * @param beta               weight of NCKD, finite and {@code >= 0} (default 8, DKD's)
 * @param temperature        the reference temperature {@code T}, finite and {@code > 0} (default 4)
 * @param ceWeight           weight of the cross-entropy, finite and {@code >= 0} (default 1)
 * @param warmup             warmup length in epochs, {@code >= 1} (default 20)
 * @param detachTemperatures treat the temperatures as constants in the gradient (default {@code false})
 * @param hazardPolicy       what to do with hazardous rows (default {@link HazardPolicy#GUARDED})
 */
public record DtkdDkdConfig(double alpha, double beta, double temperature, double ceWeight, int warmup,
                            boolean detachTemperatures, HazardPolicy hazardPolicy) implements DistillationConfig {

    /** Validates every field. */
    public DtkdDkdConfig {
        Checks.nonNegative("DtkdDkdConfig", "alpha", alpha);
        Checks.nonNegative("DtkdDkdConfig", "beta", beta);
        Checks.positive("DtkdDkdConfig", "temperature", temperature);
        Checks.nonNegative("DtkdDkdConfig", "ceWeight", ceWeight);
        Checks.warmup("DtkdDkdConfig", warmup);
        Checks.policy("DtkdDkdConfig", hazardPolicy);
    }

    /** @return the defaults: DKD's alpha 1 and beta 8, {@code T = 4}, CE weight 1, warmup 20, not detached, GUARDED */
    public static DtkdDkdConfig defaults() {
        return new DtkdDkdConfig(1.0, 8.0, 4.0, 1.0, 20, false, HazardPolicy.GUARDED);
    }

    /**
     * @param policy the hazard policy
     * @return a copy with the given policy
     */
    public DtkdDkdConfig withHazardPolicy(HazardPolicy policy) {
        return new DtkdDkdConfig(alpha, beta, temperature, ceWeight, warmup, detachTemperatures, policy);
    }

    /**
     * @param detach whether to detach the temperatures from the gradient
     * @return a copy with the given setting
     */
    public DtkdDkdConfig withDetachTemperatures(boolean detach) {
        return new DtkdDkdConfig(alpha, beta, temperature, ceWeight, warmup, detach, hazardPolicy);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        builder.decoupled(builder.dynamic(temperature, hazardPolicy, detachTemperatures), alpha, beta, ceWeight,
                hazardPolicy);
    }

    /**
     * @return the keys of DKD's section, which this method shares: {@code DKD.CE_WEIGHT}, {@code DKD.ALPHA},
     *         {@code DKD.BETA}, {@code DKD.T}, {@code DKD.WARMUP}
     */
    @Override
    public List<ConfigKey> officialKeys() {
        return asDkd().officialKeys();
    }

    @Override
    public DtkdDkdConfig withOfficialKeys(ConfigValues v) {
        DkdConfig d = asDkd().withOfficialKeys(v);
        return new DtkdDkdConfig(d.alpha(), d.beta(), d.temperature(), d.ceWeight(), d.warmup(),
                v.detachTemperatures(), d.hazardPolicy());
    }

    /** @return DKD with this record's weights, temperature, warmup and policy */
    private DkdConfig asDkd() {
        return new DkdConfig(alpha, beta, temperature, ceWeight, warmup, hazardPolicy);
    }
}
