package org.dtkd4j.core.config;

/**
 * The values a YAML reader found for the {@link ConfigKey}s of a method, and this library's settings that the
 * official configs do not have; see {@link DistillationConfig#withOfficialKeys}.
 */
public interface ConfigValues {

    /**
     * @param key a key of kind {@link ConfigKey.Kind#POSITIVE} or {@link ConfigKey.Kind#NON_NEGATIVE}
     * @return its value
     */
    double real(String key);

    /**
     * @param key a key of kind {@link ConfigKey.Kind#EPOCHS}
     * @return its value
     */
    int integer(String key);

    /** @return the hazard policy to use (methods without one ignore it) */
    HazardPolicy hazardPolicy();

    /** @return whether to detach DTKD temperatures from the gradient (methods without them ignore it) */
    boolean detachTemperatures();
}
