package org.dtkd4j.core.engine;

/**
 * Thrown when a training step produced a non-finite loss or gradient. The step's update was not applied, and the
 * run directory keeps the checkpoint of the last completed epoch.
 */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went bad: epoch, batch and term
     * @param cause the underlying error, or null
     */
    public TrainingDivergedException(String message, Throwable cause) {
        super(message, cause);
    }
}
