package org.dtkd4j.core.config;

/** Constructor validation shared by the config records; messages name the field and the value found. */
final class Checks {

    private Checks() {
    }

    static void positive(String record, String field, double value) {
        if (!(Double.isFinite(value) && value > 0)) {
            throw new IllegalArgumentException(record + "." + field + " must be finite and > 0, found " + value);
        }
    }

    static void nonNegative(String record, String field, double value) {
        if (!(Double.isFinite(value) && value >= 0)) {
            throw new IllegalArgumentException(record + "." + field + " must be finite and >= 0, found " + value);
        }
    }

    static void warmup(String record, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(record + ".warmup must be >= 1 epoch, found " + value);
        }
    }

    static void policy(String record, HazardPolicy value) {
        if (value == null) {
            throw new IllegalArgumentException(record + ".hazardPolicy must not be null, found null");
        }
    }

    static double warmupFactor(int epoch, int warmup) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, found " + epoch);
        }
        return Math.min((double) epoch / warmup, 1.0);
    }
}
