/**
 * The distillation losses as SameDiff graph ops, in the style of {@code sd.loss()}.
 *
 * <p>{@link org.dtkd4j.core.samediff.SameDiffLosses#create} adds any method's loss to a graph from student logits,
 * teacher logits, integer or one-hot labels, an optional epoch and a config, validating what is known at build
 * time, and returns its named outputs ({@code <name>/total}, {@code <name>/L_dtkd}, {@code <name>/T_stu}, ...) as
 * {@link org.dtkd4j.core.samediff.LossVariables}. The config record describes the loss once
 * ({@link org.dtkd4j.core.config.DistillationConfig#build}); the package's builder turns it into graph ops made of
 * numerically careful helpers (log-softmax with stop-gradient shifts, safe per-row division). The graph computes
 * what the closed form of {@code org.dtkd4j.core.loss} computes, with SameDiff's autodiff for the gradients;
 * GUARDED temperatures are built so that guarded rows back-propagate exact zeros. A graph cannot throw, so input
 * values and the STRICT policy are checked by a listener the builder registers, and by
 * {@link org.dtkd4j.core.samediff.LossVariables#exec} and {@link org.dtkd4j.core.samediff.LossVariables#check}.
 */
package org.dtkd4j.core.samediff;
