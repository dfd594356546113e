package org.dtkd4j.core.perf;

import java.util.Locale;

import org.nd4j.linalg.env.EnvironmentalAction;

/**
 * Runs {@link FastKernels#enable()} while ND4J starts, so that every network initialized in this JVM (students,
 * DL4J teachers restored before any dtkd4j class is touched, and the user's own networks) gets DL4J's oneDNN layer
 * helpers with no extra step.
 *
 * <p>ND4J instantiates all {@link EnvironmentalAction} services listed in {@code META-INF/services} at the end of its
 * backend initialization ({@code Nd4j.initWithBackend}), before anything can create a layer; this constructor is the
 * hook. The environment variable {@value #ENV_VARIABLE}{@code =false} opts out of it (an explicit
 * {@link FastKernels#enable()} call still works); the DL4J property {@value FastKernels#HELPERS_DISABLE_PROPERTY}
 * {@code =true} switches the helpers off altogether.
 */
public final class FastKernelsAtStartup implements EnvironmentalAction {

    /** Environment variable that, set to {@code false}, stops this hook from calling {@link FastKernels#enable()}. */
    public static final String ENV_VARIABLE = "DTKD4J_FAST_KERNELS";

    /** Called by ND4J's service loader during backend initialization; enables the helpers unless opted out. */
    public FastKernelsAtStartup() {
        if (!Boolean.FALSE.toString().equals(normalized(System.getenv(ENV_VARIABLE)))) {
            FastKernels.enable();
        }
    }

    /**
     * Returns {@value #ENV_VARIABLE}, the variable whose value ND4J passes to {@link #process(String)}.
     *
     * @return the environment variable name
     */
    @Override
    public String targetVariable() {
        return ENV_VARIABLE;
    }

    /**
     * Validates the value of {@value #ENV_VARIABLE} (ND4J logs the exception of a bad value at INFO level); the
     * constructor already acted on it.
     *
     * @param value the variable's value
     * @throws IllegalArgumentException if the value is neither {@code true} nor {@code false}
     */
    @Override
    public void process(String value) {
        String v = normalized(value);
        if (!Boolean.TRUE.toString().equals(v) && !Boolean.FALSE.toString().equals(v)) {
            throw new IllegalArgumentException(ENV_VARIABLE + " must be true or false, found " + value);
        }
    }

    private static String normalized(String value) {
        return value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    }
}
