package org.dtkd4j.core.loss;

/**
 * Thrown under {@link org.dtkd4j.core.config.HazardPolicy#STRICT} when a row would make the official arithmetic
 * produce a non-finite or negative temperature, or (DKD) a {@code log 0}. The message names the row and the values
 * that caused it.
 */
public class HazardException extends ArithmeticException {

    private final int row;

    /**
     * @param row     index of the offending row in the batch
     * @param message what was found
     */
    public HazardException(int row, String message) {
        super(message);
        this.row = row;
    }

    /** @return index of the offending row in the batch */
    public int row() {
        return row;
    }
}
