package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.Divergence;
import org.dtkd4j.core.loss.LossBuilder;
import org.dtkd4j.core.loss.Term;

import java.util.List;

/**
 * NormKD (Chi, Zheng, Li, Yang, Wu, Lin &amp; Cai 2023, "NormKD: Normalized Logits for Knowledge Distillation",
 * arXiv:2308.00520), as in the official code (gizi1/NormKD, {@code DISTILLER.TYPE NormKD}): each row gets its own
 * temperatures from the unbiased std of its raw logits,
 * <pre>
 *   T_stu = T_norm · std(s),   T_tea = T_norm · std(t)                 (no epsilon; gradient through std(s))
 *   L_kd  = mean_n( T_tea² · KL(softmax(t_n/T_tea) ‖ softmax(s_n/T_stu)) )
 *   total = kdWeight · L_kd + ceWeight · CE(s, y)                      (no warmup)
 * </pre>
 * The scale is the teacher's temperature squared, not {@code T_stu·T_tea}. A row whose logits are all equal has
 * {@code T = 0} and follows the hazard policy (see {@link LossBuilder#normalized}).
 *
 * @param temperatureNorm the factor {@code T_norm}, finite and {@code > 0} (default 2)
 * @param ceWeight        weight of the cross-entropy, finite and {@code >= 0} (default 0.1)
 * @param kdWeight        weight of the KD term, finite and {@code >= 0} (default 0.9)
 * @param hazardPolicy    what to do with constant rows (default {@link HazardPolicy#GUARDED})
 */
public record NormKdConfig(double temperatureNorm, double ceWeight, double kdWeight, HazardPolicy hazardPolicy)
        implements DistillationConfig {

    /** Validates every field. */
    public NormKdConfig {
        Checks.positive("NormKdConfig", "temperatureNorm", temperatureNorm);
        Checks.nonNegative("NormKdConfig", "ceWeight", ceWeight);
        Checks.nonNegative("NormKdConfig", "kdWeight", kdWeight);
        Checks.policy("NormKdConfig", hazardPolicy);
    }

    /** @return the official defaults ({@code cfg.py}, every CIFAR-100 config): {@code T_norm = 2}, CE 0.1, KD 0.9 */
    public static NormKdConfig defaults() {
        return new NormKdConfig(2.0, 0.1, 0.9, HazardPolicy.GUARDED);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        T temps = builder.normalized(temperatureNorm, hazardPolicy);
        V kd = builder.term(Term.KD, Divergence.FULL, temps, hazardPolicy);
        builder.total(temps, ceWeight, builder.crossEntropy(), List.of(kd), kdWeight);
    }

    /** @return {@code NormKD.TEMPERATURE_NORM}, {@code NormKD.LOSS.CE_WEIGHT}, {@code NormKD.LOSS.KD_WEIGHT} */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of(ConfigKey.positive("NormKD.TEMPERATURE_NORM", temperatureNorm),
                ConfigKey.nonNegative("NormKD.LOSS.CE_WEIGHT", ceWeight),
                ConfigKey.nonNegative("NormKD.LOSS.KD_WEIGHT", kdWeight));
    }

    @Override
    public NormKdConfig withOfficialKeys(ConfigValues v) {
        return new NormKdConfig(v.real("NormKD.TEMPERATURE_NORM"), v.real("NormKD.LOSS.CE_WEIGHT"),
                v.real("NormKD.LOSS.KD_WEIGHT"), v.hazardPolicy());
    }

    /** @return {@code NormKD} */
    @Override
    public String officialType() {
        return "NormKD";
    }
}
