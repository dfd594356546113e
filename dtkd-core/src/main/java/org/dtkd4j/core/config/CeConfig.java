package org.dtkd4j.core.config;

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
    public Method method() {
        return Method.NONE;
    }

    @Override
    public double warmupFactor(int epoch) {
        Checks.warmupFactor(epoch, 1);
        return 1.0;
    }
}
