package org.dtkd4j.core.loss;

/**
 * One term of a loss over a batch of {@code N} rows and {@code C} classes.
 *
 * @param term      which term
 * @param value     the batch mean of {@code perSample}, unweighted
 * @param perSample {@code [N]} per-sample values (already multiplied by the temperature scale where the term has one)
 * @param gradient  {@code [N][C]} gradient of {@code value} (the batch mean) with respect to the student logits
 */
public record TermResult(Term term, double value, double[] perSample, double[][] gradient) {
}
