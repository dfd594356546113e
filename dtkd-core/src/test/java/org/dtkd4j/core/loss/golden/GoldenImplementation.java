package org.dtkd4j.core.loss.golden;

import org.dtkd4j.core.config.DistillationConfig;

/** A loss implementation under golden test: evaluates one case with a configuration and epoch. */
@FunctionalInterface
public interface GoldenImplementation {

    /**
     * @param c      the case (inputs)
     * @param config the configuration the reference used, with the hazard policy under test
     * @param epoch  the reference epoch
     * @return what the implementation produced
     */
    Outcome evaluate(GoldenCase c, DistillationConfig config, int epoch);
}
