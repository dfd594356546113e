package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * NormKD with decoupled knowledge distillation (Chi et al. 2023, "NormKD: Normalized Logits for Knowledge
 * Distillation", arXiv:2308.00520), as in the official code ({@code DISTILLER.TYPE NormKD_W_DKD}): {@link DkdConfig}'s
 * terms on NormKD's per-row temperatures {@code T_stu = T_norm·std(s)}, {@code T_tea = T_norm·std(t)} (see
 * {@link NormKdConfig}), each row scaled by {@code T_tea²}:
 * <pre>
 *   TCKD  = mean_n( T_tea² · KL([p_y^t, Σ_{c≠y} p_c^t] ‖ [p_y^s, Σ_{c≠y} p_c^s]) )
 *   NCKD  = mean_n( T_tea² · KL(softmax(t_n/T_tea − 1000·1_y) ‖ softmax(s_n/T_stu − 1000·1_y)) )
 *   total = min(epoch/warmup, 1) · (alpha · TCKD + beta · NCKD) + ceWeight · CE(s, y)
 * </pre>
 * A row whose logits are all equal has {@code T = 0} and follows the hazard policy (see
 * {@link LossBuilder#normalized}).
 *
 * @param temperatureNorm the factor {@code T_norm}, finite and {@code > 0} (default 2)
 * @param alpha           weight of TCKD, finite and {@code >= 0} (default 4)
 * @param beta            weight of NCKD, finite and {@code >= 0} (default 5)
 * @param ceWeight        weight of the cross-entropy, finite and {@code >= 0} (default 1)
 * @param warmup          warmup length in epochs, {@code >= 1} (default 20)
 * @param hazardPolicy    what to do with constant rows (default {@link HazardPolicy#GUARDED})
 */
public record NormKdDkdConfig(double temperatureNorm, double alpha, double beta, double ceWeight, int warmup,
                              HazardPolicy hazardPolicy) implements DistillationConfig {

    /** Validates every field. */
    public NormKdDkdConfig {
        Checks.positive("NormKdDkdConfig", "temperatureNorm", temperatureNorm);
        Checks.nonNegative("NormKdDkdConfig", "alpha", alpha);
        Checks.nonNegative("NormKdDkdConfig", "beta", beta);
        Checks.nonNegative("NormKdDkdConfig", "ceWeight", ceWeight);
        Checks.warmup("NormKdDkdConfig", warmup);
        Checks.policy("NormKdDkdConfig", hazardPolicy);
    }

    /**
     * @return the official defaults ({@code cfg.py} with {@code configs/cifar100/NormKD_DKD/res32x4_res8x4.yaml}, as
     *         every CIFAR-100 config sets its own weights): {@code T_norm = 2}, alpha 4, beta 5, CE 1, warmup 20
     */
    public static NormKdDkdConfig defaults() {
        return new NormKdDkdConfig(2.0, 4.0, 5.0, 1.0, 20, HazardPolicy.GUARDED);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        builder.decoupled(builder.normalized(temperatureNorm, hazardPolicy), alpha, beta, ceWeight, hazardPolicy);
    }

    /**
     * @return {@code NormKD_W_DKD.TEMPERATURE_NORM}, {@code .CE_WEIGHT}, {@code .ALPHA}, {@code .BETA},
     *         {@code .WARMUP}
     */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of(ConfigKey.positive("NormKD_W_DKD.TEMPERATURE_NORM", temperatureNorm),
                ConfigKey.nonNegative("NormKD_W_DKD.CE_WEIGHT", ceWeight),
                ConfigKey.nonNegative("NormKD_W_DKD.ALPHA", alpha), ConfigKey.nonNegative("NormKD_W_DKD.BETA", beta),
                ConfigKey.epochs("NormKD_W_DKD.WARMUP", warmup));
    }

    @Override
    public NormKdDkdConfig withOfficialKeys(ConfigValues v) {
        return new NormKdDkdConfig(v.real("NormKD_W_DKD.TEMPERATURE_NORM"), v.real("NormKD_W_DKD.ALPHA"),
                v.real("NormKD_W_DKD.BETA"), v.real("NormKD_W_DKD.CE_WEIGHT"), v.integer("NormKD_W_DKD.WARMUP"),
                v.hazardPolicy());
    }

    /** @return {@code NormKD_W_DKD} */
    @Override
    public String officialType() {
        return "NormKD_W_DKD";
    }
}
