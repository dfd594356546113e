package org.dtkd4j.core.perf;

import org.nd4j.linalg.env.EnvironmentalAction;

/**
 * Runs {@link FastKernels#enable()} while ND4J starts when the user asked for it with
 * {@code -D}{@value FastKernels#PROPERTY}{@code =true} (or {@value FastKernels#ENV_VARIABLE}{@code =true}), so that
 * every network initialized in this JVM (students, DL4J teachers restored before any dtkd4j class is touched, and
 * the user's own networks) gets DL4J's oneDNN layer helpers with no code change. Without that setting it does nothing.
 *
 * <p>ND4J instantiates all {@link EnvironmentalAction} services listed in {@code META-INF/services} at the end of its
 * backend initialization ({@code Nd4j.initWithBackend}), before anything can create a layer; this constructor is the
 * hook. A setting that is neither {@code true} nor {@code false} fails ND4J's start-up with a message naming it.
 */
public final class FastKernelsAtStartup implements EnvironmentalAction {

    /**
     * Called by ND4J's service loader during backend initialization; enables the fast kernels if the user asked.
     *
     * @throws IllegalArgumentException if the setting is neither {@code true} nor {@code false}
     */
    public FastKernelsAtStartup() {
        if (Boolean.TRUE.equals(FastKernels.setting())) {
            FastKernels.enable();
        }
    }

    /**
     * Returns {@value FastKernels#ENV_VARIABLE}, the variable whose value ND4J passes to {@link #process(String)}.
     *
     * @return the environment variable name
     */
    @Override
    public String targetVariable() {
        return FastKernels.ENV_VARIABLE;
    }

    /**
     * Does nothing: the constructor already read and validated {@value FastKernels#ENV_VARIABLE}.
     *
     * @param value the variable's value
     */
    @Override
    public void process(String value) {
        // the constructor acted on the setting; ND4J calls this afterwards with the same value
    }
}
