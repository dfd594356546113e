package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.Divergence;
import org.dtkd4j.core.loss.LossBuilder;
import org.dtkd4j.core.loss.Term;

import java.util.List;

/**
 * Vanilla knowledge distillation (Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"),
 * as in mdistiller's {@code KD}:
 * <pre>
 *   L_kd  = mean_n( T² · KL(softmax(t_n/T) ‖ softmax(s_n/T)) )
 *   total = kdWeight · L_kd + ceWeight · CE(s, y)
 * </pre>
 * There is no warmup.
 *
 * @param temperature the temperature {@code T}, finite and {@code > 0} (default 4)
 * @param ceWeight    weight of the cross-entropy, finite and {@code >= 0} (default 0.1)
 * @param kdWeight    weight of the KD term, finite and {@code >= 0} (default 0.9)
 */
public record KdConfig(double temperature, double ceWeight, double kdWeight) implements DistillationConfig {

    /** Validates every field. */
    public KdConfig {
        Checks.positive("KdConfig", "temperature", temperature);
        Checks.nonNegative("KdConfig", "ceWeight", ceWeight);
        Checks.nonNegative("KdConfig", "kdWeight", kdWeight);
    }

    /** @return the official defaults: {@code T = 4}, CE weight 0.1, KD weight 0.9 */
    public static KdConfig defaults() {
        return new KdConfig(4.0, 0.1, 0.9);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        T temps = builder.fixed(temperature);
        V kd = builder.term(Term.KD, Divergence.FULL, temps, HazardPolicy.GUARDED);
        builder.total(temps, ceWeight, builder.crossEntropy(), List.of(kd), kdWeight);
    }

    /** @return {@code KD.TEMPERATURE}, {@code KD.LOSS.CE_WEIGHT}, {@code KD.LOSS.KD_WEIGHT} */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of(ConfigKey.positive("KD.TEMPERATURE", temperature),
                ConfigKey.nonNegative("KD.LOSS.CE_WEIGHT", ceWeight),
                ConfigKey.nonNegative("KD.LOSS.KD_WEIGHT", kdWeight));
    }

    @Override
    public KdConfig withOfficialKeys(ConfigValues v) {
        return new KdConfig(v.real("KD.TEMPERATURE"), v.real("KD.LOSS.CE_WEIGHT"), v.real("KD.LOSS.KD_WEIGHT"));
    }
}
