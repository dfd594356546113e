/**
 * The distillation losses in closed form, in plain double arithmetic and without any DL4J wiring: the reference
 * implementation every front end agrees with.
 *
 * <p>A loss is written once, by its config record, in the vocabulary of {@link org.dtkd4j.core.loss.LossBuilder}
 * (temperatures, {@link org.dtkd4j.core.loss.Divergence} terms, weights); this package's builder evaluates it in
 * closed form. {@link org.dtkd4j.core.loss.DistillationLosses#evaluate} takes any
 * {@link org.dtkd4j.core.config.DistillationConfig} (cross-entropy, KD, DKD, DTKD, DTKD+DKD, ...), student and teacher
 * logits and target classes, and returns a {@link org.dtkd4j.core.loss.LossResult}: the loss, its unweighted terms
 * ({@link org.dtkd4j.core.loss.Term}) with per-sample values, the per-sample temperatures and their
 * {@link org.dtkd4j.core.loss.TemperatureStats}, and closed-form gradients with respect to the student logits,
 * including the path through DTKD's temperatures (Wei &amp; Bai 2024, arXiv:2404.12711). It reproduces the details
 * of the official PyTorch code that change the numbers (temperatures as {@code 2*ms}, {@code /(mt+ms)},
 * {@code *T}; the gradient of a row maximum at its first arg-max; {@code 0·log 0 = 0}; DKD's exact {@code −1000}
 * target suppression, Zhao et al. 2022; warmup on the distillation terms only) and applies the
 * {@link org.dtkd4j.core.config.HazardPolicy} to degenerate rows: guarded rows, reference NaNs, or a
 * {@link org.dtkd4j.core.loss.HazardException}. Invalid inputs are rejected by
 * {@link org.dtkd4j.core.loss.LossInputs} with an {@link java.lang.IllegalArgumentException} naming the input and
 * what was found.
 *
 * <p>A batch of at least 65,536 logits ({@code N·C}) has its rows split across the common fork-join pool (the calling
 * thread takes part); every row is computed on its own and sums over rows are taken in row order afterwards, so the
 * results are bit-identical to a computation on one thread. Every exponential comes from
 * {@link org.dtkd4j.core.loss.Exponentials}, whose vector form (when the JVM resolves {@code jdk.incubator.vector})
 * and scalar form give the same bits: the results do not depend on the JVM's modules either.
 *
 * <p>{@link org.dtkd4j.core.loss.FloatKd} evaluates KD's loss and the cross-entropy alone in float32 on rows of
 * buffers ({@link org.dtkd4j.core.loss.FloatMatrix}), one vectorised pass per row, for the DL4J adapter of a float32
 * network; it is tested against the double closed form to float rounding, and its vector and scalar forms, and its
 * splits of the rows, give the same bits too.
 */
package org.dtkd4j.core.loss;
