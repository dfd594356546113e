package org.dtkd4j.core.config;

/**
 * One hyper-parameter of a method under its key in the official YAML configs (mdistiller's
 * {@code mdistiller/engine/cfg.py} schema, e.g. {@code DKD.ALPHA}), with its value in a configuration record.
 * {@link DistillationConfig#officialKeys()} lists them; {@link DistillationConfig#withOfficialKeys} reads them back.
 *
 * @param name  the dotted key, e.g. {@code KD.LOSS.KD_WEIGHT}
 * @param kind  its type and valid range
 * @param value its value: a {@code Double} for the real kinds, an {@code Integer} for {@link Kind#EPOCHS}
 */
public record ConfigKey(String name, Kind kind, Object value) {

    /** The type and valid range of a key. */
    public enum Kind {
        /** A real number, finite and {@code > 0} (temperatures). */
        POSITIVE,
        /** A real number, finite and {@code >= 0} (weights). */
        NON_NEGATIVE,
        /** A whole number of epochs, {@code >= 1} (warmup lengths). */
        EPOCHS
    }

    /** Checks that the value has the kind's Java type. */
    public ConfigKey {
        boolean integer = kind == Kind.EPOCHS;
        if (integer ? !(value instanceof Integer) : !(value instanceof Double)) {
            throw new IllegalArgumentException(name + ": a " + kind + " key holds " + (integer ? "an Integer" : "a Double")
                    + ", found " + value);
        }
    }

    static ConfigKey positive(String name, double value) {
        return new ConfigKey(name, Kind.POSITIVE, value);
    }

    static ConfigKey nonNegative(String name, double value) {
        return new ConfigKey(name, Kind.NON_NEGATIVE, value);
    }

    static ConfigKey epochs(String name, int value) {
        return new ConfigKey(name, Kind.EPOCHS, value);
    }
}
