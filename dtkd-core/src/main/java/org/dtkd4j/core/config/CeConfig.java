package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;

import java.util.List;

/**
 * Cross-entropy only, the {@link Method#NONE} baseline: {@code loss = ceWeight · CE(s, y)}.
 *
 * @param ceWeight weight of the cross-entropy, finite and {@code >= 0} (default 1)
 */
public record CeConfig(double ceWeight) implements DistillationConfig {

    /** Validates the field. */
    public CeConfig {
        Checks.nonNegative("CeConfig", "ceWeight", ceWeight);
    }

    /** @return {@code ceWeight = 1} */
    public static CeConfig defaults() {
        return new CeConfig(1.0);
    }

    @Override
    public <T, V> void build(LossBuilder<T, V> builder) {
        builder.crossEntropyOnly(ceWeight);
    }

    /** @return no keys: the official configs have none for the baseline (its CE weight is 1) */
    @Override
    public List<ConfigKey> officialKeys() {
        return List.of();
    }

    @Override
    public CeConfig withOfficialKeys(ConfigValues values) {
        return this;
    }
}
